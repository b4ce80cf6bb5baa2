"""Statute currency (时效提示): statutes whose newer version is in force but
not in the corpus, listed in ``handbook/statutes/newer-versions.yaml``.

Data flow: :func:`load_newer` reads the list; :func:`outdated` says whether a
statute version (or an unversioned citation, read as the newest version in
the corpus, or a rule cited by name only) is older than what is in force;
:func:`page_statutes` finds the listed statutes a page quotes, cites or names;
:func:`notice` is the Markdown a statute page and such a page show at the
top; :func:`currency_warnings` gives the checker one warning (修订提醒) for
each quotation, citation or question basis of an outdated version; the
amendment-impact command reads :func:`load_newer` for ``impact --newer``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from . import STATUTES
from .problems import Problem
from .statutes import plain_name

FILE = "newer-versions.yaml"


@dataclass(frozen=True)
class NewerVersion:
    statute: str              # short name
    corpus_version: str       # the newest version in the corpus ('' when the corpus has none: cited by name)
    adopted: str
    effective: str            # '' when the date of entry into force is not known to the editors
    note: str

    @property
    def in_force(self) -> str:
        return f"自 {self.effective} 起施行" if self.effective else "施行日期以公布的文本为准"


def load_newer(folder: Path = STATUTES) -> dict[str, NewerVersion]:
    path = folder / FILE
    if not path.is_file():
        return {}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {plain_name(e["statute"]): NewerVersion(plain_name(e["statute"]), str(e.get("corpus_version", "")),
                                                   str(e["newer"]["adopted"]), str(e["newer"].get("effective") or ""),
                                                   str(e.get("note", "")).strip())
            for e in entries}


def outdated(newer: dict[str, NewerVersion], name: str, version: str | None) -> NewerVersion | None:
    """The entry when ``name`` (at ``version``; None: the corpus' newest) is not the text in force."""
    entry = newer.get(plain_name(name))
    if entry is None:
        return None
    if version and entry.corpus_version and str(version) > entry.corpus_version:
        return None           # a version newer than the listed one: the list is stale for it
    return entry


def notice(entry: NewerVersion, version: str | None = None) -> str:
    """The 时效提示 admonition (Markdown)."""
    shown = version or entry.corpus_version
    which = f"本教程法规库收录的是 {shown} 版本" if shown else "本教程法规库未收录该法文本，仅引用其名称"
    return (f'!!! warning "时效提示：《{entry.statute}》已修订"\n'
            f"    {which}。该法已于 {entry.adopted} 修订通过，{entry.in_force}"
            f"（{entry.note}）。办理案件时应以现行有效文本为准，核对所引条文的序号、内容和罚则；"
            f"依照《行政处罚法》第三十七条，实施行政处罚适用违法行为发生时的规定，新规定处罚较轻或者不认为是违法的，适用新的规定。")


def page_statutes(page, newer: dict[str, NewerVersion]) -> list[NewerVersion]:
    """The listed statutes an (unchanged) page quotes, cites or names, in order of first mention."""
    found: dict[str, NewerVersion] = {}
    for quote in page.quotes:
        entry = outdated(newer, quote.statute, quote.version) if quote.statute else None
        if entry:
            found.setdefault(entry.statute, entry)
    for citation in page.citations:
        entry = outdated(newer, citation.statute, citation.version)
        if entry:
            found.setdefault(entry.statute, entry)
    return list(found.values())


def currency_warnings(site) -> list[Problem]:
    """One 修订提醒 per quotation, citation and question basis of a listed statute's outdated text."""
    newer = site.corpus.newer
    problems: list[Problem] = []
    if not newer:
        return problems
    seen: set[tuple[str, int, str]] = set()

    def warn(file: str, line: int, field_name: str, entry: NewerVersion) -> None:
        if (file, line, entry.statute) in seen:            # one warning a line and statute
            return
        seen.add((file, line, entry.statute))
        problems.append(Problem(file, line, field_name,
                                f"《{entry.statute}》已于 {entry.adopted} 修订、{entry.in_force}，"
                                f"法规库中没有新版本：请核对本处所引内容在新法中是否仍然如此（{entry.note}）", "warning"))

    for path, page in site.pages.items():
        for quote in page.quotes:
            entry = outdated(newer, quote.statute, quote.version) if quote.statute else None
            if entry:
                warn(f"handbook/{path}", quote.line, "quote", entry)
        for citation in page.citations:
            entry = outdated(newer, citation.statute, citation.version)
            if entry:
                warn(f"handbook/{path}", citation.line, "citation", entry)
    for q in site.questions:
        for b in q.basis:
            entry = outdated(newer, b.statute, b.version)
            if entry:
                warn(q.file, b.line, "basis", entry)
    return problems
