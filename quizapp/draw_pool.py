"""The bank as new papers draw from it, kept in each worker process.

Every new attempt draws its paper from the questions in the bank (exams.candidates):
id, volume, step, difficulty, type, pool and items of every active, unsuspended
question, 1,676 rows today. An exam's waiting room brings thousands of draws
within minutes, and reading those rows for each one cost 4-20 ms of PostgreSQL,
besides the worker's Python turning them into candidates (bench/RESULTS.md,
third session).

So each worker keeps the rows, and each draw asks first when the bank last
changed, the largest ``questions.updated_at`` (one lookup in its index):

    draw -> last_change (index) -> same as cached? -> the cached rows
                                    otherwise      -> read the rows, keep them

A change is seen by the very next draw in every worker only if it moves that
largest stamp forward, whatever the clocks of the workers that made it. So
whatever changes a row a draw reads - bank.sync_bank (added, changed, retired)
and reports.set_suspended - stamps it with ``next_stamp``: now, or just after
the last change if that is later (another worker's clock ahead of this one's).
Questions are never deleted (answers refer to them). A question changed behind
the platform's back (SQL by hand) is seen once its updated_at is moved on too.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from .domain import exams as rules
from .models import Question, utcnow
from .practice import IN_BANK

_LAST_CHANGE = select(func.max(Question.updated_at))
_ROWS = (select(Question.id, Question.volume, Question.step, Question.difficulty, Question.type, Question.pool,
                Question.items).where(IN_BANK).order_by(Question.id))

_kept: dict[str, tuple[datetime | None, tuple[rules.Candidate, ...]]] = {}     # database URL -> (stamp, rows)
_lock = threading.Lock()


def candidates(conn: Connection) -> tuple[rules.Candidate, ...]:
    """Every question new papers may draw (exam-only ones included), as of now."""
    database = conn.engine.url.render_as_string(hide_password=True)
    stamp = conn.execute(_LAST_CHANGE).scalar()
    with _lock:
        kept = _kept.get(database)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    rows = tuple(rules.Candidate(*row[:6], items=tuple(row[6] or ())) for row in conn.execute(_ROWS))
    with _lock:
        _kept[database] = (stamp, rows)
    return rows


def next_stamp(conn: Connection) -> datetime:
    """The updated_at of a change to the bank: now, or a microsecond after the last change if that is later."""
    last = conn.execute(_LAST_CHANGE).scalar()
    now = utcnow()
    return now if last is None or now > last else last + timedelta(microseconds=1)
