"""Read one handbook page: headings and anchors, links, statute quotations,
易错点 and citations, each with its line number.

Admonitions (``!!! type "title"`` followed by a body indented four spaces)
are Python-Markdown syntax that markdown-it does not know, so the page is
first flattened line for line (marker lines become their title, bodies lose
their indentation); markdown-it-py then finds headings and links in it with
the same line numbers as the source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import yaml
from markdown_it import MarkdownIt
from pymdownx.slugs import slugify as _slugify_factory

from ..domain.procedure import ALL_STEPS
from .statutes import CN_NUM, article_key

ADMONITION = re.compile(r'^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s+(?P<type>[\w-]+)(?:\s+"(?P<title>.*)")?\s*$')
FENCE = re.compile(r"^\s*(```|~~~)")
ATTR_ID = re.compile(r"\{:?\s*[^}]*#([\w\-\u4e00-\u9fff]+)[^}]*\}\s*$")
HTML_ID = re.compile(r'\bid="([^"]+)"')
QUOTE_TITLE = re.compile(
    rf"^\[?《(?P<name>[^》]+)》（(?P<version>\d{{4}}-\d{{2}}-\d{{2}})）"
    rf"(?P<article>第[{CN_NUM}]+条(?:之[一二三四五六七八九十]+)?)(?P<rest>[^\]]*)\]?(?:\(.*\))?$")
_ART = rf"第(?:[{CN_NUM}]+|\d+)条(?:之[一二三四五六七八九十]+)?"
CITATION = re.compile(
    rf"《(?P<name>[^》\n]{{2,40}})》(?:（(?P<version>\d{{4}}-\d{{2}}-\d{{2}})）)?"
    rf"(?P<articles>{_ART}(?:(?:第[{CN_NUM}\d]+款)?(?:项)?(?:[、和及至或]|以及){_ART})*)")
ARTICLE_IN_LIST = re.compile(_ART)
PITFALL_FIELDS = ("环节", "错误表现", "后果", "正确做法", "依据")
PITFALL_FIELD = re.compile(r"^\*\*(?P<name>[^*]+)\*\*[：:]\s*(?P<text>.*)$")

_md = MarkdownIt("commonmark")
slug = _slugify_factory(case="lower")


def heading_slug(text: str) -> str:
    """The anchor MkDocs gives a heading (toc with pymdownx.slugs, lower case)."""
    return slug(text, "-")


def unique_id(anchor: str, taken: set[str]) -> str:
    """Python-Markdown toc's de-duplication: x, x_1, x_2 ..."""
    while anchor in taken or not anchor:
        m = re.match(r"^(.*)_([0-9]+)$", anchor)
        anchor = f"{m.group(1)}_{int(m.group(2)) + 1}" if m else f"{anchor}_1"
    taken.add(anchor)
    return anchor


@dataclass
class Heading:
    line: int
    level: int
    text: str
    anchor: str


@dataclass
class Link:
    line: int
    href: str
    text: str
    section: Heading | None


@dataclass
class Quote:
    line: int
    title: str
    body: str
    section: Heading | None
    statute: str = ""
    version: str = ""
    article: str = ""        # article key, e.g. '33'
    error: str = ""          # why the title cannot be read


@dataclass
class Pitfall:
    line: int
    title: str
    section: Heading | None
    end: int = 0              # last line of the block
    anchor: str = ""          # generated: the build puts this id on the block
    indent: int = 0
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)

    @property
    def step(self) -> str:
        """The procedure step named in the 环节 field ('' if none)."""
        text = self.fields.get("环节", (0, ""))[1]
        return next((s for s in ALL_STEPS if s in text), "")

    def contains(self, line: int) -> bool:
        return self.line <= line <= self.end


@dataclass
class Citation:
    line: int
    text: str
    statute: str
    version: str | None
    articles: list[str]       # article keys


@dataclass
class Admonition:
    line: int
    type: str
    title: str
    indent: int
    body_lines: list[tuple[int, str]] = field(default_factory=list)   # (line, de-indented text)
    children: list["Admonition"] = field(default_factory=list)


@dataclass
class Page:
    path: str                 # relative to handbook/, e.g. volumes/v1-common/guide/x.md
    title: str
    headings: list[Heading]
    anchors: set[str]
    links: list[Link]
    quotes: list[Quote]
    pitfalls: list[Pitfall]
    citations: list[Citation]
    admonition_titles: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)      # front matter ``items:`` (赋权事项 ids)
    meta_error: str = ""                                # what is wrong with the front matter, if anything

    def pitfall_at(self, line: int) -> "Pitfall | None":
        return next((p for p in self.pitfalls if p.contains(line)), None)

    def section_at(self, line: int) -> Heading | None:
        current = None
        for h in self.headings:
            if h.line > line:
                break
            current = h
        return current


def insert_after_title(lines: list[str], block: str) -> None:
    """Insert a block after the page's first-level heading (Markdown lines, in place)."""
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    lines[at:at] = ["", block, ""]


def front_matter(lines: list[str]) -> tuple[dict, int, str]:
    """A page's YAML front matter (MkDocs meta: ``---`` lines around it at the
    top): (the mapping, how many lines it takes, an error message or '')."""
    if not lines or lines[0].strip() != "---":
        return {}, 0, ""
    end = next((n for n in range(1, min(len(lines), 40)) if lines[n].strip() == "---"), None)
    if end is None:
        return {}, 0, ""
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as e:
        return {}, end + 1, f"页首 YAML 有误：{e}"
    if not isinstance(meta, dict):
        return {}, end + 1, "页首 YAML 应为键值映射"
    return meta, end + 1, ""


def parse_page(path: str, text: str, bare: re.Pattern | None = None) -> Page:
    lines = text.splitlines()
    meta, taken, meta_error = front_matter(lines)
    lines = [""] * taken + lines[taken:]          # line numbers stay those of the file
    code = _code_lines(lines)
    admonitions, flat = _admonitions(lines, code)
    headings, anchors, links = _headings_and_links(flat, code)
    page = Page(path=path, title=next((h.text for h in headings if h.level == 1), path),
                headings=headings, anchors=anchors, links=[], quotes=[], pitfalls=[], citations=[])
    page.links = [Link(line, href, label, page.section_at(line)) for line, href, label in links]
    for n, raw in enumerate(lines, 1):
        if n in code:
            continue
        page.anchors.update(HTML_ID.findall(raw))
        m = ATTR_ID.search(raw)
        if m:
            page.anchors.add(m.group(1))
        page.citations.extend(find_citations(raw, n, bare))
    items = meta.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        meta_error = meta_error or "页首的 items 应为事项编号列表，如 [v3-sx-001]"
        items = []
    page.items, page.meta_error = items, meta_error
    page.admonition_titles = [a.title for a in _walk(admonitions)]
    for adm in _walk(admonitions):
        if adm.type == "quote":
            page.quotes.append(_quote(adm, page))
        elif adm.type == "danger" and adm.title.startswith("易错点"):
            pit = _pitfall(adm, page)
            pit.anchor = unique_id(heading_slug(f"易错点-{pit.title}"), page.anchors)
            page.pitfalls.append(pit)
    return page


def bare_citation_pattern(names: list[str]) -> re.Pattern:
    """Citations without book-title marks, for known statute names: 行政处罚法第64条."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"(?:(?<=中华人民共和国)|(?<![《国]))(?P<name>{alternatives})(?:（(?P<version>\d{{4}}-\d{{2}}-\d{{2}})）)?"
        rf"(?P<articles>{_ART}(?:(?:第[{CN_NUM}\d]+款)?(?:项)?(?:[、和及至或]|以及){_ART})*)")


def find_citations(text: str, line: int = 0, bare: re.Pattern | None = None) -> list[Citation]:
    """Statute citations in a line: 《行政处罚法》第六十三条、第六十四条, and with
    ``bare`` (see :func:`bare_citation_pattern`) also 行政处罚法第64条."""
    found = []
    matches = list(CITATION.finditer(text)) + (list(bare.finditer(text)) if bare else [])
    for m in matches:
        keys = [article_key(a) for a in ARTICLE_IN_LIST.findall(m.group("articles"))]
        found.append(Citation(line, m.group(0), m.group("name"), m.group("version"), keys))
    return found


def _code_lines(lines: list[str]) -> set[int]:
    """Line numbers inside fenced code blocks (fences included)."""
    inside, fence, out = False, "", set()
    for n, raw in enumerate(lines, 1):
        m = FENCE.match(raw)
        if m and (not inside or m.group(1) == fence):
            inside, fence = (not inside), m.group(1)
            out.add(n)
        elif inside:
            out.add(n)
    return out


def _admonitions(lines: list[str], code: set[int]) -> tuple[list[Admonition], list[str]]:
    """The admonition tree, and the page flattened line for line."""
    roots: list[Admonition] = []
    stack: list[Admonition] = []
    flat: list[str] = []
    for n, raw in enumerate(lines, 1):
        indent = len(raw) - len(raw.lstrip(" "))
        if raw.strip():
            while stack and indent < stack[-1].indent + 4:
                stack.pop()
        depth = stack[-1].indent + 4 if stack else 0
        body = raw[depth:] if raw.strip() else ""
        m = ADMONITION.match(raw) if n not in code else None
        if m:
            adm = Admonition(n, m.group("type"), m.group("title") or "", len(m.group("indent")))
            (stack[-1].children if stack else roots).append(adm)
            if stack:
                stack[-1].body_lines.append((n, ""))
            stack.append(adm)
            flat.append(adm.title)
            continue
        if stack:
            stack[-1].body_lines.append((n, body))
        flat.append(body if stack else raw)
    return roots, flat


def _walk(admonitions: list[Admonition]):
    for a in admonitions:
        yield a
        yield from _walk(a.children)


def _headings_and_links(flat: list[str], code: set[int]):
    tokens = _md.parse("\n".join(flat))
    headings: list[Heading] = []
    taken: set[str] = set()
    links: list[tuple[int, str, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            inline = tokens[i + 1]
            raw = inline.content
            explicit = ATTR_ID.search(raw)
            text = ATTR_ID.sub("", raw).strip() if explicit else raw
            plain = _plain(_md.parseInline(text)[0].children or [])
            anchor = explicit.group(1) if explicit else heading_slug(plain)
            anchor = unique_id(anchor, taken)
            headings.append(Heading(tok.map[0] + 1, int(tok.tag[1]), plain, anchor))
        elif tok.type == "inline" and tok.map:
            children = tok.children or []
            for j, child in enumerate(children):
                if child.type == "link_open":
                    href = unquote(str(child.attrs.get("href", "")))
                    label = _plain(children[j + 1:_close(children, j)])
                    links.append((_line_of(flat, tok.map, href), href, label))
    return headings, taken, links


def _close(children, start: int) -> int:
    for k in range(start + 1, len(children)):
        if children[k].type == "link_close":
            return k
    return len(children)


def _plain(children) -> str:
    return "".join(c.content for c in children if c.type in {"text", "code_inline"}).strip()


def _line_of(flat: list[str], span: list[int], href: str) -> int:
    for n in range(span[0], span[1]):
        if href in flat[n] or href.split("#")[0] in flat[n]:
            return n + 1
    return span[0] + 1


def _quote(adm: Admonition, page: Page) -> Quote:
    body = "\n".join(text for _, text in adm.body_lines).strip()
    q = Quote(adm.line, adm.title, body, page.section_at(adm.line))
    m = QUOTE_TITLE.match(adm.title)
    if not m:
        q.error = "法条引文标题应为 《法规简称》（版本日期）第N条，例如 《行政处罚法》（2021-01-22）第三十三条"
        return q
    q.statute, q.version, q.article = m.group("name"), m.group("version"), article_key(m.group("article"))
    if not body:
        q.error = "法条引文没有正文"
    return q


def _pitfall(adm: Admonition, page: Page) -> Pitfall:
    p = Pitfall(adm.line, adm.title.removeprefix("易错点").lstrip("：: "), page.section_at(adm.line),
                end=max([adm.line] + [n for n, _ in adm.body_lines]), indent=adm.indent)
    for line, text in adm.body_lines:
        m = PITFALL_FIELD.match(text.strip())
        if m and m.group("name") in PITFALL_FIELDS:
            p.fields[m.group("name")] = (line, m.group("text").strip())
            p.order.append(m.group("name"))
    p.quotes = [_quote(c, page) for c in adm.children if c.type == "quote"]
    return p
