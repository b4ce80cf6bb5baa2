"""What a supervisor (执法监督) reads: rotation-training coverage per unit and
accuracy per volume and step across all cohorts. Plain functions."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Officer:
    unit: str
    trained_this_year: bool      # enrolled in a cohort of this year
    passed: bool                 # passed an exam this year


@dataclass
class Coverage:
    unit: str
    officers: int = 0
    trained: int = 0
    passed: int = 0

    @property
    def untrained(self) -> int:
        return self.officers - self.trained

    @property
    def trained_percent(self) -> float:
        return round(100 * self.trained / self.officers, 1) if self.officers else 0.0


def coverage(officers: Iterable[Officer]) -> list[Coverage]:
    """Per unit, least covered first (then by name)."""
    by_unit: dict[str, Coverage] = {}
    for o in officers:
        c = by_unit.setdefault(o.unit or "（未填单位）", Coverage(o.unit or "（未填单位）"))
        c.officers += 1
        c.trained += o.trained_this_year
        c.passed += o.passed
    return sorted(by_unit.values(), key=lambda c: (c.trained_percent, c.unit))


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
