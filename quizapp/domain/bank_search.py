"""The question bank browser's rules: which questions a search shows, in
which pages, and how one question's item statistics over several exams read
together. Plain functions over plain data (no database, no web).

Data flow: the service (quizapp/bank_browser.py) loads the bank's questions,
the route parses the query into ``Filters`` (``Filters.parse`` refuses what a
form could not have sent with a DomainError), ``select`` keeps the matching
questions in id order and ``paginate`` cuts one page. For one question the
service computes, per exam that used it, Moodle's item statistics with
quizapp/domain/statistics.py (``item_stats``); ``pooled`` sums them up.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Protocol

from .errors import DomainError
from .exams import TYPE_NAMES
from .procedure import ALL_STEPS, VOLUME_BY_CODE
from .statistics import ItemStats

PER_PAGE = 20
MAX_QUERY = 100                       # characters of search text
POOL_NAMES = {"practice": "练习题", "exam": "考试专用题"}
STATUS_NAMES = {"active": "使用中", "suspended": "已暂停使用"}


class Searchable(Protocol):
    id: str
    type: str
    difficulty: int
    volume: str
    step: str
    stem: str
    options: dict
    explanation: str
    basis: list
    parts: list
    pool: str
    suspended: bool


@dataclass(frozen=True)
class Filters:
    """What the browser's form asks for; empty means any."""
    q: str = ""
    volume: str = ""
    step: str = ""
    type: str = ""
    difficulty: int | None = None
    statute: str = ""
    pool: str = ""
    status: str = ""
    item: str = ""                   # a 赋权事项 id: the questions tagged with it

    @classmethod
    def parse(cls, *, q: str = "", volume: str = "", step: str = "", type: str = "", difficulty: str = "",
              statute: str = "", pool: str = "", status: str = "", item: str = "",
              known_items: Iterable[str] = ()) -> "Filters":
        q = " ".join(q.split())
        if len(q) > MAX_QUERY:
            raise DomainError(f"搜索内容不能超过 {MAX_QUERY} 个字")
        if volume and volume not in VOLUME_BY_CODE:
            raise DomainError("分卷无效")
        if step and step not in ALL_STEPS:
            raise DomainError("办案环节无效")
        if type and type not in TYPE_NAMES:
            raise DomainError("题型无效")
        level = None
        if difficulty.strip():
            if difficulty.strip() not in ("1", "2", "3"):
                raise DomainError("难度应为基础、进阶或综合")
            level = int(difficulty)
        if pool and pool not in POOL_NAMES:
            raise DomainError("题目用途无效")
        if status and status not in STATUS_NAMES:
            raise DomainError("题目状态无效")
        if len(statute) > MAX_QUERY:
            raise DomainError("法律名称过长")
        if item and item not in set(known_items):
            raise DomainError("赋权事项无效")
        return cls(q, volume, step, type, level, statute.strip(), pool, status, item)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for the pages' links), empty ones left out."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in ("", None):
                out[f.name] = str(value)
        return out


def text_of(q: Searchable) -> str:
    """Everything the search text looks in: stem, options, explanation, and a case's parts."""
    pieces = [q.stem, *q.options.values(), q.explanation]
    for part in q.parts or []:
        pieces += [part.get("stem", ""), *part.get("options", {}).values(), part.get("explanation", "")]
    return "\n".join(str(p) for p in pieces)


def statutes_of(q: Searchable) -> set[str]:
    return {b["statute"] for b in q.basis or []}


def matches(q: Searchable, f: Filters) -> bool:
    """Every given filter holds; the search text's words must all occur (case-insensitive)."""
    if f.volume and q.volume != f.volume or f.step and q.step != f.step or f.type and q.type != f.type:
        return False
    if f.difficulty is not None and q.difficulty != f.difficulty:
        return False
    if f.pool and q.pool != f.pool or f.statute and f.statute not in statutes_of(q):
        return False
    if f.status and (f.status == "suspended") != bool(q.suspended):
        return False
    if f.item and f.item not in (getattr(q, "items", None) or []):
        return False
    if f.q:
        text = text_of(q).casefold()
        return all(word.casefold() in text for word in f.q.split())
    return True


def select(questions: Iterable[Searchable], f: Filters) -> list:
    return sorted((q for q in questions if matches(q, f)), key=lambda q: q.id)


@dataclass
class Page:
    items: list
    number: int                      # 1-based
    pages: int
    total: int

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item (0 when empty)."""
        return (self.number - 1) * PER_PAGE + 1 if self.items else 0


def paginate(items: Sequence, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of items; a number past the end gives the last page, below 1 the first."""
    pages = max(1, math.ceil(len(items) / per_page))
    number = min(max(1, number), pages)
    return Page(list(items[(number - 1) * per_page: number * per_page]), number, pages, len(items))


@dataclass
class Pooled:
    """One question over several exams: attempts that contained it, and the
    facility over all of them (each exam's facility weighted by its attempts)."""
    n: int
    facility: float | None


def pooled(items: Iterable[ItemStats]) -> Pooled:
    counted = [i for i in items if i.n and i.facility is not None]
    n = sum(i.n for i in counted)
    if not n:
        return Pooled(0, None)
    return Pooled(n, math.fsum(i.facility * i.n for i in counted) / n)
