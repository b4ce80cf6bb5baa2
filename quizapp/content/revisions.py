"""The 修订记录: ``handbook/revisions.yaml``, maintained by the editors.

One entry per change that readers should know about::

    revisions:
      - date: 2026-11-24              # YYYY-MM-DD
        volume: v1-common             # a volume code, or all (the whole handbook)
        summary: 第一卷工作指南……       # what changed, in Chinese
        pages:                        # optional: the handbook pages concerned
          - volumes/v1-common/guide/general-procedure.md

:func:`load_revisions` reads and validates the file with line numbers
(problems name ``handbook/revisions.yaml``, the line and the key); whether
the pages exist is checked by :mod:`check` against the whole site. The build
turns the entries into the generated page ``revisions.md`` (see
:func:`generate.revisions_page`), newest first, grouped by date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..domain.procedure import VOLUME_BY_CODE
from .problems import Problem
from .questions import LineDict, _Loader, read_yaml

FILE = "handbook/revisions.yaml"       # as problems name it
ALL = "all"                            # volume of an entry about the whole handbook
KEYS = ("date", "volume", "summary", "pages")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LineList(list):
    """A YAML list that remembers the line of each item."""
    item_lines: list[int]


class _RevisionLoader(_Loader):
    pass


def _sequence(loader: _RevisionLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(item, deep=True) for item in node.value)
    out.item_lines = [item.start_mark.line + 1 for item in node.value]
    return out


_RevisionLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


@dataclass
class Revision:
    date: str                          # YYYY-MM-DD
    volume: str                        # a volume code or ALL
    summary: str
    pages: list[tuple[int, str]] = field(default_factory=list)   # (line, handbook path)
    line: int = 0
    ok: bool = True                    # False: the entry has a problem and is not published

    @property
    def volume_title(self) -> str:
        return "全套教程" if self.volume == ALL else VOLUME_BY_CODE[self.volume].title


def load_revisions(path: Path) -> tuple[list[Revision], list[Problem]]:
    """Every entry, in file order (``ok`` False for those with a problem,
    whose pages are still listed so that they can be checked), and the
    problems. A missing file is no entries and no problem."""
    if not path.is_file():
        return [], []
    data, problems = read_yaml(path, FILE, _RevisionLoader)
    if problems:
        return [], problems
    if not isinstance(data, LineDict) or not isinstance(data.get("revisions"), list):
        return [], [Problem(FILE, 1, "revisions", "文件应包含 revisions: 列表，每条记录写 date、volume、summary，可选 pages")]
    revisions: list[Revision] = []
    problems: list[Problem] = []
    for raw in data["revisions"]:
        entry = _entry(raw, problems, data.line_of("revisions"))
        if entry:
            revisions.append(entry)
    return revisions, problems


def _entry(raw, problems: list[Problem], list_line: int) -> Revision | None:
    if not isinstance(raw, LineDict):
        problems.append(Problem(FILE, list_line, "revisions", "每条修订记录应是一个键值映射（date、volume、summary、pages）"))
        return None
    before = len(problems)

    def bad(key: str, message: str, line: int | None = None) -> None:
        problems.append(Problem(FILE, line or raw.line_of(key), key, message))

    for key in ("date", "volume", "summary"):
        if raw.get(key) in (None, ""):
            bad(key, f"缺少必填字段 {key}")
    for key in raw:
        if key not in KEYS:
            bad(key, f"未知字段 {key}（可用：{'、'.join(KEYS)}）")
    date = raw.get("date")                 # text: the loader keeps dates as written
    if date not in (None, ""):
        date = str(date)
        if not DATE.match(date):
            bad("date", f"日期 {date!r} 应写成 YYYY-MM-DD，如 2026-11-24")
        else:
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                bad("date", f"日期 {date} 不存在")
    volume = raw.get("volume")
    if volume not in (None, "") and str(volume) not in VOLUME_BY_CODE and volume != ALL:
        bad("volume", f"未知分卷 {volume!r}；可选：{'、'.join(VOLUME_BY_CODE)}，全套教程写 {ALL}")
    summary = raw.get("summary")
    if summary not in (None, "") and not isinstance(summary, str):
        bad("summary", "summary 应为一段文字")
    pages: list[tuple[int, str]] = []
    items = raw.get("pages")
    if items is not None:
        if not isinstance(items, list):
            bad("pages", "pages 应为页面路径的列表，每行一个，如 - volumes/v1-common/guide/index.md")
        else:
            for n, item in enumerate(items):
                line = items.item_lines[n] if isinstance(items, LineList) else raw.line_of("pages")
                if not isinstance(item, str) or not item.strip():
                    bad("pages", f"第 {n + 1} 个页面应为 handbook/ 下的页面路径", line)
                elif not item.partition("#")[0].endswith(".md"):
                    bad("pages", f"页面 {item} 应为 handbook/ 下的 .md 页面路径，如 volumes/v1-common/guide/index.md", line)
                else:
                    pages.append((line, item.strip()))
    return Revision(date=str(date or ""), volume=str(volume or ""),
                    summary=unfold(summary) if isinstance(summary, str) else "",
                    pages=pages, line=raw.line, ok=len(problems) == before)


def unfold(text: str) -> str:
    """A summary written over several lines (``>-``): YAML joins the lines
    with a space, which Chinese does not want between two Chinese characters
    or punctuation marks."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text.strip())
