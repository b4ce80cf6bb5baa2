"""Practice: which question comes next, and progress figures."""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Seen:
    """A trainee's history with one question."""
    last_answered: datetime
    last_correct: bool


def pick_next(candidates: Sequence[str], history: dict[str, Seen], *, exclude: str | None = None,
              rng: random.Random | None = None) -> str | None:
    """The next question to practise among ``candidates``: one never answered
    (at random), else one last answered wrong, else the one answered longest
    ago. ``exclude`` (the question just answered) comes only if nothing else
    is left."""
    rng = rng or random.Random()
    pool = [c for c in candidates if c != exclude] or list(candidates)
    if not pool:
        return None
    fresh = [c for c in pool if c not in history]
    if fresh:
        return rng.choice(fresh)
    wrong = [c for c in pool if not history[c].last_correct]
    group = wrong or pool
    return min(group, key=lambda c: history[c].last_answered)


@dataclass
class Tally:
    answered: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def percent(self) -> int:
        return round(self.accuracy * 100)


def tally_by(rows: Iterable[tuple[str, bool]]) -> dict[str, Tally]:
    """(group, correct) rows -> answered and correct per group, in first-seen order."""
    out: dict[str, Tally] = {}
    for group, correct in rows:
        t = out.setdefault(group, Tally())
        t.answered += 1
        t.correct += bool(correct)
    return out
