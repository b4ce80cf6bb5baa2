"""The amendment impact (amendments.impact) arranged for the editors' page
/editor/impact: a summary, the places grouped by handbook page and by
article, and each question with its stem, linked to the bank browser
(/instructor/bank/<id>).

Data flow: the route calls amendments.impact / changed_articles /
stale_quotes as the command does, then :func:`arrange` turns the Impact into
an ImpactView (plain dataclasses the template walks); the full text report
(amendments.format_report with ``full=True``) is the page's download.
Names: a *group* is one heading of the page (a handbook page, an article,
or the question bank), an *entry* one place under it.
"""
from __future__ import annotations

import re
from urllib.parse import quote
from dataclasses import dataclass, field

from . import amendments
from .amendments import Impact, Place, StaleQuote
from .questions import Question
from .site import page_url
from .statutes import article_label
from ..domain.procedure import VOLUME_BY_CODE


@dataclass
class Entry:
    place: Place
    label: str                 # the article ('第六十四条') or 未指明条文
    link: str                  # the handbook URL (section anchor) of the place or of the question
    context: str               # section, pitfall or question stem, in words
    excerpt: str = ""          # the place's words as an editor reads them (no file paths, no YAML keys)
    advice: str = ""           # for a quotation of the old version: repoint or rewrite


@dataclass
class Group:
    title: str
    link: str = ""
    note: str = ""             # e.g. 新版本中已修改
    entries: list[Entry] = field(default_factory=list)
    refs: list[tuple[str, str, int]] = field(default_factory=list)   # by article: (page or question, link, places)
    count: int = 0             # by article: its places


@dataclass
class ImpactView:
    statute: str
    version: str | None
    new_version: str | None
    counts: list[tuple[str, int]]          # (what, how many) for the summary
    by_page: list[Group]
    by_article: list[Group]
    questions: Group
    stale_count: int
    changed: list[tuple[str, int]] = field(default_factory=list)   # (修改|新增|删除, articles) with a new version

    def group(self, key: str) -> Group | None:
        """The group a page of the report lists in full: ``q`` the questions, ``p1``… the
        handbook pages, ``a1``… the articles."""
        if key == "q":
            return self.questions if self.questions.entries else None
        lists = {"p": self.by_page, "a": self.by_article}
        if key[:1] in lists and key[1:].isdigit() and 1 <= int(key[1:]) <= len(lists[key[:1]]):
            return lists[key[:1]][int(key[1:]) - 1]
        return None


BANK_QUESTION = "/instructor/bank/"        # + question id: web/routes/bank.py, open to editors
YAML_KEY = re.compile(r"^\s*-?\s*([a-z_]+):\s*")
MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def excerpt(p: Place) -> str:
    """The place's text for the page: a bank line loses its YAML key, and an
    ``anchor:`` line (a question's link to the article) is said in words;
    Markdown links keep their label only."""
    text = p.text
    key = YAML_KEY.match(text) if p.question else None
    if key:
        if key.group(1) == "anchor":
            return "题目的讲解链接指向此条"
        text = text[key.end():]
    return MARKDOWN_LINK.sub(r"\1", text).strip().strip("'\"")


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "……"


def _volume(page: str) -> str:
    """The title of the volume a handbook page belongs to ('' outside the volumes)."""
    parts = page.split("/")
    volume = VOLUME_BY_CODE.get(parts[1]) if len(parts) > 2 and parts[0] == "volumes" else None
    return volume.title if volume else ""


def _context(p: Place, questions: dict[str, Question]) -> str:
    if p.question:
        q = questions.get(p.question)
        return q.stem if q else ""
    parts = [p.section] if p.section and p.section != p.title else []
    if p.pitfall:
        parts.append(f"易错点：{p.pitfall}")
    return " › ".join(parts)


def _link(p: Place, questions: dict[str, Question]) -> str:
    if p.question:                         # the bank browser's page of the question
        return f"{BANK_QUESTION}{quote(p.question)}"
    if not p.page:
        return ""
    return page_url(p.page + (f"#{p.anchor}" if p.anchor else ""))


def arrange(found: Impact, questions: dict[str, Question], *, changes: dict | None = None,
            new_version: str | None = None, stale: list[StaleQuote] | None = None) -> ImpactView:
    advice = {(s.place.file, s.place.line, s.place.kind): s.advice(new_version or "新") for s in stale or []}

    def entry(p: Place) -> Entry:
        return Entry(p, article_label(p.article) if p.article else "未指明条文", _link(p, questions),
                     _context(p, questions), excerpt(p), advice.get((p.file, p.line, p.kind), ""))

    pages: dict[str, Group] = {}
    bank = Group("题库")
    for p in sorted(found.places, key=lambda p: (p.page == "", p.page, p.line)):
        if p.question:
            bank.entries.append(entry(p))
        elif p.page:
            group = pages.setdefault(p.page, Group(p.title or "（无标题页面）", page_url(p.page), _volume(p.page)))
            group.entries.append(entry(p))
    bank.entries.sort(key=lambda e: (e.place.question, amendments.article_order(e.place.article)))
    articles = []
    for key, places in found.by_article.items():
        note = ("新版本中" + amendments._change_word(changes, key)) if changes is not None and key else ""
        refs: dict[tuple[str, str], int] = {}
        for p in places:
            ref = (("题目：" + _short(_context(p, questions) or "（题干缺失）"), _link(p, questions)) if p.question
                   else (" › ".join(x for x in (_volume(p.page), p.title or "（无标题页面）") if x),
                         page_url(p.page) if p.page else ""))
            refs[ref] = refs.get(ref, 0) + 1
        articles.append(Group(article_label(key) if key else "未指明条文（只提到法规名称或链接到法规页面）",
                              note=note, refs=[(w, link, n) for (w, link), n in refs.items()], count=len(places)))
    counts = [("页面", len(found.pages)), ("引文", len(found.quotations)), ("题目", len(found.questions)),
              ("条文引用", found.count(amendments.CITATION)), ("易错点依据", found.count(amendments.PITFALL)),
              ("未指明条文的提及", found.count(amendments.MENTION))]
    changed = [(word, sum(_changed(old, new) == word for old, new in (changes or {}).values()))
               for word in ("修改", "新增", "删除")] if changes is not None else []
    return ImpactView(found.statute, found.version, new_version, counts, list(pages.values()), articles, bank,
                      len(stale or []), changed)


def _changed(old: str | None, new: str | None) -> str:
    return "新增" if old is None else ("删除" if new is None else "修改")
