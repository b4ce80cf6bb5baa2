"""What a supervisor (执法监督) reads: rotation-training coverage per unit and
accuracy per volume and step across all cohorts. Plain functions.

Coverage (全员轮训) counts against each unit's full officer roster, not
against the trainees who happen to have accounts:

* a unit (镇街) has a name and aliases, alternative spellings of it
  (东山镇 / 东山镇人民政府 / 东山); ``unit_key`` makes two spellings that
  differ only in spaces or full-width characters one; ``UnitIndex`` maps any
  free-text unit name (a trainee's, a roster row's) to one unit or to none;
* an officer is *trained* in a year when an account matched to them (same
  login name, i.e. phone or staff number, or same 执法证号) is enrolled in a
  cohort whose dates fall in that year, and has *passed* when that account
  passed a certifying exam (结业考试) submitted in that year;
* coverage = officers trained and passed ÷ all officers of the unit; the
  officers never trained are listed by name.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

TRAINED_RULE = "已参训：本人账号（按登录名即手机号或工号、或按执法证号与名册对应）加入了培训日期在本年度内的培训班。"
PASSED_RULE = "已合格：本人账号在本年度内参加结业考试且成绩合格（训前诊断和练习不计）。"
COVERAGE_RULE = "覆盖率 = 本年度已参训且已合格的人数 ÷ 本单位名册中的全部执法人员人数。"


def unit_key(name: str) -> str:
    """A unit name as compared: full-width folded to half-width, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).lower()


class UnitIndex:
    """Unit names and aliases -> the unit's id. A name given to two units maps to the first."""

    def __init__(self, units: Iterable[tuple[int, str, Iterable[str]]]):
        self._by_key: dict[str, int] = {}
        for unit_id, name, aliases in units:
            for spelling in (name, *aliases):
                key = unit_key(spelling)
                if key:
                    self._by_key.setdefault(key, unit_id)

    def find(self, name: str) -> int | None:
        return self._by_key.get(unit_key(name))

    def guess(self, name: str) -> int | None:
        """For a name that ``find`` does not know: the unit with the longest
        spelling contained in it or containing it (东山街道 -> 东山), else None."""
        key = unit_key(name)
        near = [k for k in self._by_key if k and (k in key or key in k)]
        return self._by_key[max(near, key=len)] if near and key else None


def clean_aliases(text: str, name: str) -> list[str]:
    """Aliases typed one a line (or separated by 、 , ；): stripped, without
    duplicates (as unit_key compares them) and without the unit's own name."""
    seen = {unit_key(name)}
    out = []
    for alias in re.split(r"[\n\r,，、;；]+", text or ""):
        alias = alias.strip()
        if alias and unit_key(alias) not in seen:
            seen.add(unit_key(alias))
            out.append(alias)
    return out


@dataclass(frozen=True)
class RosterOfficer:
    """An officer on a unit's roster, with what their matched account did this year."""
    unit_id: int
    name: str
    trained: bool
    passed: bool


@dataclass
class UnitCoverage:
    unit_id: int
    unit: str
    officers: int = 0
    trained: int = 0
    passed: int = 0                  # trained and passed: the covered officers
    never_trained: list[str] = field(default_factory=list)

    @property
    def untrained(self) -> int:
        return self.officers - self.trained

    @property
    def percent(self) -> float:
        """Coverage: trained and passed over all officers of the unit."""
        return round(100 * self.passed / self.officers, 1) if self.officers else 0.0

    @property
    def trained_percent(self) -> float:
        return round(100 * self.trained / self.officers, 1) if self.officers else 0.0


def coverage(units: Iterable[tuple[int, str]], officers: Iterable[RosterOfficer]) -> list[UnitCoverage]:
    """Per unit (every unit, even one without officers yet), least covered first, then by name."""
    out = {unit_id: UnitCoverage(unit_id, name) for unit_id, name in units}
    for o in officers:
        c = out.get(o.unit_id)
        if c is None:
            continue
        c.officers += 1
        c.trained += o.trained
        c.passed += o.trained and o.passed
        if not o.trained:
            c.never_trained.append(o.name)
    for c in out.values():
        c.never_trained.sort()
    return sorted(out.values(), key=lambda c: (c.officers == 0, c.percent, c.unit))


def total(rows: Iterable[UnitCoverage]) -> UnitCoverage:
    """All units together (合计)."""
    t = UnitCoverage(0, "合计")
    for c in rows:
        t.officers += c.officers
        t.trained += c.trained
        t.passed += c.passed
    return t


@dataclass(frozen=True)
class Unmatched:
    name: str                        # as the accounts spell it
    accounts: int                    # how many active trainee accounts use it
    guess: int | None                # the unit it most likely belongs to (UnitIndex.guess)


def unmatched_units(names: Iterable[str], index: UnitIndex) -> list[Unmatched]:
    """Free-text unit names that map to no unit, with how many accounts use each, most used first."""
    counts: dict[str, int] = {}
    for name in names:
        name = (name or "").strip()
        if name and index.find(name) is None:
            counts[name] = counts.get(name, 0) + 1
    return [Unmatched(name, n, index.guess(name)) for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def accuracy_by(items: Iterable[tuple[Hashable, float, float]]) -> dict:
    """(key, score, points) -> key -> percent of the possible marks scored."""
    sums: dict = {}
    for key, score, points in items:
        acc = sums.setdefault(key, [0.0, 0.0])
        acc[0] += score
        acc[1] += points
    return {k: round(100 * s / p, 1) for k, (s, p) in sums.items() if p}


def accuracy_matrix(items: Iterable[tuple[str, str, float, float]]) -> dict[str, dict[str, float]]:
    """(volume, step, score, points) of every graded exam item -> volume -> step -> percent."""
    out: dict[str, dict[str, float]] = {}
    for (volume, step), percent in accuracy_by(((v, s), score, pts) for v, s, score, pts in items).items():
        out.setdefault(volume, {})[step] = percent
    return out


# --- the weak-area map: what it rests on ---------------------------------------------------------

MIN_ANSWERS = 20                 # answers behind a cell before it is judged weak (shaded, ranked)
WEAK_RULE = (f"每格的得分率 = 该分卷、该环节全部考试作答的得分 ÷ 满分，括号内为作答人次（每人每题计 1 次）。"
             f"作答不足 {MIN_ANSWERS} 人次的格子只列出数字，不着色、不参与薄弱排名：人次太少，得分率说明不了问题。")


@dataclass(frozen=True)
class AreaCell:
    """One volume × step of the weak-area map: the percent of the marks scored and how many answers."""
    percent: float
    answers: int

    @property
    def judged(self) -> bool:
        """Enough answers (MIN_ANSWERS) to shade the cell and rank it among the weakest."""
        return self.answers >= MIN_ANSWERS

    @property
    def shortfall(self) -> float:
        """The marks missed, in percent: the weakness a bar draws (the lower the score, the longer)."""
        return round(100 - self.percent, 1)

    @property
    def heat(self) -> int:
        """0 (unjudged or all right) to 10 (nothing scored): the shade of a judged cell."""
        return round(self.shortfall / 10) if self.judged else 0


def area_matrix(items: Iterable[tuple[str, str, float, float]]) -> dict[str, dict[str, AreaCell]]:
    """(volume, step, score, points) of every graded exam item -> volume -> step -> AreaCell."""
    counts: dict[tuple[str, str], int] = {}
    listed = list(items)
    for volume, step, _, _ in listed:
        counts[volume, step] = counts.get((volume, step), 0) + 1
    out: dict[str, dict[str, AreaCell]] = {}
    for volume, steps in accuracy_matrix(listed).items():
        for step, percent in steps.items():
            out.setdefault(volume, {})[step] = AreaCell(percent, counts[volume, step])
    return out


def weakest_areas(matrix: dict[str, dict[str, AreaCell]], limit: int = 10) -> list[tuple[str, str, AreaCell]]:
    """The judged cells (MIN_ANSWERS answers or more) with the lowest scores, lowest first."""
    cells = [(v, s, c) for v, steps in matrix.items() for s, c in steps.items() if c.judged]
    return sorted(cells, key=lambda x: (x[2].percent, -x[2].answers, x[0], x[1]))[:limit]
