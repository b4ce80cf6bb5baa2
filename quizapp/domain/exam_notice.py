"""考试须知: what a trainee is told about a paper before its clock starts.

Plain functions, no database: quizapp/exam_notice.py reads the exam and the
trainee's attempts and calls them; the page exam_notice.html shows the result.

    paper_outline(types, points, fixed)
                                   how many questions and how many points in all
                                   (``types``: one entry per question of the paper,
                                   its type, or '' where a blueprint row leaves the
                                   type open; ``fixed``: the points a row sets for
                                   its questions; a type left open without them
                                   (exams made before rows had points) makes the
                                   total a range)
    pass_points(outline, pct)      the pass mark in points, when the total is fixed,
                                   rounded up to one decimal (what is shown)
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .exams import DEFAULT_POINTS


@dataclass(frozen=True)
class Outline:
    questions: int
    min_points: float            # the total points of the paper; a range when a blueprint row leaves a type open
    max_points: float

    @property
    def fixed(self) -> bool:
        return abs(self.max_points - self.min_points) < 1e-9


def points_of(qtype: str, points: dict[str, float]) -> float:
    """The points a question of ``qtype`` is worth in an exam with these points per type."""
    return float(points.get(qtype, DEFAULT_POINTS[qtype]))


def paper_outline(types: Sequence[str], points: dict[str, float],
                  fixed: Sequence[float | None] = ()) -> Outline:
    """``fixed``: beside ``types``, the points a blueprint row sets for its
    questions (None where the type's points apply)."""
    every = [points_of(t, points) for t in DEFAULT_POINTS]
    fixed = list(fixed) + [None] * (len(types) - len(fixed))
    low = high = 0.0
    for qtype, own in zip(types, fixed):
        if own is not None:
            low += own
            high += own
        elif qtype in DEFAULT_POINTS:
            low += points_of(qtype, points)
            high += points_of(qtype, points)
        else:                     # any type: between the cheapest and the dearest
            low += min(every)
            high += max(every)
    return Outline(len(types), round(low, 2), round(high, 2))


def pass_points(outline: Outline, pass_percent: float) -> float | None:
    """The points needed to pass, or None when the paper's total is not known before it is drawn."""
    if not outline.fixed or outline.max_points <= 0:
        return None
    return math.ceil(outline.max_points * pass_percent * 10 / 100 - 1e-9) / 10     # shown to one decimal: never less
