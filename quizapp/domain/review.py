"""The mistake book's review schedule, by FSRS (the ``fsrs`` package).

A wrong answer anywhere (practice, exam, review) rates the question's card
"Again"; a right answer at a scheduled review rates it "Good" and pushes the
next review further out. A question leaves the book once it has been answered
right on CLEAR_AFTER scheduled reviews in a row. Reviews are counted in days
(no same-day learning steps): the trainee sees "今日待复习 N 题".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Card, Rating, Scheduler

CLEAR_AFTER = 2
_scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass
class Schedule:
    """What is stored per question in a trainee's mistake book."""
    card: dict            # fsrs Card.to_dict()
    due: datetime
    streak: int = 0       # right answers at scheduled reviews, in a row
    cleared: bool = False


def after_wrong(current: Schedule | None, now: datetime) -> Schedule:
    """A wrong answer: into the book (or back to the start of it)."""
    # card_id given: without one, fsrs makes it from the clock and sleeps 1 ms so
    # the next is unique; a card here is keyed by its (user, question) entry.
    card = Card.from_dict(current.card) if current else Card(card_id=int(now.timestamp() * 1000), due=now)
    card, _ = _scheduler.review_card(card, Rating.Again, now)
    return Schedule(card=card.to_dict(), due=card.due, streak=0, cleared=False)


def is_due(schedule: Schedule, now: datetime) -> bool:
    return not schedule.cleared and schedule.due <= now


def after_review(schedule: Schedule, right: bool, now: datetime) -> Schedule:
    """An answer given in review. Only a due card's right answer counts
    towards leaving the book."""
    if not right:
        return after_wrong(schedule, now)
    if not is_due(schedule, now):
        return schedule
    card, _ = _scheduler.review_card(Card.from_dict(schedule.card), Rating.Good, now)
    streak = schedule.streak + 1
    return Schedule(card=card.to_dict(), due=card.due, streak=streak, cleared=streak >= CLEAR_AFTER)
