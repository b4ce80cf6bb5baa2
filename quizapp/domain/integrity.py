"""The exam page's integrity log: what counts against an exam's limit.

The page reports each event (static/exam.js); the rules here decide, without
a database, which of them count. A reload or a reconnection never counts; a
return to the page counts only after an absence longer than the exam's grace
period (a notification shade or an address-bar click takes a second). The
limit is the number of counted absences tolerated: the page shows the live
count after each one, so the trainee has been warned (at the latest when the
count reaches the limit) before the next absence hands the paper in.

The count is an aid for the invigilator, not proof: a browser can suppress
these events, which the exam's instructions say.
"""
from __future__ import annotations

from datetime import datetime, timedelta

KINDS = {
    "enter": "进入考试页面",
    "blur": "离开考试页面",            # sent by pages before 0011; the page now reports an absence on return
    "focus": "离开后返回考试页面",
    "reload": "重新载入页面",
    "offline": "网络断开",
    "online": "网络恢复",
}
MAX_DURATION_MS = 24 * 3600 * 1000          # a reported absence is clamped to a day
MAX_GRACE_SECONDS = 60


# A page prepared in the waiting room reports its opening within two minutes of it, with how
# long ago that was (static/exam.js): the log keeps the moment it opened, at most this far back.
MAX_ENTER_DELAY_MS = 3 * 60 * 1000


def happened_at(kind: str, duration_ms: int | None, received: datetime) -> datetime:
    """When the event happened: when it was received, except an opening reported late
    (``enter`` with its delay), which is dated back by that delay, at most three minutes."""
    if kind != "enter" or not duration_ms:
        return received
    return received - timedelta(milliseconds=max(0, min(duration_ms, MAX_ENTER_DELAY_MS)))


def clamp_duration(duration_ms: int | None) -> int | None:
    if duration_ms is None:
        return None
    return max(0, min(int(duration_ms), MAX_DURATION_MS))


def may_count(kind: str) -> bool:
    """Whether an event of this kind can count at all: only a return to the page."""
    return kind == "focus"


def counts(kind: str, duration_ms: int | None, grace_seconds: int) -> bool:
    """Whether an event counts against the limit: a return to the page after
    an absence longer than the grace period."""
    return may_count(kind) and duration_ms is not None and duration_ms > grace_seconds * 1000


def limit_exceeded(limit: int, counted: int) -> bool:
    """0 means no limit; ``limit`` absences are tolerated, the next one submits."""
    return limit > 0 and counted > limit


def warning(limit: int, counted: int) -> str:
    """What the page says after an absence that counted ('' when nothing to say)."""
    if limit <= 0 or counted <= 0:
        return ""
    text = f"已离开考试页面 {counted} 次，上限 {limit} 次。"
    if counted >= limit:
        return text + "再离开一次（超过宽限时间）将自动交卷。"
    return text
