"""Law amendment impact analysis (法律修订影响分析).

When a statute version is (to be) replaced, editors need to know what in the
handbook and the question bank relies on it:

* :func:`impact` lists every place that cites a statute -- quotation blocks
  (``!!! quote "《X》（date）第N条"``), in-text citations (``《X》第N条``,
  ``X第64条``), links to the generated statute pages, the 依据 of 易错点,
  question ``basis`` entries, citations in question texts and plain mentions
  of the name -- each with ``file:line`` (relative to the project root), the
  section it stands in and the version it means, grouped by article.
* :func:`changed_articles` compares two versions article by article *by
  number*. A full revision renumbers articles, so equal numbers need not mean
  the same rule; :func:`stale_quotes` therefore also looks, for each
  quotation of the old version, for the quoted words anywhere in the new
  version (:func:`statutes.is_quote_of`), so an editor knows whether a quote
  only needs a new version/article number or has to be rewritten.
* :func:`amended_quote_warnings` gives the content checker one warning per
  quotation of an older version whose article reads differently in the
  newest version of the corpus.
* :func:`format_report` renders all of this in Chinese; :func:`main` is the
  command ``python -m quizapp.content impact 矿产资源法 [--version D] [--new D]``.

Versions: a quotation and a question basis always name their version. An
in-text citation names one only when written ``《X》（2009-08-27）第N条``; when
it is the text of a link to a generated statute page, the link's page tells
the version ("据链接"). Otherwise it is "未注明版本": it means whatever version
the page means, and it is listed whatever version is asked for.
"""
from __future__ import annotations

import argparse
import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import ROOT
from .pages import Page, find_citations
from .problems import Problem
from .questions import LineDict, Question, _Loader
from .site import Site
from .statutes import (Corpus, Statute, article_label, cn_to_int, int_to_cn, is_quote_of,
                       plain_name, squash)

# What a place is (Place.kind)
QUOTE = "引文"            # a quotation block on a page
CITATION = "条文引用"     # an in-text citation or a link to an article of the statute page
PITFALL = "易错点依据"    # a quotation or citation in the 依据 of a 易错点
BASIS = "题目依据"        # a question's basis entry
MENTION = "提及"          # the statute named without an article (or a link to its page)

# Where the version of a place comes from (Place.version_from)
EXPLICIT = "明示"
BY_LINK = "据链接"
UNVERSIONED = "未注明版本"

NO_ARTICLE = ""           # article key of places that name no article


@dataclass(frozen=True)
class Place:
    """One place in the handbook or the bank that cites the statute."""
    file: str                  # relative to the project root (absolute for content outside it)
    line: int                  # 1-based
    kind: str                  # QUOTE, CITATION, PITFALL, BASIS or MENTION
    article: str               # article key ('64', '33之一'); '' when none is named
    version: str | None        # the version meant; None when the place does not say
    version_from: str          # EXPLICIT, BY_LINK or UNVERSIONED
    text: str                  # the quoted words, the citation, or the line
    page: str = ""             # handbook path of the page ('' for the bank)
    title: str = ""            # the page's title
    section: str = ""          # nearest heading above
    anchor: str = ""           # that heading's anchor
    pitfall: str = ""          # title of the 易错点 the place stands in
    question: str = ""         # question id, for places in the bank
    quote_line: int = 0        # line of the quoted words (quotation blocks, bases)
    is_quotation: bool = False  # a verbatim excerpt (quote block or basis), not just a reference

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def version_label(self) -> str:
        if self.version is None:
            return UNVERSIONED
        return self.version + ("（据链接）" if self.version_from == BY_LINK else "")

    @property
    def where(self) -> str:
        """The section (or question) in words, for the report."""
        if self.question:
            return f"题目 {self.question}"
        parts = [self.title] if self.title else []
        if self.section and self.section != self.title:
            parts.append(f"{self.section}（#{self.anchor}）" if self.anchor else self.section)
        if self.pitfall:
            parts.append(f"易错点：{self.pitfall}")
        return " › ".join(parts) or (self.page or self.file)


@dataclass
class Impact:
    """Everything that cites ``statute`` (``version`` only, when given)."""
    statute: str                           # short name, e.g. 矿产资源法
    version: str | None
    places: list[Place]
    versions: list[str] = field(default_factory=list)          # versions in the corpus, newest first
    texts: dict[str, dict[str, str | None]] = field(default_factory=dict)  # article -> version -> text

    @property
    def by_article(self) -> dict[str, list[Place]]:
        """Article key -> places, in article order; '' (no article named) last."""
        groups: dict[str, list[Place]] = defaultdict(list)
        for p in self.places:
            groups[p.article].append(p)
        return {k: sorted(groups[k], key=_place_order) for k in sorted(groups, key=article_order)}

    @property
    def pages(self) -> list[str]:
        return sorted({p.file for p in self.places if p.page})

    @property
    def questions(self) -> list[str]:
        return sorted({p.question for p in self.places if p.question})

    def count(self, kind: str) -> int:
        return sum(p.kind == kind for p in self.places)

    @property
    def quotations(self) -> list[Place]:
        return [p for p in self.places if p.is_quotation]


@dataclass(frozen=True)
class StaleQuote:
    """A quotation of the old version, and where its words are in the new one."""
    place: Place
    quote: str
    found_in: tuple[str, ...]       # article keys of the new version holding the words verbatim

    @property
    def same_article(self) -> bool:
        return self.place.article in self.found_in

    @property
    def can_repoint(self) -> bool:
        return bool(self.found_in)

    def advice(self, new_version: str) -> str:
        if self.same_article:
            return f"可改指向：条号不变，把版本改为 {new_version} 即可"
        if self.found_in:
            where = "、".join(article_label(k) for k in self.found_in)
            return f"可改指向：原文见于新版本{where}，改为 {new_version} 版本{where}"
        return "须重写：新版本中已没有这段原文"


def article_order(key: str) -> tuple[int, int]:
    """Sort key of an article key; '' (no article) sorts last."""
    if not key:
        return (10 ** 9, 0)
    number, _, suffix = key.partition("之")
    return (int(number), cn_to_int(suffix) if suffix else 0)


def _place_order(p: Place) -> tuple:
    return (p.question != "", p.file, p.line, p.kind)


def anchor_article(anchor: str) -> str:
    """'art-64' -> '64', 'art-33-1' -> '33之一'; '' for other anchors."""
    m = re.fullmatch(r"art-(\d+)(?:-(\d+))?", anchor or "")
    if not m:
        return NO_ARTICLE
    return m.group(1) + (f"之{int_to_cn(int(m.group(2)))}" if m.group(2) else "")


def article_text(statute: Statute, key: str) -> str | None:
    paragraphs = statute.articles.get(key)
    return None if paragraphs is None else "\n".join(paragraphs)


# ---------------------------------------------------------------------------
# impact


def impact(site: Site, statute: str, version: str | None = None) -> Impact:
    """Every place in the handbook and the bank that cites ``statute``.

    With ``version``, places that name another version of the statute
    (explicitly or through the statute page they link to) are left out; places
    that name no version are kept. Raises LookupError for a statute or version
    not in the corpus."""
    name = plain_name(statute)
    site.corpus.find(name, version)          # LookupError with a reason
    finder = _Finder(site, name)
    places = finder.page_places() + finder.bank_places()
    if version is not None:
        places = [p for p in places if p.version is None or p.version == version]
    places.sort(key=_place_order)
    versions = site.corpus.versions(name)
    texts = {key: {s.version: article_text(s, key) for s in versions}
             for key in {p.article for p in places if p.article}}
    return Impact(name, version, places, [s.version for s in versions], texts)


class _Finder:
    """Finds the places citing one statute."""

    def __init__(self, site: Site, name: str):
        self.site = site
        self.name = name
        statute = site.corpus.find(name)
        self.names = {name, statute.title}
        known = set(site.corpus.names()) | set(site.corpus.outside_rules)
        # Longer names that contain this one (矿产资源法实施细则) are other rules.
        self.longer = sorted((n for n in known if name in n and n != name), key=len, reverse=True)
        self.version_after_name = re.compile(
            rf"{re.escape(name)}》?（(\d{{4}}-\d{{2}}-\d{{2}})）")

    # -- common helpers

    def mentions(self, line: str) -> bool:
        """The line names the statute (not merely a longer name containing it)."""
        start = line.find(self.name)
        while start != -1:
            if not any(line.startswith(longer, start - longer.index(self.name))
                       for longer in self.longer if start - longer.index(self.name) >= 0):
                return True
            start = line.find(self.name, start + 1)
        return False

    def is_ours(self, name: str) -> bool:
        return plain_name(name) == self.name

    def linked_statute(self, source: str, href: str) -> tuple[Statute, str] | None:
        """(statute version, article key) when ``href`` on page ``source`` points
        at a generated page of this statute."""
        target = self.site.resolve(source, href)
        if target is None:
            return None
        statute = self.site.statute_pages.get(target.path)
        if statute is None or statute.short != self.name:
            return None
        return statute, anchor_article(target.anchor)

    # -- the handbook

    def page_places(self) -> list[Place]:
        out: list[Place] = []
        for path, page in self.site.pages.items():
            out += self._page(path, page)
        return out

    def _page(self, path: str, page: Page) -> list[Place]:
        file = f"handbook/{path}"
        places: list[Place] = []

        def add(line: int, kind: str, article: str, version: str | None, source: str, text: str,
                **extra) -> None:
            heading = page.section_at(line)
            pit = page.pitfall_at(line)
            if kind in (QUOTE, CITATION) and pit and _in_pitfall_basis(pit, line):
                kind = PITFALL
            places.append(Place(file, line, kind, article, version, source if version else UNVERSIONED,
                                text, page=path, title=page.title,
                                section=heading.text if heading else "",
                                anchor=heading.anchor if heading else "",
                                pitfall=pit.title if pit else "", **extra))

        quoted: set[tuple[int, str]] = set()     # the title of a quote block is no second citation
        for quote in page.quotes:
            if quote.error or not self.is_ours(quote.statute):
                continue
            quoted.add((quote.line, quote.article))
            add(quote.line, QUOTE, quote.article, quote.version, EXPLICIT, quote.body,
                quote_line=quote.line + 1, is_quotation=True)

        links = []
        for link in page.links:
            found = self.linked_statute(path, link.href)
            if found:
                links.append((link, *found))
        used: set[int] = set()
        for citation in page.citations:
            if not self.is_ours(citation.statute):
                continue
            version, source = citation.version, EXPLICIT
            if not version:
                for i, (link, statute, key) in enumerate(links):
                    if i not in used and link.line == citation.line and _link_is_citation(
                            link.text, key, citation.text, citation.articles):
                        version, source = statute.version, BY_LINK
                        used.add(i)
                        break
            for key in citation.articles:
                if (citation.line, key) not in quoted:
                    add(citation.line, CITATION, key, version, source, citation.text)
        for i, (link, statute, key) in enumerate(links):
            if i in used:
                continue
            add(link.line, CITATION if key else MENTION, key, statute.version, BY_LINK,
                f"[{link.text}]({link.href})")

        taken = {p.line for p in places}
        lines = (self.site.root / path).read_text(encoding="utf-8").splitlines()
        for n, raw in enumerate(lines, 1):
            if n not in taken and self.mentions(raw):
                m = self.version_after_name.search(raw)
                add(n, MENTION, NO_ARTICLE, m.group(1) if m else None, EXPLICIT, raw.strip())
        return places

    # -- the question bank

    def bank_places(self) -> list[Place]:
        by_file: dict[str, list[Question]] = defaultdict(list)
        for q in self.site.questions:
            by_file[q.file].append(q)
        files = set(by_file)
        bank = getattr(self.site, "bank", None)    # only if Site keeps its bank folder
        if isinstance(bank, Path):
            files |= {_display(p) for p in bank.rglob("*.yaml")}
        out: list[Place] = []
        for file in sorted(files):
            out += self._bank_file(file, sorted(by_file.get(file, []), key=lambda q: q.line))
        return out

    def _bank_file(self, file: str, questions: list[Question]) -> list[Place]:
        text = _absolute(file).read_text(encoding="utf-8")
        raw_questions = _raw_questions(text)
        starts = [q.line for q in questions]
        places: list[Place] = []

        def question_at(line: int) -> Question | None:
            i = bisect.bisect_right(starts, line) - 1
            return questions[i] if i >= 0 else None

        for q in questions:
            raw = raw_questions.get(q.id)
            items = [b for b in (raw.get("basis") or []) if isinstance(b, LineDict)] if raw else []
            for b in q.basis:
                if not self.is_ours(b.statute):
                    continue
                item = next((i for i in items if i.line_of("quote") == b.line), None)
                line = item.line_of("statute") if item else b.line
                places.append(Place(file, line, BASIS, b.article, b.version, EXPLICIT, b.quote,
                                    question=q.id, quote_line=b.line, is_quotation=True))
            path, _, anchor = q.anchor.partition("#")
            statute = self.site.statute_pages.get(path)
            if statute and statute.short == self.name:
                key = anchor_article(anchor)
                places.append(Place(file, raw.line_of("anchor") if raw else q.line,
                                    CITATION if key else MENTION, key, statute.version, BY_LINK,
                                    f"anchor: {q.anchor}", question=q.id))

        taken = {p.line for p in places}
        for n, raw_line in enumerate(text.splitlines(), 1):
            q = question_at(n)
            qid = q.id if q else ""
            citations = [c for c in find_citations(raw_line, n, self.site.bare_citation)
                         if self.is_ours(c.statute)]
            for c in citations:
                for key in c.articles:
                    places.append(Place(file, n, CITATION, key, c.version,
                                        EXPLICIT if c.version else UNVERSIONED, c.text, question=qid))
            if not citations and n not in taken and self.mentions(raw_line):
                m = self.version_after_name.search(raw_line)
                places.append(Place(file, n, MENTION, NO_ARTICLE, m.group(1) if m else None,
                                    EXPLICIT if m else UNVERSIONED, raw_line.strip(), question=qid))
        return places


def _in_pitfall_basis(pit, line: int) -> bool:
    """The line is in the 依据 field of the 易错点 (from that field to its end)."""
    basis = pit.fields.get("依据")
    return bool(basis) and basis[0] <= line <= pit.end


def _link_is_citation(label: str, key: str, text: str, articles: list[str]) -> bool:
    """The link is (part of) the citation: its label holds the citation's words,
    or it is a piece of the citation that points at one of its articles."""
    label, text = squash(label), squash(text)
    if not label or not text:
        return False
    return text in label or (label in text and key in articles)


def _raw_questions(text: str) -> dict[str, LineDict]:
    """Question id -> its YAML mapping with line numbers ({} when unreadable)."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    items = data.get("questions") if isinstance(data, dict) else None
    return {str(q.get("id")): q for q in items or [] if isinstance(q, LineDict)}


def _display(path: Path) -> str:
    """A bank file as :mod:`questions` names it."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _absolute(file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else ROOT / path


# ---------------------------------------------------------------------------
# comparing versions


def compared_versions(corpus: Corpus, statute: str, old_version: str = "",
                      new_version: str = "") -> tuple[str, str]:
    """The versions to compare (old, new; '' where not given), each checked against the corpus, so that
    an analysis never runs against a version the library does not hold (and reports nothing to do).
    A new version without the old one compares with the newest version before it, as the command does.
    Raises LookupError naming the versions the corpus has."""
    name = plain_name(statute)
    versions = [s.version for s in corpus.versions(name)]
    if not versions:
        raise LookupError(f"《{name}》不在项目法规库中")
    have = "、".join(versions)
    for version, role in ((old_version, "被替换的版本"), (new_version, "新版本")):
        if version and version not in versions:
            raise LookupError(f"法规库中没有《{name}》的 {version} 版本（{role}），无法分析。"
                              f"法规库中的版本：{have}。尚未收入的新版本，须先将其文本加入法规库。")
    if new_version and not old_version:
        older = [v for v in versions if v < new_version]
        if not older:
            raise LookupError(f"《{name}》在法规库中没有早于 {new_version} 的版本可供对比（法规库中的版本：{have}）")
        old_version = older[0]
    if new_version and new_version == old_version:
        raise LookupError(f"被替换的版本与新版本都是 {new_version}：请选择《{name}》的两个不同版本（法规库中的版本：{have}）")
    return old_version, new_version


def changed_articles(corpus: Corpus, statute: str, old_version: str,
                     new_version: str) -> dict[str, tuple[str | None, str | None]]:
    """Article key -> (old text, new text) for every article whose text differs
    (whitespace ignored), is new (old None) or is gone (new None), compared by
    article number, in article order."""
    old = corpus.find(statute, old_version)
    new = corpus.find(statute, new_version)
    out: dict[str, tuple[str | None, str | None]] = {}
    for key in sorted(set(old.articles) | set(new.articles), key=article_order):
        before, after = article_text(old, key), article_text(new, key)
        if before is None or after is None or squash(before) != squash(after):
            out[key] = (before, after)
    return out


def where_quoted(statute: Statute, quote: str) -> tuple[str, ...]:
    """Article keys of ``statute`` of which ``quote`` is a verbatim excerpt."""
    return tuple(k for k in sorted(statute.articles, key=article_order)
                 if is_quote_of(quote, statute.articles[k]))


def stale_quotes(site: Site, statute: str, old_version: str, new_version: str) -> list[StaleQuote]:
    """For each quotation (quote block or question basis) of ``old_version``:
    the articles of ``new_version`` that still hold the quoted words verbatim."""
    new = site.corpus.find(statute, new_version)
    site.corpus.find(statute, old_version)
    found = impact(site, statute, old_version)
    return [StaleQuote(p, p.text, where_quoted(new, p.text))
            for p in found.quotations if p.version == old_version]


# ---------------------------------------------------------------------------
# the checker's warnings


def amended_quote_warnings(site: Site) -> list[Problem]:
    """A warning for every quotation or question basis of an older version of a
    statute whose article reads differently (or is gone) in the newest version
    in the corpus. Severity ``warning``: it does not fail the check."""
    problems: list[Problem] = []
    multi = {name: site.corpus.versions(name) for name in site.corpus.names()
             if len(site.corpus.versions(name)) > 1}
    if not multi:
        return problems

    def warn(file: str, line: int, field_name: str, name: str, version: str, key: str,
             quote: str, prefix: str = "") -> None:
        versions = multi.get(plain_name(name))
        if not versions or version == versions[0].version:
            return
        newest = versions[0]
        old = next((s for s in versions if s.version == version), None)
        if old is None or key not in old.articles:
            return      # the checker reports a missing version or article as an error
        now = article_text(newest, key)
        if now is not None and squash(now) == squash(article_text(old, key)):
            return
        label = article_label(key)
        change = (f"新版本（{newest.version}）已没有{label}" if now is None
                  else f"新版本（{newest.version}）{label}的内容已改变")
        hits = where_quoted(newest, quote)
        if key in hits:
            advice = f"所引原文在新版本{label}中仍然存在，可改引 {newest.version} 版本"
        elif hits:
            where = "、".join(article_label(k) for k in hits)
            advice = f"所引原文在新版本中见于{where}，可改引 {newest.version} 版本{where}"
        else:
            advice = "所引原文在新版本中已不存在，需要按新版本重写"
        problems.append(Problem(file, line, field_name,
                                f"{prefix}引用的是《{old.short}》（{old.version}）{label}，{change}；{advice}",
                                "warning"))

    for path, page in site.pages.items():
        for quote in page.quotes:
            if not quote.error:
                warn(f"handbook/{path}", quote.line, "quote", quote.statute, quote.version,
                     quote.article, quote.body)
    for q in site.questions:
        for b in q.basis:
            warn(q.file, b.line, "basis", b.statute, b.version, b.article, b.quote, f"题目 {q.id}：")
    return sorted(problems)


# ---------------------------------------------------------------------------
# the report


def _short(text: str | None, width: int = 60) -> str:
    if text is None:
        return "（无此条）"
    flat = re.sub(r"\s+", " ", text.replace("\n", " / ")).strip()
    return flat if len(flat) <= width else flat[:width] + "……"


def summary(impact: Impact) -> str:
    return (f"受影响：页面 {len(impact.pages)} 个，引文 {impact.count(QUOTE)} 处，"
            f"条文引用 {impact.count(CITATION)} 处，易错点依据 {impact.count(PITFALL)} 处，"
            f"题目 {len(impact.questions)} 道（题目依据 {impact.count(BASIS)} 处），"
            f"未指明条文的提及 {impact.count(MENTION)} 处")


def format_report(impact: Impact, changes: dict[str, tuple[str | None, str | None]] | None = None,
                  *, new_version: str | None = None, stale: list[StaleQuote] | None = None,
                  full: bool = False) -> str:
    """The impact in Chinese, by article. With ``changes`` (from
    :func:`changed_articles`) each article says whether it changed and the
    changed articles are listed; with ``stale`` (from :func:`stale_quotes`)
    each quotation of the old version gets its advice. Changed articles are
    shown with their text when cited, else by number only (all with ``full``)."""
    which = f"（{impact.version}）" if impact.version else "（全部版本）"
    out = [f"法律修订影响分析：《{impact.statute}》{which}",
           f"法规库中的版本：{'、'.join(impact.versions)}",
           summary(impact)]
    if impact.version:
        out.append(f"说明：只列出引用 {impact.version} 版本和未注明版本的位置；"
                   "明示或经链接指向其他版本的不列出。")
    if not impact.places:
        out.append("手册和题库中没有引用这部法规的位置。")
    for key, places in impact.by_article.items():
        out.append("")
        if key:
            head = f"■ {article_label(key)}"
            if changes is not None:
                head += "（新版本中" + _change_word(changes, key) + "）"
            out.append(head)
            texts = impact.texts.get(key, {})
            shown = [impact.version] if impact.version else [v for v in impact.versions
                                                              if any(p.version in (v, None) for p in places)]
            for v in shown:
                out.append(f"  条文（{v}）：{_short(texts.get(v), 80)}")
        else:
            out.append("■ 未指明条文（只提到法规名称或链接到法规页面）")
        for p in places:
            out.append(f"  - {p.location}  {p.kind}  版本：{p.version_label}  所在：{p.where}")
            out.append(f"      {_short(p.text, 70)}")
    if changes is not None:
        out.append("")
        out += _format_changes(impact, changes, new_version, full)
    if stale is not None:
        out.append("")
        out.append(f"旧版本引文处理建议（{len(stale)} 处）：")
        if not stale:
            out.append("  手册和题库中没有引用旧版本原文的引文或题目依据。")
        for s in stale:
            out.append(f"  - {s.place.location}  {s.place.kind} {article_label(s.place.article)}：“{_short(s.quote, 40)}”")
            out.append(f"      {s.advice(new_version or '新')}")
    return "\n".join(out)


def labels_in_ranges(keys: list[str]) -> str:
    """['1', '2', '3', '5', '5之一'] -> '第一条至第三条、第五条、第五条之一'."""
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) > 2:
            parts.append(f"{article_label(run[0])}至{article_label(run[-1])}")
        else:
            parts.extend(article_label(k) for k in run)
        run.clear()

    for key in sorted(keys, key=article_order):
        if run and ("之" in key or "之" in run[-1] or int(key) != int(run[-1]) + 1):
            flush()
        run.append(key)
    flush()
    return "、".join(parts)


def _change_word(changes: dict, key: str) -> str:
    if key not in changes:
        return "未变"
    old, new = changes[key]
    return "无此条" if new is None else ("新增" if old is None else "已修改")


def _format_changes(impact: Impact, changes: dict, new_version: str | None, full: bool) -> list[str]:
    """The changed articles: with their text when cited (or ``full``), else by number."""
    modified = [k for k, (o, n) in changes.items() if o is not None and n is not None]
    added = [k for k, (o, n) in changes.items() if o is None]
    removed = [k for k, (o, n) in changes.items() if n is None]
    out = [f"条文变化（{impact.version or '旧版本'} → {new_version or '新版本'}，按条号对比）："
           f"修改 {len(modified)} 条，新增 {len(added)} 条，删除 {len(removed)} 条",
           "  注意：全面修订后条号可能整体移位，同一条号未必是同一规定；引文能否改指向见下文建议。"]
    cited = {p.article for p in impact.places if p.article}
    for key, (old, new) in changes.items():
        if not full and key not in cited:
            continue
        label = article_label(key)
        if old is None:
            out.append(f"  {label}  新增：{_short(new)}")
        elif new is None:
            out.append(f"  {label}  删除：{_short(old)}")
        else:
            out.append(f"  {label}  修改：旧 {_short(old, 40)}")
            out.append(f"  {' ' * len(label)}        新 {_short(new, 40)}")
    if not full:
        for word, keys in (("修改", modified), ("新增", added), ("删除", removed)):
            rest = [k for k in keys if k not in cited]
            if rest:
                out.append(f"  其余{word}的条文（未被引用）：{labels_in_ranges(rest)}")
    return out


# ---------------------------------------------------------------------------
# the command


def _newer_report(site: Site) -> int:
    """impact --newer: for each statute of newer-versions.yaml, the places that quote or cite it."""
    from .currency import page_statutes
    for entry in site.corpus.newer.values():
        print(f"== 《{entry.statute}》：{entry.adopted} 修订，{entry.in_force}（{entry.note}）")
        if site.corpus.versions(entry.statute):
            print(format_report(impact(site, entry.statute, entry.corpus_version or None)))
        else:
            pages = [path for path, page in site.pages.items()
                     if any(e.statute == entry.statute for e in page_statutes(page, site.corpus.newer))]
            print("法规库中没有该法文本；提及它的页面：" + ("、".join(pages) if pages else "无"))
        print()
    return 0


def main(argv: list[str] | None = None) -> int:
    """python -m quizapp.content impact 矿产资源法 [--version 2009-08-27] [--new 2024-11-08] | impact --newer"""
    parser = argparse.ArgumentParser(
        prog="python -m quizapp.content impact",
        description="法律修订影响分析：列出手册和题库中引用某部法规（某个版本）的全部位置")
    parser.add_argument("statute", nargs="?", help="法规简称，如 矿产资源法")
    parser.add_argument("--newer", action="store_true",
                        help="列出 newer-versions.yaml 中每部已修订、法规库尚无新版本的法规被引用的全部位置")
    parser.add_argument("--version", help="被替换的版本日期，如 2009-08-27；不写则列出全部版本的引用")
    parser.add_argument("--new", help="新版本日期，如 2024-11-08；给出时同时列出条文变化和旧引文的处理建议")
    parser.add_argument("--all", action="store_true", help="与 --new 同用：列出全部变化条文的内容（默认只列被引用的条文）")
    args = parser.parse_args(argv[1:] if argv and argv[0] == "impact" else argv)
    site = Site()
    if args.newer:
        return _newer_report(site)
    if not args.statute:
        parser.error("请给出法规简称，或用 --newer")
    name = plain_name(args.statute)
    old = args.version
    try:
        if args.new:
            site.corpus.find(name, args.new)
            if old is None:
                older = [s.version for s in site.corpus.versions(name) if s.version < args.new]
                if not older:
                    raise LookupError(f"《{name}》没有早于 {args.new} 的版本可供对比")
                old = older[0]
        found = impact(site, name, old)
    except LookupError as e:
        print(f"错误：{e}")
        return 2
    if args.new:
        changes = changed_articles(site.corpus, name, old, args.new)
        stale = stale_quotes(site, name, old, args.new)
        print(format_report(found, changes, new_version=args.new, stale=stale, full=args.all))
    else:
        print(format_report(found))
    return 0
