"""The exam page's two frequent requests on a lean path: saving an answer and
asking for the clock.

During a province's exam hour nearly every request is one of these two (each
examinee saves an answer every few seconds and syncs the clock every 30 s).
Their plain case - a live session, the user's own open attempt within its
time, a question of its paper - is answered here on one pooled connection in
one transaction: one statement finds the session and the attempt together
(and locks the attempt row for a save), one statement writes the answer.
The statements are built once; no ORM objects are made, and the paper's JSON
is not parsed per request: a paper never changes once drawn, so each worker
keeps recent papers in an LRU cache keyed by the attempt's id and start time.

Every other case (no or expired session, another user's attempt, an attempt
that is closed or past its deadline, a question not on the paper) returns
None and the caller takes the general path (accounts.user_for_token,
exams.save_answer or exams.own_attempt), which grades what is overdue and
answers with the usual error. The rules are domain.exams' either way.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, Row, bindparam, select, update

from .accounts import LIVE, TOUCH, session_state, token_hash
from .domain import exams as rules
from .exams import Saved, write_answer
from .models import Attempt, AttemptAnswer, LoginSession, User, utcnow

_sessions, _users = LoginSession.__table__, User.__table__
_attempts, _answers = Attempt.__table__, AttemptAnswer.__table__

# The session and the attempt in one row: only if the session's user is active and owns the attempt.
LIVE_ATTEMPT = (select(_sessions.c.expires_at, _sessions.c.last_seen_at, _sessions.c.created_at,
                        _attempts.c.status, _attempts.c.deadline, _attempts.c.started_at)
                 .select_from(_sessions.join(_users, _users.c.id == _sessions.c.user_id)
                              .join(_attempts, _attempts.c.user_id == _sessions.c.user_id))
                 .where(_users.c.active.is_(True), _sessions.c.token_hash == bindparam("token_hash"),
                        _attempts.c.id == bindparam("attempt_id")))
# PostgreSQL: FOR UPDATE OF attempts, so a save and the grading never interleave;
# SQLite ignores it (BEGIN IMMEDIATE holds the database's write lock already).
_LIVE_ATTEMPT_LOCKED = LIVE_ATTEMPT.with_for_update(of=_attempts)
_TOUCH = (update(_sessions).where(_sessions.c.token_hash == bindparam("hashed"))
          .values(last_seen_at=bindparam("now")))
_PAPER = select(_attempts.c.paper).where(_attempts.c.id == bindparam("attempt_id"))
_SAVED_QUESTIONS = select(_answers.c.question_id).where(_answers.c.attempt_id == bindparam("attempt_id"))

_papers: LRUCache = LRUCache(maxsize=50_000)      # (attempt id, started_at) -> {question id: PaperItem}
_papers_lock = threading.Lock()


@dataclass
class Clock:
    remaining: int
    saved: list[str]          # the ids of the questions with a saved answer


def save(engine: Engine, *, token: str | None, attempt_id: int, question_id: str, response, seq: int | None,
         idle: timedelta | None, now: datetime | None = None) -> Saved | None:
    """Save one answer as exams.save_answer does, or None: not the plain case.
    Raises InvalidAnswer (nothing written) for a response the question cannot take."""
    now = now or utcnow()
    with plain_case(engine, _LIVE_ATTEMPT_LOCKED, token, attempt_id, now, idle) as found:
        if found is None:
            return None
        conn, live = found
        item = paper_items(conn, attempt_id, live.started_at).get(question_id)
        if item is None:
            return None
        return write_answer(conn, attempt_id, question_id, rules.check_paper_response(item, response), now, seq)


def clock(engine: Engine, *, token: str | None, attempt_id: int, idle: timedelta | None,
          now: datetime | None = None) -> Clock | None:
    """The remaining time and the saved questions of an open attempt, or None: not the plain case."""
    now = now or utcnow()
    with plain_case(engine, LIVE_ATTEMPT, token, attempt_id, now, idle) as found:
        if found is None:
            return None
        conn, live = found
        saved = conn.execute(_SAVED_QUESTIONS, {"attempt_id": attempt_id}).scalars()
        return Clock(rules.remaining_seconds(live.deadline, now), sorted(saved))


@contextmanager
def plain_case(engine: Engine, statement, token: str | None, attempt_id: int, now: datetime,
               idle: timedelta | None) -> Iterator[tuple[Connection, Row] | None]:
    """One connection and transaction, and in it the row of ``statement`` (see
    live_attempt): (connection, row) in the plain case, else None."""
    if not token:
        yield None
        return
    with engine.connect() as conn, conn.begin():
        live = live_attempt(conn, statement, token, attempt_id, now, idle)
        yield None if live is None else (conn, live)


def live_attempt(conn: Connection, statement, token: str, attempt_id: int, now: datetime,
                 idle: timedelta | None) -> Row | None:
    """The row of ``statement`` (LIVE_ATTEMPT, or one built on it) if the
    session is live and the attempt open and within its time; the session's
    last-seen time is written at most once a minute (accounts.session_state,
    as for every other request)."""
    hashed = token_hash(token)
    row = conn.execute(statement, {"token_hash": hashed, "attempt_id": attempt_id}).first()
    if row is None or row.status != "open" or now > row.deadline + rules.SAVE_GRACE:
        return None
    state = session_state(row.expires_at, row.last_seen_at, row.created_at, now, idle)
    if state not in (LIVE, TOUCH):          # expired or idle: the general path ends it and says so
        return None
    if state == TOUCH:
        conn.execute(_TOUCH, {"hashed": hashed, "now": now})
    return row


def paper_items(conn: Connection, attempt_id: int, started_at: datetime) -> dict[str, rules.PaperItem]:
    """The attempt's paper in its order, by question id (cached: a paper never changes)."""
    key = (attempt_id, started_at)
    with _papers_lock:
        items = _papers.get(key)
    if items is None:
        raw = conn.execute(_PAPER, {"attempt_id": attempt_id}).scalar_one()
        items = {i["question_id"]: rules.PaperItem(**i) for i in raw}
        with _papers_lock:
            _papers[key] = items
    return items
