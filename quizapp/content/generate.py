"""Markdown that the build generates: statute pages, links on quotation
titles, the "本条/本节/本页被以下内容引用" lists, the 易错点 indexes and the
修订记录 page. Called by the MkDocs
hook ``hooks/handbook.py``; nobody maintains backlinks by hand."""
from __future__ import annotations

import re
from urllib.parse import quote as urlquote

from ..domain.procedure import ALL_STEPS, VOLUME_BY_CODE
from .pages import ADMONITION, QUOTE_TITLE
from .site import REVISIONS_PAGE, Ref, Site, Target, statute_page_path
from .statutes import Statute, article_anchor, article_key, article_label

PRACTICE_URL = "/practice/start"
REPORT_URL = "/reports/new"


def _escape(text: str) -> str:
    """Statute text as Markdown text: nothing in it may become markup."""
    text = re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
    return re.sub(r"^(\d+)\.", r"\1\\.", text)


def statute_page(site: Site, statute: Statute) -> str:
    path = statute_page_path(statute)
    versions = site.corpus.versions(statute.short)
    # Full statute texts rank below the guide and the cases that explain them.
    out = ["---", "search:", "  boost: 0.3", "---", "", f"# {statute.title}（{statute.version}）", ""]
    out += ['!!! info "版本说明"',
            f"    本页为《{statute.title}》{statute.version} 版本全文，收录自本教程法规库。"
            f"引用本法条文时请注明版本。", ""]
    for line in statute.history:
        out += [f"    - {_escape(line)}"]
    others = [s for s in versions if s.version != statute.version]
    if others:
        out += ["", "    法规库中的其他版本：" + "、".join(
            f"[{s.version}]({site.url_between(path, statute_page_path(s))})" for s in others)]
    out.append("")
    practice = site.questions_for(path)
    refs = site.backlinks
    banner = practice_banner(_page_question_ids(practice))
    if banner:
        out += [banner, ""]
    for block in statute.blocks:
        if block.kind == "heading":
            out += [f"{'#' * (block.level + 1)} {block.text}", ""]
            continue
        key = block.text
        paragraphs = statute.articles[key]
        first, rest = (paragraphs[0], paragraphs[1:]) if paragraphs else ("", [])
        anchor = article_anchor(key)
        out += [f'<div class="article" id="{anchor}" markdown>', "",
                f"**{article_label(key)}**　{_escape(first)}", ""]
        for p in rest:
            out += [_escape(p), ""]
        out += ["</div>", ""]
        block_md = backlink_block(site, path, refs.get(Target(path, anchor), []),
                                  "本条被以下内容引用", practice.get(anchor, []))
        if block_md:
            out += [block_md, ""]
    return "\n".join(out)


REPORT_PAGES = "report-pages.json"       # the built handbook's pages that take reports (quizapp/reports.py)


def takes_reports(site: Site, path: str) -> bool:
    """Whether a page gets the 纠错/建议 link: every written page; not the
    generated statute pages, 易错点 indexes and 修订记录."""
    return path in site.pages and not (path in site.statute_pages or path in site.pitfall_pages()
                                       or path == REVISIONS_PAGE)


def report_pages(site: Site, paths) -> dict[str, dict]:
    """The page list the build writes beside the handbook (``REPORT_PAGES``):
    path -> its title and sections (anchor, heading), for the platform's report
    form, which offers nothing else and opens no file it is given."""
    return {path: {"title": site.pages[path].title,
                   "sections": [[h.anchor, h.text] for h in site.pages[path].headings]}
            for path in sorted(paths)}


def report_footer(path: str) -> str:
    """纠错/建议 at the foot of a page: the platform's report form for this page
    (handbook/javascripts/report.js also puts a 纠错 link, with its section, beside each heading)."""
    return (f'\n\n<p class="report-link"><a href="{REPORT_URL}?page_path={urlquote(path)}" data-report-page>'
            "纠错/建议</a>：发现本页法条引用、表述或案例与实际不符，请告诉编辑（需登录）。</p>\n")


def practice_banner(question_ids: list[str]) -> str:
    """The page-level 练一练: every question behind any part of the page."""
    if not question_ids:
        return ""
    ids = ",".join(question_ids)
    return (f'!!! tip "练一练"\n    题库中有 {len(question_ids)} 道题考查本页内容：'
            f'<a class="practice-link" href="{PRACTICE_URL}?ids={urlquote(ids)}">开始练习</a>')


def _page_question_ids(practice: dict[str, list[str]]) -> list[str]:
    return list(dict.fromkeys(qid for ids in practice.values() for qid in ids))


def _after_title(lines: list[str], block: str) -> None:
    """Insert a block after the page's first-level heading."""
    at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
    lines[at:at] = ["", block, ""]


def backlink_block(site: Site, here: str, refs: list[Ref], heading: str,
                   question_ids: list[str]) -> str:
    pages = [r for r in refs if not r.is_question]
    if not pages and not question_ids:
        return ""
    lines = [f'!!! abstract "{heading}"']
    for r in pages:
        label = f"{r.title} › {r.section}" if r.section else r.title
        lines.append(f"    - [{label}]({site.url_between(here, r.source, r.anchor)})")
    if question_ids:
        ids = ",".join(question_ids)
        lines.append(f'    - 题库中有 {len(question_ids)} 道题考查此处：'
                     f'<a class="practice-link" href="{PRACTICE_URL}?ids={urlquote(ids)}">练一练</a>')
    return "\n".join(lines)


def link_quote_titles(site: Site, here: str, markdown: str) -> str:
    """Turn each quotation title into a link to its article."""
    def replace(line: str) -> str:
        m = ADMONITION.match(line)
        if not m or m.group("type") != "quote" or not m.group("title"):
            return line
        t = QUOTE_TITLE.match(m.group("title"))
        if not t or m.group("title").startswith("["):
            return line
        statute = site.statute_of_quote(t.group("name"), t.group("version"))
        if statute is None:
            return line
        url = site.url_between(here, statute_page_path(statute), article_anchor(article_key(t.group("article"))))
        return f'{m.group("indent")}!!! quote "[{m.group("title")}]({url})"'
    return "\n".join(replace(line) for line in markdown.split("\n"))


def insert_backlinks(site: Site, here: str, markdown: str) -> str:
    """Append to each section that is linked to (and to the page) the list of
    what links to it, and a 练一练 link for the questions that teach it."""
    page = site.parse(here, markdown)
    refs = site.backlinks
    practice = site.questions_for(here)
    lines = markdown.split("\n")
    inserts: list[tuple[int, str]] = []
    for pit in page.pitfalls:                  # an id on each 易错点, for the indexes and backlinks
        pad = " " * pit.indent
        inserts.append((pit.line - 1, f'{pad}<div id="{pit.anchor}" class="pitfall-anchor" markdown></div>'))
    headings = page.headings
    for i, h in enumerate(headings):
        if h.level == 1:
            continue
        block = backlink_block(site, here, refs.get(Target(here, h.anchor), []),
                               "本节被以下内容引用", practice.get(h.anchor, []))
        if not block:
            continue
        end = next((n.line - 1 for n in headings[i + 1:] if n.level <= h.level), len(lines))
        inserts.append((end, block))
    page_block = backlink_block(site, here, refs.get(Target(here, ""), []),
                                "本页被以下内容引用", practice.get("", []))
    if page_block:
        inserts.append((len(lines), page_block))
    for at, block in sorted(inserts, key=lambda x: x[0], reverse=True):
        lines[at:at] = ["", block, ""]
    banner = practice_banner(_page_question_ids(practice))
    if banner:
        _after_title(lines, banner)
    return "\n".join(lines)


MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def relink(site: Site, source: str, here: str, text: str) -> str:
    """Markdown text moved from page ``source`` to page ``here``: its relative links re-pointed."""
    def move(m: re.Match) -> str:
        target = site.resolve(source, m.group(2))
        return m.group(0) if target is None else f"[{m.group(1)}]({site.url_between(here, target.path, target.anchor)})"
    return MD_LINK.sub(move, text)


def pitfall_index(site: Site, here: str, volume: str) -> str:
    """易错点汇总: every 易错点 of the volume (or of the site), grouped by step,
    each linking to where it is explained."""
    title = f"{VOLUME_BY_CODE[volume].title} · 易错点汇总" if volume else "易错点汇总"
    entries = [(page, pit) for path, page in site.pages.items() for pit in page.pitfalls
               if not volume or path.startswith(f"volumes/{volume}/")]
    out = [f"# {title}", "",
           f"本页由构建程序从{'本卷' if volume else '全部分卷'}的工作指南和典型案例中自动汇总，共 {len(entries)} 个易错点，"
           "按办案环节排列；点击标题可跳到讲解该易错点的位置。", ""]
    for step in ALL_STEPS + ("",):
        group = [(page, pit) for page, pit in entries if pit.step == step]
        if not group:
            continue
        out += [f"## {step or '其他'}（{len(group)}）", ""]
        for page, pit in group:
            url = site.url_between(here, page.path, pit.anchor)
            consequence = relink(site, page.path, here, pit.fields.get("后果", (0, ""))[1])
            out.append(f"- [{pit.title}]({url}) — {page.title}" + (f"。后果：{consequence}" if consequence else ""))
        out.append("")
    return "\n".join(out)


def revisions_page(site: Site, here: str = REVISIONS_PAGE) -> str:
    """修订记录: the entries of handbook/revisions.yaml, newest date first,
    each naming its volume and linking to its pages (file order within a date)."""
    out = ["# 修订记录", "",
           "本页记录教程各卷内容的新增和修改，按日期由近及远排列。本页由构建程序根据 `handbook/revisions.yaml` "
           "自动生成，编写组每次修改内容时在该文件中增加一条记录。", ""]
    if not site.revisions:
        return "\n".join(out + ["暂无修订记录。", ""])
    dates = sorted({r.date for r in site.revisions}, reverse=True)
    for date in dates:
        year, month, day = (int(x) for x in date.split("-"))
        out += [f"## {year}年{month}月{day}日", ""]
        for r in (r for r in site.revisions if r.date == date):
            out += [f"- **{r.volume_title}**：{r.summary}", ""]
            links = []
            for _, page in r.pages:
                path, _, anchor = page.partition("#")
                title = site.title(path) or path
                heading = next((h.text for h in site.pages[path].headings if h.anchor == anchor),
                               "") if anchor and path in site.pages else ""
                label = f"{title} › {heading}" if heading else title
                links.append(f"[{label}]({site.url_between(here, path, anchor)})" if site.exists(path) else label)
            if links:
                out += ["    涉及页面：" + "、".join(links), ""]
    return "\n".join(out)
