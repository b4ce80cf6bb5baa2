"""Markdown that the build generates: statute pages, links on quotation
titles, the "本条/本节/本页被以下内容引用" lists, the 易错点 indexes and the
修订记录 page. Called by the MkDocs
hook ``hooks/handbook.py``; nobody maintains backlinks by hand."""
from __future__ import annotations

import re
from urllib.parse import quote as urlquote

from ..domain.procedure import ALL_STEPS, VOLUME_BY_CODE
from . import currency
from . import items as items_module
from .pages import ADMONITION, QUOTE_TITLE, insert_after_title
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
    out = [f"# {statute.title}（{statute.version}）", ""]
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
    entry = currency.outdated(site.corpus.newer, statute.short, statute.version)
    if entry:
        out += [currency.notice(entry, statute.version), ""]
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
        insert_after_title(lines, banner)
    named = items_on_page(site, here)
    if named:
        insert_after_title(lines, named)
    for entry in reversed(currency.page_statutes(page, site.corpus.newer)):
        insert_after_title(lines, currency.notice(entry))
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


# --- 赋权事项目录 (content/items.py) -------------------------------------------------------------

ITEMS_FILTER_NOTE = "可按分卷、职权类型筛选，或输入关键词（事项名称、法规、原行使部门）查找。"


def item_catalogue(site: Site, here: str, volume: str | None) -> str:
    """赋权事项目录 of a volume (or of the whole handbook): one row an item,
    filterable on a phone (javascripts/items-filter.js; without script the
    whole table shows)."""
    items = [i for i in site.items if volume is None or i.volume == volume]
    title = f"{VOLUME_BY_CODE[volume].title} · 赋权事项目录" if volume else "赋权事项目录"
    taught = items_module.questions_of(site.items, site.questions)
    out = [f"# {title}", "",
           f"本目录列出{'本卷' if volume else '全书'}讲到的 {len(items)} 个赋权事项，每个事项链接到其执法依据（逐字引用条文）、"
           "处罚概要、办理要点、相关案例和练习题。" + ITEMS_FILTER_NOTE, "",
           f'!!! warning "{items_module.PROVINCE_NOTE}"',
           "    本目录是教学用的事项汇编，不是任何地方的赋权清单。某一事项是否已下放本镇街、由哪一级行使，"
           "以省级人民政府公布的赋权事项目录和本县（市、区）的承接清单为准。", ""]
    kinds = sorted({i.kind for i in items}, key=items_module.KINDS.index)
    volumes = sorted({i.volume for i in items}, key=lambda v: VOLUME_BY_CODE[v].number)
    out += ['<div class="zj-item-filter" hidden>',
            '<label>分卷 <select data-filter="volume"><option value="">全部</option>'
            + "".join(f'<option value="{v}">{VOLUME_BY_CODE[v].title}</option>' for v in volumes)
            + "</select></label>",
            '<label>职权类型 <select data-filter="kind"><option value="">全部</option>'
            + "".join(f'<option>{k}</option>' for k in kinds) + "</select></label>",
            '<label>关键词 <input type="search" data-filter="text" placeholder="如 农药、占道、第五十五条"></label>',
            '<p class="zj-item-count" aria-live="polite"></p>',
            "</div>", ""]
    out += ['<div class="zj-items" markdown>', "",
            "| 事项名称 | 职权类型 | 分卷 | 原行使部门 | 执法依据 | 频次 | 练习题 |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for i in items:
        basis = "；".join(dict.fromkeys(b.label for b in i.basis))
        retained = "（常回收）" if i.often_retained else ""
        out.append(f"| [{_cell(i.name)}]({site.url_between(here, i.page)}) | {i.kind} | "
                   f"{VOLUME_BY_CODE[i.volume].title} | {_cell(i.department)} | {_cell(basis)} | "
                   f"{i.frequency}{retained} | {len(taught.get(i.id, []))} 道 |")
    out += ["", "</div>", ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def _status_note(item) -> list[str]:
    """Whether the township must have the item delegated or holds it by law."""
    if item.own_power:
        return ['!!! info "乡、镇人民政府的法定职权"',
                "    本页是教学用的事项说明。本事项由法律、法规直接规定由乡、镇人民政府（乡级人民政府）行使，"
                "不需要省级决定交由镇街行使，以乡、镇人民政府的名义实施；街道办事处不是规定的主体。", ""]
    return [f'!!! info "{items_module.PROVINCE_NOTE}"',
            "    本页是教学用的事项说明。本事项是否已下放本镇街，以省级人民政府公布的赋权事项目录和本县（市、区）"
            "的承接清单为准；承接后以镇人民政府（街道办事处）的名义实施。", ""]


def item_page(site: Site, item) -> str:
    """One item: its facts, its basis quoted verbatim with links to the
    articles, the penalty summary, the procedure notes, the guide section,
    the cases and the 练一练 of its questions."""
    here = item.page
    volume = VOLUME_BY_CODE[item.volume]
    out = [f"# {item.name}", "",
           *_status_note(item),
           # the county list's word on this item; a power the law gives the township itself needs none
           *([] if item.own_power else [f'<p class="zj-item-status" data-item="{item.id}" hidden></p>', ""]),
           "| 项目 | 内容 |", "| --- | --- |",
           f"| 事项编号 | {item.id} |", f"| 职权类型 | {item.kind} |",
           f"| 所属分卷 | [{volume.title}]({site.url_between(here, f'volumes/{item.volume}/index.md')}) |",
           f"| 原行使部门 | {_cell(item.department)} |",
           f"| 基层常见程度 | {item.frequency}{'；评估中常被收回县级' if item.often_retained else ''} |", ""]
    practice = [q for q in items_module.questions_of([item], site.questions)[item.id] if q not in site.exam_only]
    banner = practice_banner(practice)
    if banner:
        out += [banner, ""]
    out += ["## 执法依据", ""]
    for role in items_module.ROLES:
        for b in item.by_role(role):
            statute = site.corpus.find(b.statute, b.version)
            url = site.url_between(here, statute_page_path(statute), article_anchor(b.article))
            para = f"第{items_module._chinese(b.paragraph)}款" if b.paragraph else ""
            out += [f'!!! quote "[{ROLE_TITLES[role]}：《{b.statute}》（{b.version}）{article_label(b.article)}{para}]({url})"']
            for paragraph in items_module.article_text(site.corpus, b):
                out += [f"    {_escape(paragraph)}", ""]
    if item.local_note:
        local = f"本省示例：{item.local_regulation}。" if item.local_regulation else ""
        out += ['!!! note "本省规定"', f"    {item.local_note}{local}", ""]
    out += ["## 处罚概要" if item.kind == "行政处罚" else "## 措施概要", "",
            f"- **内容**：{item.penalty_summary}"]
    if item.discretion:
        out.append(f"- **是否必须处罚**：{'有违法行为的，应当依法处罚（“应当”）' if item.discretion == '应当' else '法律规定“可以”处罚，须结合情节裁量'}")
    out += [f"- **由谁决定**：{item.decided_by}", ""]
    out += ["## 办理要点", ""]
    out += [f"- {note}" for note in item.procedure_notes]
    guide_path, _, guide_anchor = item.guide.partition("#")
    guide_title = site.title(guide_path) or guide_path
    section = next((h.text for h in site.pages[guide_path].headings if h.anchor == guide_anchor),
                   "") if guide_path in site.pages else ""
    out += [f"- 一般要求见工作指南：[{guide_title}{' › ' + section if section else ''}]"
            f"({site.url_between(here, guide_path, guide_anchor)})", ""]
    cases = items_module.cases_of([item], site.pages)[item.id]
    out += ["## 相关案例", ""]
    out += [f"- [{site.title(c)}]({site.url_between(here, c)})" for c in cases] or ["- 暂无案例。"]
    out += ["", "## 练习题", ""]
    out += [f"- 题库中有 {len(practice)} 道题考查本事项：<a class=\"practice-link\" href=\"{PRACTICE_URL}?ids="
            f"{urlquote(','.join(practice))}\">开始练习</a>" if practice else "- 暂无练习题。", ""]
    return "\n".join(out)


ROLE_TITLES = {"违法行为": "违法行为", "处罚": "处罚依据", "强制": "强制措施依据", "检查": "检查依据"}


def items_on_page(site: Site, here: str) -> str:
    """The block at the top of a case that names its items (front matter ``items:``)."""
    named = [site.items_by_id[i] for i in site.pages[here].items if i in site.items_by_id] \
        if here in site.pages else []
    if not named:
        return ""
    lines = ['!!! abstract "本案涉及的赋权事项"']
    lines += [f"    - [{i.name}]({site.url_between(here, i.page)})（{i.kind}）" for i in named]
    return "\n".join(lines)
