"""候考: the half hour before an exam's start second (issue 29).

Design. An exam with a start time (``opens_at``) and ``waiting_minutes`` > 0
opens its waiting room that many minutes before the start. A trainee who
enters it gets an attempt at once: the paper is drawn and shuffled then
(exams.start_attempt), with ``started_at`` set to the start second and the
deadline computed from it, so the start itself costs one read per candidate
(GET /attempts/{id}, the exam page's lean path). Until the start second the
attempt page is the waiting room (identity, 考试须知, a countdown from the
server's clock, a device check); at the start the page asks for the paper
after a delay spread over the first seconds (``paper_delay_ms``), so ten
thousand pages do not reload in the same millisecond. A trainee who arrives
after the start joins at once. The deadline is the exam's, the same for
everyone (``common``: start + time limit), or each candidate's own
(``own``: the attempt's start + time limit), both cut at the window's close.

Plain functions of times and rows: no database, no clock of their own.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Iterable

from .errors import DomainError

DEFAULT_MINUTES = 30          # the waiting room opens this long before the start (issue 29)
MAX_MINUTES = 180
PAPER_SPREAD_SECONDS = 5.0    # the pages ask for their paper over this many seconds after the start
HOLD_SECONDS = 40.0           # a key request may be held open this long before the start (under a proxy's 60 s)

OWN, COMMON = "own", "common"
DEADLINE_MODES = {OWN: "各自计时：从本人开始作答时起算", COMMON: "统一截止：开考时间加考试时长，迟到不补时"}

# the room's states, as the trainee's pages name them
NO_ROOM, EARLY, WAITING, STARTED = "none", "early", "waiting", "started"


class NotStarted(DomainError):
    status = 409


def room_opens_at(starts_at: datetime, minutes: int) -> datetime:
    return starts_at - timedelta(minutes=minutes)


def room_state(now: datetime, starts_at: datetime | None, minutes: int) -> str:
    """``none``: the exam has no start time or no waiting room; ``early``: the room
    is not open yet; ``waiting``: the room is open and the paper is not;
    ``started``: the start second has passed."""
    if starts_at is None or minutes <= 0:
        return NO_ROOM if starts_at is None or now < starts_at else STARTED
    if now >= starts_at:
        return STARTED
    return WAITING if now >= room_opens_at(starts_at, minutes) else EARLY


def check_settings(minutes: int, mode: str) -> None:
    if not 0 <= minutes <= MAX_MINUTES:
        raise DomainError(f"候考时间应为 0 至 {MAX_MINUTES} 分钟（0 表示不设候考室）")
    if mode not in DEADLINE_MODES:
        raise DomainError("截止方式无效：应为统一截止或各自计时")


def start_of_attempt(now: datetime, starts_at: datetime | None, minutes: int) -> datetime:
    """When an attempt begun now starts its clock: the start second for one
    that enters the waiting room, now for anyone else."""
    return starts_at if room_state(now, starts_at, minutes) == WAITING else now


def deadline(started_at: datetime, time_limit: timedelta, *, mode: str, starts_at: datetime | None,
             closes_at: datetime | None) -> datetime:
    """``common``: the exam's start + limit for everyone, latecomers included;
    ``own`` (or no start time): the attempt's start + limit. Never after the close."""
    begin = starts_at if mode == COMMON and starts_at is not None else started_at
    end = begin + time_limit
    return min(end, closes_at) if closes_at is not None else end


def seconds_until(moment: datetime, now: datetime) -> float:
    return max(0.0, (moment - now).total_seconds())


def hold_seconds(starts_at: datetime, now: datetime, horizon: float = HOLD_SECONDS) -> float | None:
    """How long a request for the exam's key that asks to be held (web/start_gate.py) waits for the
    start second: the seconds left when the start is within ``horizon``; None when the start has come
    (answer at once) or is further away (409 at once, as to any early request)."""
    left = (starts_at - now).total_seconds()
    return left if 0 < left <= horizon else None


def paper_delay_ms(attempt_id: int, spread_seconds: float = PAPER_SPREAD_SECONDS) -> int:
    """How long after the start second this attempt's page asks for its paper:
    spread evenly over ``spread_seconds`` by a hash of the attempt, the same on
    every reload (a page reloaded in the last second keeps its place)."""
    if spread_seconds <= 0:
        return 0
    digest = hashlib.blake2b(str(attempt_id).encode(), digest_size=4).digest()
    return int(int.from_bytes(digest, "big") / 2**32 * spread_seconds * 1000)


NOT_STARTED, WAITING_NOW, ANSWERING, SUBMITTED = "未开始", "候考中", "作答中", "已交卷"
STATUSES = (WAITING_NOW, ANSWERING, SUBMITTED, NOT_STARTED)      # the order the live status counts them in


def trainee_status(attempts: Iterable[tuple[str, datetime]], now: datetime) -> str:
    """One trainee's line in the instructor's live status, from (status,
    started_at) of each of their attempts: an open attempt is 候考中 until its
    start second and 作答中 after it; otherwise 已交卷 once one is graded."""
    attempts = list(attempts)
    for status, started_at in attempts:
        if status == "open":
            return WAITING_NOW if started_at > now else ANSWERING
    return SUBMITTED if attempts else NOT_STARTED
