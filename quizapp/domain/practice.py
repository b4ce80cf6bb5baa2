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


# --- how a practice question is presented ----------------------------------------

@dataclass(frozen=True)
class Presentation:
    """The order in which one practice presentation shows a question's options
    (and each case part's): shuffled afresh each time, as Moodle does, so a
    trainee learns the content, not the letter. True/false stays 正确, 错误."""
    order: tuple[str, ...]
    part_orders: dict[str, tuple[str, ...]]

    def encode(self) -> dict[str, str]:
        """Form fields that carry the presentation to the feedback page."""
        return {"order": "".join(self.order), **{f"order-{pid}": "".join(o) for pid, o in self.part_orders.items()}}


def _shuffled(keys: Sequence[str], qtype: str, rng: random.Random) -> tuple[str, ...]:
    order = list(keys)
    if qtype != "judge":
        rng.shuffle(order)
    return tuple(order)


def shuffled_presentation(qtype: str, keys: Sequence[str], parts: Sequence[dict],
                          rng: random.Random | None = None) -> Presentation:
    rng = rng or random.Random()
    return Presentation(_shuffled(keys, qtype, rng),
                        {p["id"]: _shuffled(list(p["options"]), p["type"], rng) for p in parts})


def _order(raw: str, keys: Sequence[str]) -> tuple[str, ...]:
    """A posted order if it is a permutation of ``keys``, else the bank's order."""
    return tuple(raw) if sorted(raw) == sorted(keys) and len(raw) == len(keys) else tuple(keys)


def presentation_from_form(fields: dict[str, str], keys: Sequence[str], parts: Sequence[dict]) -> Presentation:
    """The presentation a form was answered in (anything else: the bank's order)."""
    return Presentation(_order(fields.get("order", ""), keys),
                        {p["id"]: _order(fields.get(f"order-{p['id']}", ""), list(p["options"])) for p in parts})


# --- practice sets -----------------------------------------------------------------

SET_SIZE = 20


def choose_set(candidates: Sequence[str], history: dict[str, Seen], *, size: int = SET_SIZE,
               rng: random.Random | None = None) -> list[str]:
    """The questions of one practice set, in the order they are asked: never
    answered ones first (shuffled), then those last answered wrong, then the
    rest, the longest unseen first; at most ``size`` (all when fewer)."""
    rng = rng or random.Random()
    unique = list(dict.fromkeys(candidates))
    fresh = [c for c in unique if c not in history]
    rng.shuffle(fresh)
    wrong = sorted((c for c in unique if c in history and not history[c].last_correct),
                   key=lambda c: history[c].last_answered)
    right = sorted((c for c in unique if c in history and history[c].last_correct),
                   key=lambda c: history[c].last_answered)
    return (fresh + wrong + right)[:size]


@dataclass(frozen=True)
class SetSummary:
    """How one practice set went: each question counted by its first answer in the set."""
    total: int
    answered: int
    right: int
    seconds: int

    @property
    def wrong(self) -> int:
        return self.answered - self.right

    @property
    def finished(self) -> bool:
        return self.answered >= self.total


def summarise_set(question_ids: Sequence[str], answers: Iterable[tuple[str, bool, datetime]],
                  started: datetime) -> SetSummary:
    """``answers``: (question, correct, when) of the trainee's answers since
    ``started``, oldest first; the time is from the start to the last answer."""
    first: dict[str, bool] = {}
    last = started
    members = set(question_ids)
    for qid, correct, when in answers:
        if qid in members:
            first.setdefault(qid, correct)
            last = max(last, when)
    return SetSummary(total=len(members), answered=len(first), right=sum(first.values()),
                      seconds=max(0, int((last - started).total_seconds())))


def next_in_set(question_ids: Sequence[str], answered: Iterable[str]) -> tuple[int, str | None]:
    """(number of the next question, 1-based; its id), or (total + 1, None) when all are answered."""
    done = set(answered)
    for i, qid in enumerate(question_ids, 1):
        if qid not in done:
            return i, qid
    return len(question_ids) + 1, None
