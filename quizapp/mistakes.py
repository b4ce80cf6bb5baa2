"""错题本: every wrong answer (practice, exam, review) puts the question in
the trainee's mistake book; reviews are scheduled by FSRS (domain.review).
book() also gives what is due now and the next review date (the page explains
the schedule in words: 按遗忘规律安排复习)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert
from sqlmodel import Session, select

from .domain import exams as exam_rules
from .domain import review as rules
from .domain.errors import NotFound
from .domain.procedure import ALL_STEPS, VOLUMES
from .models import Attempt, AttemptAnswer, Exam, MistakeEntry, PracticeAnswer, Question, utcnow


def _schedule(entry: MistakeEntry) -> rules.Schedule:
    return rules.Schedule(card=entry.card, due=entry.due, streak=entry.streak, cleared=entry.cleared)


def _apply(entry: MistakeEntry, schedule: rules.Schedule, now: datetime) -> None:
    entry.card, entry.due, entry.streak, entry.cleared = schedule.card, schedule.due, schedule.streak, schedule.cleared
    entry.updated_at = now


def record_wrong(db: Session, *, user_id: int, question_id: str, source: str, now: datetime | None = None) -> None:
    """Into the book, or back to the start of its schedule. The caller commits."""
    record_wrong_many(db, user_id=user_id, question_ids=[question_id], source=source, now=now)


_entries = MistakeEntry.__table__
_IN_BOOK = select(_entries.c.question_id).where(_entries.c.user_id == bindparam("user_id"),
                                                _entries.c.question_id.in_(bindparam("question_ids", expanding=True)))
_ADD = insert(_entries)


def record_wrong_many(db: Session, *, user_id: int, question_ids: list[str], source: str,
                      now: datetime | None = None) -> None:
    """record_wrong for several questions (a graded exam's wrong items): one
    query for which are in the book already (their entries loaded only if
    any are), one executemany INSERT for the new ones. (psycopg runs its rows
    in one pipeline; a multi-row VALUES statement instead took the worker 7 ms
    of compiling for 37 rows against 1.2 ms: bench/RESULTS.md, third session.)"""
    if not question_ids:
        return
    now = now or utcnow()
    conn = db.connection()
    there = conn.execute(_IN_BOOK, {"user_id": user_id, "question_ids": question_ids}).scalars().all()
    existing = {e.question_id: e for e in db.exec(select(MistakeEntry).where(
        MistakeEntry.user_id == user_id, MistakeEntry.question_id.in_(there)))} if there else {}
    new = []
    for question_id in dict.fromkeys(question_ids):
        entry = existing.get(question_id)
        if entry is None:
            schedule = rules.after_wrong(None, now)
            new.append({"user_id": user_id, "question_id": question_id, "card": schedule.card, "due": schedule.due,
                        "streak": 0, "cleared": False, "wrong_count": 1, "last_source": source, "added_at": now,
                        "updated_at": now})
            continue
        _apply(entry, rules.after_wrong(_schedule(entry), now), now)
        entry.wrong_count += 1
        entry.last_source = source
        db.add(entry)
    if new:
        conn.execute(_ADD, new)


def record_review_right(db: Session, *, user_id: int, question_id: str, now: datetime | None = None) -> bool:
    """A right answer given in review; True when the question leaves the book."""
    now = now or utcnow()
    entry = db.exec(select(MistakeEntry).where(MistakeEntry.user_id == user_id,
                                               MistakeEntry.question_id == question_id)).first()
    if entry is None or entry.cleared:
        return False
    _apply(entry, rules.after_review(_schedule(entry), True, now), now)
    db.add(entry)
    return entry.cleared


def due_ids(db: Session, user_id: int, now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    rows = db.exec(select(MistakeEntry.question_id).join(Question, Question.id == MistakeEntry.question_id)
                   .where(MistakeEntry.user_id == user_id, MistakeEntry.cleared == False,  # noqa: E712
                          MistakeEntry.due <= now, Question.active == True,  # noqa: E712
                          Question.pool == "practice")
                   .order_by(MistakeEntry.due))
    return list(rows)


@dataclass
class BookRow:
    entry: MistakeEntry
    question: Question


@dataclass
class Book:
    groups: dict[str, dict[str, list[BookRow]]]     # volume -> step -> rows
    due: int
    total: int
    cleared: int
    next_due: datetime | None = None                 # the earliest review not yet due
    due_by_volume: dict[str, int] | None = None

    def due_in(self, rows: list[BookRow], now: datetime | None = None) -> int:
        now = now or utcnow()
        return sum(r.entry.due <= now for r in rows)


@dataclass
class Detail:
    """One entry of the book opened: the question with its key and explanation, and the trainee's own
    last wrong answer that may be shown (None: none to show, e.g. a question left unanswered in an exam)."""
    entry: MistakeEntry
    question: Question
    response: list | dict | None
    answered_at: datetime | None
    source: str                      # practice (练习 or 复习) | exam
    exam_title: str = ""


def detail(db: Session, user_id: int, entry_id: int, now: datetime | None = None) -> Detail:
    """An entry of the user's own book (NotFound otherwise: another's, cleared, retired, exam-only).
    The wrong answer shown is the latest of the practice and review answers and of the graded exam
    answers whose review is shown now (exam_rules.review_visible): an exam that shows no review, or not
    yet, shows no answer here either. The caller pauses this, like all practice, while an exam is open."""
    now = now or utcnow()
    row = db.exec(select(MistakeEntry, Question).join(Question, Question.id == MistakeEntry.question_id)
                  .where(MistakeEntry.id == entry_id, MistakeEntry.user_id == user_id)).first()
    if row is None or row[0].cleared or not row[1].active or row[1].pool != "practice":
        raise NotFound("错题本中没有这道题")
    entry, question = row
    question_id = question.id
    found = Detail(entry, question, None, None, "practice")
    wrong = db.exec(select(PracticeAnswer).where(PracticeAnswer.user_id == user_id,
                                                 PracticeAnswer.question_id == question_id,
                                                 PracticeAnswer.correct == False)  # noqa: E712
                    .order_by(PracticeAnswer.answered_at.desc(), PracticeAnswer.id.desc())).first()
    if wrong is not None:
        found = Detail(entry, question, wrong.response, wrong.answered_at, "practice")
    for attempt, exam in db.exec(select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
                                 .where(Attempt.user_id == user_id, Attempt.status == "graded")):
        item = next((i for i in attempt.paper if i["question_id"] == question_id), None)
        when = attempt.submitted_at
        if (item is None or when is None or attempt.item_scores.get(question_id, 0.0) >= item["points"]
                or not exam_rules.review_visible(exam.review_mode, now, exam.closes_at)
                or (found.answered_at is not None and when <= found.answered_at)):
            continue
        saved = db.exec(select(AttemptAnswer.response).where(AttemptAnswer.attempt_id == attempt.id,
                                                             AttemptAnswer.question_id == question_id)).first()
        found = Detail(entry, question, saved, when, "exam", exam.title)
    return found


def book(db: Session, user_id: int, now: datetime | None = None) -> Book:
    now = now or utcnow()
    rows = db.exec(select(MistakeEntry, Question).join(Question, Question.id == MistakeEntry.question_id)
                   .where(MistakeEntry.user_id == user_id)).all()
    active = [BookRow(e, q) for e, q in rows if not e.cleared and q.active and q.pool == "practice"]
    groups: dict[str, dict[str, list[BookRow]]] = {}
    for v in VOLUMES:
        for s in ALL_STEPS:
            members = sorted((r for r in active if r.question.volume == v.code and r.question.step == s),
                             key=lambda r: r.entry.due)
            if members:
                groups.setdefault(v.code, {})[s] = members
    later = [r.entry.due for r in active if r.entry.due > now]
    return Book(groups, due=sum(r.entry.due <= now for r in active), total=len(active),
                cleared=sum(e.cleared for e, _ in rows), next_due=min(later) if later else None,
                due_by_volume={v: sum(r.entry.due <= now for rs in steps.values() for r in rs)
                               for v, steps in groups.items()})
