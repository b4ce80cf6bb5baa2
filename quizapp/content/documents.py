"""文书式样: the model documents, the items statutes require them to carry,
their Word files, and the links to them from cases and guide pages.

Data flow
---------
``handbook/documents.yaml`` (:func:`load_documents`) lists each model
document: its name and aliases, its page, its step, and the items it must
carry, grouped by the article (or, marked as such, the practice) that requires
them, each with the words that prove it is in the model.

- The checker (:func:`check_documents`) reads each page's ``## 式样`` section
  (:func:`model_section`) and reports a required item whose words are missing,
  an article not in the corpus, a page that is not listed, and an unclosed
  【blank】.
- The build (``hooks/handbook.py``) adds to each document page the download
  link and the table 法定载明事项 (:func:`requirements_table`), appends the
  list of documents to the section's index page (:func:`document_list`),
  links the first mention of a document in each section of a case or guide
  page to its model (:func:`link_mentions`) and writes each model as a Word
  file beside its page (:func:`docx_bytes`, :func:`write_docx`).
"""
from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

from ..domain.procedure import ALL_STEPS
from .pages import insert_after_title
from .problems import Problem
from .questions import LineDict, check_keys, read_listing
from .statutes import Corpus, article_key, article_label

MODEL_HEADING = "式样"
TABLE_HEADING = "法定载明事项"
INDEX = "index.md"                     # each documents/ folder's index page gets the list
BLANK = re.compile(r"【[^【】\n]*】")
ATTR_LINE = re.compile(r"^\{:\s*\.(doc-center|doc-right)\s*\}\s*$")
DOCUMENT_KEYS = {"name", "aliases", "page", "step", "requires"}
GROUP_KEYS = {"article", "source", "items"}
ITEM_KEYS = {"item", "words"}


@dataclass
class Requirement:
    item: str
    words: list[str]
    line: int


@dataclass
class Group:
    """Items required by one article (``statute``/``article`` set) or by a named source."""
    items: list[Requirement]
    statute: str = ""
    article: str = ""          # article key, e.g. '59'
    source: str = ""           # e.g. 实务做法, when no article of the corpus requires them
    line: int = 0

    @property
    def label(self) -> str:
        return f"《{self.statute}》{article_label(self.article)}" if self.statute else self.source


@dataclass
class Document:
    name: str
    page: str                  # handbook path, e.g. volumes/v1-common/guide/documents/penalty-decision.md
    step: str
    groups: list[Group]
    aliases: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def names(self) -> list[str]:
        return [self.name] + self.aliases

    @property
    def docx(self) -> str:
        """The Word file's name."""
        return posixpath.basename(self.page).removesuffix(".md") + ".docx"

    @property
    def docx_path(self) -> str:
        """Its path among the site's files, beside the page's source: MkDocs
        rewrites the page's relative link to it for directory URLs."""
        return posixpath.join(posixpath.dirname(self.page), self.docx)


def load_documents(path: Path, corpus: Corpus | None = None) -> tuple[list[Document], list[Problem]]:
    """The documents of ``documents.yaml`` and what is wrong in the file
    itself (fields, steps, articles that the corpus lacks)."""
    if not path.is_file():
        return [], []
    rel, data, problems = read_listing(path, "documents", "文件应包含 documents: 列表")
    if data is None:
        return [], problems
    documents: list[Document] = []
    seen: dict[str, int] = {}
    for raw in data["documents"]:
        doc = _document(raw, rel, corpus, problems)
        if doc is None:
            continue
        for name in doc.names:
            if name in seen:
                problems.append(Problem(rel, doc.line, "name", f"文书名称“{name}”重复（第 {seen[name]} 行已有）"))
            seen[name] = doc.line
        documents.append(doc)
    return documents, problems


def _document(raw, rel: str, corpus: Corpus | None, problems: list[Problem]) -> Document | None:
    if not isinstance(raw, LineDict):
        problems.append(Problem(rel, 0, "documents", "每个文书应是一个键值映射"))
        return None
    before = len(problems)

    def bad(key: str, message: str, line: int | None = None) -> None:
        problems.append(Problem(rel, line or raw.line_of(key), key, message))

    check_keys(raw, ("name", "page", "step", "requires"), DOCUMENT_KEYS, bad)
    step = raw.get("step")
    if step is not None and step not in ALL_STEPS:
        bad("step", f"未知环节 {step!r}；可选：{'、'.join(ALL_STEPS)}")
    page = str(raw.get("page", ""))
    if page and not re.fullmatch(r"volumes/[a-z0-9-]+/guide/documents/[a-z0-9-]+\.md", page):
        bad("page", f"页面 {page} 应在某一分卷的 guide/documents/ 下，文件名只用小写字母、数字和连字符")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        bad("aliases", "aliases 应为名称列表")
        aliases = []
    groups = [g for g in (_group(g, rel, corpus, problems) for g in (raw.get("requires") or [])) if g]
    if len(problems) > before:
        return None
    return Document(name=str(raw["name"]), page=page, step=str(step), groups=groups,
                    aliases=list(aliases), line=raw.line)


def _group(raw, rel: str, corpus: Corpus | None, problems: list[Problem]) -> Group | None:
    if not isinstance(raw, LineDict):
        problems.append(Problem(rel, 0, "requires", "requires 的每一项应是键值映射（article 或 source，和 items）"))
        return None

    def bad(key: str, message: str, line: int | None = None) -> None:
        problems.append(Problem(rel, line or raw.line_of(key), key, message))

    check_keys(raw, ("items",), GROUP_KEYS, bad)
    if bool(raw.get("article")) == bool(raw.get("source")):
        bad("article", "requires 的每一项写 article（法规库中的条文）或 source（实务做法等出处）之一")
        return None
    group = Group(items=[], line=raw.line, source=str(raw.get("source") or ""))
    if raw.get("article"):
        name, _, number = str(raw["article"]).partition(" ")
        try:
            group.statute, group.article = name, article_key(number)
        except ValueError:
            bad("article", f"无法识别条号 {raw['article']!r}，应写成“行政处罚法 第五十九条”")
            return None
        if corpus is not None:
            try:
                statute = corpus.find(name)
            except LookupError as e:
                bad("article", str(e))
                return None
            if group.article not in statute.articles:
                bad("article", f"{statute.label}没有{article_label(group.article)}")
                return None
    for item in raw.get("items") or []:
        if not isinstance(item, LineDict):
            bad("items", "items 的每一项应含 item 和 words")
            continue
        check_keys(item, ("item", "words"), ITEM_KEYS,
                   lambda key, message: bad(key, message, item.line_of(key)))
        words = item.get("words")
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            continue
        group.items.append(Requirement(str(item.get("item", "")), words, item.line))
    return group


# --- the page's model ------------------------------------------------------------

def model_section(markdown: str) -> tuple[int, str]:
    """(line of the ``## 式样`` heading or 0, the section's text up to the next
    second-level heading)."""
    lines = markdown.split("\n")
    bounds = _model_bounds(lines)
    if bounds is None:
        return 0, ""
    start, end = bounds
    return start + 1, "\n".join(lines[start + 1:end])


def _model_bounds(lines: list[str]) -> tuple[int, int] | None:
    """Indexes of the ``## 式样`` heading and of the line that ends its section."""
    start = next((n for n, ln in enumerate(lines) if ln.strip() == f"## {MODEL_HEADING}"), None)
    if start is None:
        return None
    return start, next((n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")), len(lines))


def _plain(text: str) -> str:
    """The model's words without Markdown emphasis and table pipes (for the word check)."""
    return re.sub(r"[*|]", "", text)


def check_documents(documents: list[Document], pages: dict[str, str], rel) -> list[Problem]:
    """``pages``: handbook path -> Markdown of every page under a documents/
    folder (and of each listed page). ``rel`` turns a handbook path into the
    report's file path."""
    problems: list[Problem] = []
    listed = {d.page for d in documents}
    for path in sorted(pages):
        if path not in listed and posixpath.basename(path) != INDEX:
            problems.append(Problem(rel(path), 1, "文书式样",
                                    "页面未登记在 handbook/documents.yaml 中：请为它加一项（name、page、step、requires）"))
    for doc in documents:
        text = pages.get(doc.page)
        if text is None:
            problems.append(Problem("handbook/documents.yaml", doc.line, "page",
                                    f"文书“{doc.name}”的页面 {doc.page} 不存在"))
            continue
        line, body = model_section(text)
        if not line:
            problems.append(Problem(rel(doc.page), 1, "文书式样", f"页面应有“## {MODEL_HEADING}”一节，写出文书的全文式样"))
            continue
        plain = _plain(body)
        for group in doc.groups:
            for req in group.items:
                missing = [w for w in req.words if w not in plain]
                if missing:
                    problems.append(Problem(rel(doc.page), line, "文书式样",
                                            f"式样缺少{group.label}要求载明的事项：{req.item}"
                                            f"（式样中应有“{'”“'.join(missing)}”）"))
        for n, raw in enumerate(body.split("\n"), line + 1):
            if raw.count("【") != raw.count("】"):
                problems.append(Problem(rel(doc.page), n, "文书式样", "空白处的【】不成对"))
    return problems


# --- what the build adds to the pages --------------------------------------------

def requirements_table(doc: Document, corpus: Corpus, url) -> str:
    """The 法定载明事项 section: each required item, the article (linked) or
    the source that requires it. ``url(statute, key)`` links an article."""
    rows = [f"## {TABLE_HEADING}", "",
            "下表列出这份文书必须写明的事项及其出处；上面的式样逐项具备。", "",
            "| 应当载明的事项 | 依据 |", "|---|---|"]
    for group in doc.groups:
        if group.statute:
            statute = corpus.find(group.statute)
            basis = f"[{group.label}]({url(statute, group.article)})"
        else:
            basis = group.source
        rows += [f"| {req.item} | {basis} |" for req in group.items]
    return "\n".join(rows)


def download_line(doc: Document) -> str:
    return f'[下载 Word 文书式样（.docx）]({doc.docx}){{ .md-button download="{doc.name}.docx" }}'


def add_to_page(doc: Document, markdown: str, table: str) -> str:
    """The document page as built: the download link under the title, the
    式样 wrapped for print-like display, then the table of required items."""
    lines = markdown.split("\n")
    insert_after_title(lines, download_line(doc))
    bounds = _model_bounds(lines)
    if bounds is None:
        return "\n".join(lines)
    start, end = bounds
    lines[end:end] = ["</div>", "", table, ""]
    lines[start + 1:start + 1] = ["", '<div class="doc-model" markdown>', ""]
    return "\n".join(lines)


def document_list(documents: list[Document], here: str) -> str:
    """The index page's list: the documents of its folder in the order of
    documents.yaml (the order a case uses them), with their step."""
    folder = posixpath.dirname(here)
    out = ["## 文书目录", "", "| 环节 | 文书 | Word |", "|---|---|---|"]
    for d in (d for d in documents if posixpath.dirname(d.page) == folder):
        page = posixpath.basename(d.page)
        out.append(f"| {d.step} | [{d.name}]({page}) | [下载]({d.docx}){{ download=\"{d.name}.docx\" }} |")
    return "\n".join(out)


LINKABLE = re.compile(r"^(?!\s|#|!!!|\||```|<)")     # top-level prose: not indented, no heading, table or block


def link_mentions(documents: list[Document], here: str, markdown: str) -> str:
    """Link the first mention of each document in each second-level section
    of a page to the document's model. Only top-level prose lines are
    touched: headings, tables, quotations and other indented blocks, and text
    already inside a link, stay as written."""
    names = sorted(((n, d) for d in documents for n in d.names if d.page != here), key=lambda p: -len(p[0]))
    if not names:
        return markdown
    pattern = re.compile("|".join(re.escape(n) for n, _ in names))
    by_name = {n: d for n, d in names}
    linked: set[str] = set()
    out = []
    fence = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fence = not fence
        if line.startswith("## "):
            linked.clear()
        if fence or not LINKABLE.match(line):
            out.append(line)
            continue
        out.append(_link_line(line, pattern, by_name, here, linked))
    return "\n".join(out)


EXISTING_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)|<[^>]+>|`[^`]*`")


def _link_line(line: str, pattern: re.Pattern, by_name: dict[str, Document], here: str, linked: set[str]) -> str:
    protected = [(m.start(), m.end()) for m in EXISTING_LINK.finditer(line)]
    pieces, last = [], 0
    for m in pattern.finditer(line):
        doc = by_name[m.group(0)]
        if doc.page in linked or any(a <= m.start() < b for a, b in protected):
            continue
        linked.add(doc.page)
        href = posixpath.relpath(doc.page, posixpath.dirname(here))
        pieces += [line[last:m.start()], f"[{m.group(0)}]({href})"]
        last = m.end()
    return "".join(pieces) + line[last:] if pieces else line


# --- the Word file ---------------------------------------------------------------

BODY_FONT = "仿宋"          # the usual face of official documents' body text
TITLE_FONT = "宋体"
BODY_PT, TITLE_PT = 14, 20


def docx_bytes(doc: Document, markdown: str) -> bytes:
    """The page's 式样 as a Word document: the title centred and large, the
    paragraphs with their alignment, the tables as grids, every 【blank】
    highlighted so that nothing is left unfilled."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    _, body = model_section(markdown)
    word = Docx()
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)     # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = word.styles["Normal"]
    style.font.size = Pt(BODY_PT)
    style.font.name = BODY_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
    word.core_properties.title = doc.name
    word.core_properties.subject = "镇街综合行政执法教程 · 文书式样"

    def runs(paragraph, inline_tokens, size=None, font=None, bold=False):
        strong = False
        for tok in inline_tokens:
            if tok.type == "strong_open":
                strong = True
            elif tok.type == "strong_close":
                strong = False
            elif tok.type in ("softbreak", "hardbreak"):
                paragraph.add_run().add_break()
            elif tok.type in ("text", "code_inline"):
                for piece in re.split(r"(【[^【】]*】)", tok.content):
                    if not piece:
                        continue
                    run = paragraph.add_run(piece)
                    run.bold = strong or bold
                    if size:
                        run.font.size = Pt(size)
                    if font:
                        run.font.name = font
                        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
                    if BLANK.fullmatch(piece):
                        run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    align = {"doc-center": WD_ALIGN_PARAGRAPH.CENTER, "doc-right": WD_ALIGN_PARAGRAPH.RIGHT}
    # The attribute lines ({: .doc-right }) end a paragraph; read them off first.
    blocks, alignments = [], []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = chunk.split("\n")
        a = ATTR_LINE.match(lines[-1].strip()) if lines else None
        if a:
            lines = lines[:-1]
        blocks.append("\n".join(lines))
        alignments.append(align.get(a.group(1)) if a else None)
    md = MarkdownIt("commonmark").enable("table")
    for chunk, alignment in zip(blocks, alignments):
        tokens = md.parse(chunk)
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                p = word.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                runs(p, tokens[i + 1].children, size=TITLE_PT, font=TITLE_FONT, bold=True)
                i += 3
            elif tok.type == "paragraph_open":
                p = word.add_paragraph()
                if alignment is not None:
                    p.alignment = alignment
                runs(p, tokens[i + 1].children)
                i += 3
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                ordered, n = tok.type == "ordered_list_open", 0
                depth = 1
                i += 1
                while depth and i < len(tokens):
                    t = tokens[i]
                    if t.type in ("bullet_list_open", "ordered_list_open"):
                        depth += 1
                    elif t.type in ("bullet_list_close", "ordered_list_close"):
                        depth -= 1
                    elif t.type == "inline":
                        n += 1
                        p = word.add_paragraph()
                        p.add_run(f"{n}. " if ordered else "· ")
                        runs(p, t.children)
                    i += 1
            elif tok.type == "table_open":
                rows: list[list] = []
                i += 1
                while tokens[i].type != "table_close":
                    if tokens[i].type == "tr_open":
                        rows.append([])
                    elif tokens[i].type == "inline":
                        rows[-1].append(tokens[i].children)
                    i += 1
                width = max(len(r) for r in rows)
                table = word.add_table(rows=len(rows), cols=width)
                table.style = "Table Grid"
                for r, cells in enumerate(rows):
                    for c, children in enumerate(cells):
                        cell = table.cell(r, c).paragraphs[0]
                        runs(cell, children, size=12, bold=(r == 0 and any(ch.content for ch in children)))
                word.add_paragraph()
                i += 1
            else:
                i += 1
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def docx_files(documents: list[Document], sources: dict[str, str]) -> dict[str, bytes]:
    """Each document's Word file: site path -> bytes (the build adds them as
    files); ``sources``: handbook path -> the page's Markdown."""
    return {doc.docx_path: docx_bytes(doc, sources[doc.page]) for doc in documents if doc.page in sources}
