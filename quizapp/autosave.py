"""The exam page's frequent requests on a lean path: saving an answer, asking
for the clock, and reporting an event of the integrity log that cannot count.

During a province's exam hour nearly every request is one of these (each
examinee saves an answer every few seconds; each save's reply carries the
clock, and the page asks for it on its own only after 30 s without a save).
Their plain case - a live session, the user's own open attempt within its
time, a question of its paper - is answered here on one pooled connection in
one transaction: one statement finds the session and the attempt together
(and locks the attempt row for a save), one statement writes the answer.
Saves come in batches (save_many, fed by save_queue): the same two
statements serve every save of the batch, in one transaction.
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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, Row, bindparam, func, insert, select, update

from .accounts import LIVE, TOUCH, session_state, token_hash
from .domain import exams as rules
from .domain import integrity, waiting
from .domain.errors import InvalidAnswer
from .exams import HANDED_IN, AnswerWrite, EventOutcome, Saved, handed_in, write_answers
from .models import Attempt, AttemptAnswer, Exam, IntegrityEvent, LoginSession, User, utcnow

_sessions, _users = LoginSession.__table__, User.__table__
_attempts, _answers = Attempt.__table__, AttemptAnswer.__table__

# The session and the attempt in one row: only if the session's user is active, has changed
# their initial password (else the general path answers 403) and owns the attempt.
_LIVE_COLUMNS = (_sessions.c.expires_at, _sessions.c.last_seen_at, _sessions.c.created_at,
                 _attempts.c.status, _attempts.c.deadline, _attempts.c.started_at)
_SESSION_WITH_ATTEMPTS = (_sessions.join(_users, _users.c.id == _sessions.c.user_id)
                          .join(_attempts, _attempts.c.user_id == _sessions.c.user_id))
LIVE_ATTEMPT = (select(*_LIVE_COLUMNS).select_from(_SESSION_WITH_ATTEMPTS)
                .where(_users.c.active.is_(True), _users.c.must_change_password.is_(False),
                       _sessions.c.token_hash == bindparam("token_hash"),
                       _attempts.c.id == bindparam("attempt_id")))
# Many saves at once (save_many): every such row of the sessions and attempts
# named. PostgreSQL: FOR UPDATE OF attempts, so a save and the grading never
# interleave, in the order of the attempts' ids, so that two batches sharing
# an attempt cannot deadlock; SQLite ignores it (BEGIN IMMEDIATE holds the
# database's write lock already).
_LIVE_ATTEMPTS_LOCKED = (select(_sessions.c.token_hash, _attempts.c.id, *_LIVE_COLUMNS)
                         .select_from(_SESSION_WITH_ATTEMPTS)
                         .where(_users.c.active.is_(True), _users.c.must_change_password.is_(False),
                                _sessions.c.token_hash.in_(bindparam("hashes", expanding=True)),
                                _attempts.c.id.in_(bindparam("attempt_ids", expanding=True)))
                         .order_by(_attempts.c.id).with_for_update(of=_attempts))
_TOUCH = (update(_sessions).where(_sessions.c.token_hash == bindparam("hashed"))
          .values(last_seen_at=bindparam("now")))
# An event of the integrity log (record_event): the exam's limit and the absences counted so far
_events, _exams = IntegrityEvent.__table__, Exam.__table__
_COUNTED = (select(func.count()).select_from(_events)
            .where(_events.c.attempt_id == _attempts.c.id, _events.c.counted.is_(True)).scalar_subquery())
_EVENT_CONTEXT = (LIVE_ATTEMPT.add_columns(_exams.c.focus_loss_limit, _COUNTED.label("focus_losses"))
                  .join(_exams, _exams.c.id == _attempts.c.exam_id))
_INSERT_EVENT = insert(_events)
_PAPER = select(_attempts.c.paper).where(_attempts.c.id == bindparam("attempt_id"))
_SAVED_QUESTIONS = select(_answers.c.question_id).where(_answers.c.attempt_id == bindparam("attempt_id"))

_papers: LRUCache = LRUCache(maxsize=50_000)      # (attempt id, started_at) -> {question id: PaperItem}
# A worker holds the papers of every examinee it serves: tens of thousands of
# items, which every full collection of Python's garbage collector walks
# while the whole worker waits. Cached items keep only what a save and the
# page read, in tuples, which the collector stops tracking: about one tracked
# object per item instead of four.
_papers_lock = threading.Lock()


@dataclass
class Clock:
    remaining: int
    saved: list[str]          # the ids of the questions with a saved answer
    starts_in: float = 0.0    # 候考: seconds to the attempt's start second (0: under way)


@dataclass(frozen=True)
class SaveRequest:
    token: str | None
    attempt_id: int
    question_id: str
    response: object
    base: int | None          # the version of the answer the page showed (exams.write_answers)
    idle: timedelta | None


def save_many(engine: Engine, requests: list[SaveRequest],
              now: datetime | None = None) -> list[Saved | InvalidAnswer | None]:
    """Save many answers in one transaction (a group commit), each as
    exams.save_answer would: its Saved, its InvalidAnswer (nothing written for
    it), or None (not the plain case: the caller takes the general path for it). Saves of the
    same question are ordered as given (exams.write_answers). One statement finds and
    locks every live session and attempt named, one writes the answers."""
    now = now or utcnow()
    outcomes: list[Saved | InvalidAnswer | None] = [None] * len(requests)
    named = [(i, r, token_hash(r.token)) for i, r in enumerate(requests) if r.token]
    if not named:
        return outcomes
    with engine.connect() as conn, conn.begin():
        live = {(row.token_hash, row.id): row for row in conn.execute(
            _LIVE_ATTEMPTS_LOCKED, {"hashes": sorted({h for _, _, h in named}),
                                    "attempt_ids": sorted({r.attempt_id for _, r, _ in named})})}
        to_touch: set[str] = set()
        writes: list[tuple[int, AnswerWrite]] = []
        deadlines: dict[int, datetime] = {}
        for i, r, hashed in named:
            row = live.get((hashed, r.attempt_id))
            state = row and live_state(row, now, r.idle)
            if not state:
                continue
            if state == TOUCH:
                to_touch.add(hashed)
            item = paper_items(conn, r.attempt_id, row.started_at).get(r.question_id)
            if item is None:
                continue
            deadlines[i] = row.deadline
            try:
                writes.append((i, AnswerWrite(r.attempt_id, r.question_id,
                                              rules.check_paper_response(item, r.response), r.base)))
            except InvalidAnswer as refused:
                outcomes[i] = refused
        if to_touch:
            conn.execute(_TOUCH, [{"hashed": hashed, "now": now} for hashed in sorted(to_touch)])
        for (i, _), saved in zip(writes, write_answers(conn, [w for _, w in writes], now)):
            outcomes[i] = replace(saved, remaining=rules.remaining_seconds(deadlines[i], now))
    return outcomes


def clock(engine: Engine, *, token: str | None, attempt_id: int, idle: timedelta | None,
          now: datetime | None = None) -> Clock | None:
    """The remaining time and the saved questions of an open attempt, or None: not the plain case."""
    now = now or utcnow()
    with plain_case(engine, LIVE_ATTEMPT, token, attempt_id, now, idle, waiting_ok=True) as found:
        if found is None:
            return None
        conn, live = found
        if now < live.started_at:           # the waiting room's clock: nothing is saved yet
            return Clock(rules.remaining_seconds(live.deadline, now), [], waiting.seconds_until(live.started_at, now))
        saved = conn.execute(_SAVED_QUESTIONS, {"attempt_id": attempt_id}).scalars()
        return Clock(rules.remaining_seconds(live.deadline, now), sorted(saved))


def record_event(engine: Engine, *, token: str | None, attempt_id: int, kind: str, detail: str,
                 duration_ms: int | None, idle: timedelta | None, now: datetime | None = None) -> EventOutcome | None:
    """Log an event that cannot count against the exam's limit (every kind but a return
    after an absence, ``focus``: integrity.counts) in the plain case: one statement finds the
    session, the attempt, the exam's limit and the absences counted, one writes the event.
    None for every other case and for ``focus``: the caller takes exams.record_event, which
    counts it and hands the paper in past the limit. A prepared page's opening (``enter``)
    comes this way, from thousands of pages within two minutes of the start."""
    if integrity.may_count(kind) or kind not in integrity.KINDS:
        return None
    now = now or utcnow()
    duration_ms = integrity.clamp_duration(duration_ms)
    with plain_case(engine, _EVENT_CONTEXT, token, attempt_id, now, idle) as found:
        if found is None:
            return None
        conn, live = found
        conn.execute(_INSERT_EVENT, {"attempt_id": attempt_id, "kind": kind, "detail": detail[:200],
                                     "at": integrity.happened_at(kind, duration_ms, now),
                                     "duration_ms": duration_ms, "counted": False})
    return EventOutcome(live.focus_losses, live.focus_loss_limit, False, False)


def hand_in(engine: Engine, *, token: str | None, attempt_id: int, auto: bool, idle: timedelta | None,
            now: datetime | None = None) -> bool:
    """交卷 in the plain case (a live session's own open attempt, started and
    within its time): one statement finds the session and the attempt, one
    writes the hand-in (exams.HANDED_IN). False for every other case, and
    when the attempt was handed in or graded meanwhile: the caller takes
    exams.hand_in, which answers as the attempt now is."""
    now = now or utcnow()
    with plain_case(engine, LIVE_ATTEMPT, token, attempt_id, now, idle) as found:
        if found is None:
            return False
        conn, live = found
        return conn.execute(HANDED_IN, handed_in(attempt_id, now, live.deadline, auto=auto)).rowcount == 1


@contextmanager
def plain_case(engine: Engine, statement, token: str | None, attempt_id: int, now: datetime,
               idle: timedelta | None, *, waiting_ok: bool = False) -> Iterator[tuple[Connection, Row] | None]:
    """One connection and transaction, and in it the row of ``statement`` (see
    live_attempt): (connection, row) in the plain case, else None."""
    if not token:
        yield None
        return
    with engine.connect() as conn, conn.begin():
        live = live_attempt(conn, statement, token, attempt_id, now, idle, waiting_ok=waiting_ok)
        yield None if live is None else (conn, live)


def live_attempt(conn: Connection, statement, token: str, attempt_id: int, now: datetime,
                 idle: timedelta | None, *, waiting_ok: bool = False) -> Row | None:
    """The row of ``statement`` (LIVE_ATTEMPT, or one built on it) if the
    session is live and the attempt open and within its time; the session's
    last-seen time is written at most once a minute (accounts.session_state,
    as for every other request)."""
    hashed = token_hash(token)
    row = conn.execute(statement, {"token_hash": hashed, "attempt_id": attempt_id}).first()
    state = row and live_state(row, now, idle, waiting_ok=waiting_ok)
    if not state:
        return None
    if state == TOUCH:
        conn.execute(_TOUCH, {"hashed": hashed, "now": now})
    return row


def live_state(row: Row, now: datetime, idle: timedelta | None, *, waiting_ok: bool = False) -> str | None:
    """LIVE or TOUCH (accounts.session_state) for a row of LIVE_ATTEMPT whose
    attempt is open and within its time; None for every other case: a session
    expired or idle (the general path ends it and says so) or an attempt
    closed or past its deadline, or still in the waiting room (候考) unless
    ``waiting_ok`` (the clock, which the waiting room reads too)."""
    if row.status != "open" or now > row.deadline + rules.SAVE_GRACE or (now < row.started_at and not waiting_ok):
        return None
    state = session_state(row.expires_at, row.last_seen_at, row.created_at, now, idle)
    return state if state in (LIVE, TOUCH) else None


def _cached_item(stored: dict) -> rules.PaperItem:
    """A paper item as the cache keeps it: its option orders as tuples, and
    without the answer key, which neither a save nor the page reads."""
    return rules.PaperItem(stored["question_id"], stored["type"], stored["points"], key=(),
                           option_order=tuple(stored.get("option_order", ())),
                           part_option_orders={pid: tuple(order) for pid, order
                                               in stored.get("part_option_orders", {}).items()},
                           part_types=stored.get("part_types", {}))


def paper_items(conn: Connection, attempt_id: int, started_at: datetime) -> dict[str, rules.PaperItem]:
    """The attempt's paper in its order, by question id (cached: a paper never changes)."""
    key = (attempt_id, started_at)
    with _papers_lock:
        items = _papers.get(key)
    if items is None:
        raw = conn.execute(_PAPER, {"attempt_id": attempt_id}).scalar_one()
        items = {i["question_id"]: _cached_item(i) for i in raw}
        with _papers_lock:
            _papers[key] = items
    return items
