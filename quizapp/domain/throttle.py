"""The login throttle: growing waits after failed logins, never a lock-out.

Counted from the shared database (failures within WINDOW), so every worker
applies the same rules. Two counters, each with its own escalation:

- the pair (this account from this address): a few typos cost nothing, then
  each further failure doubles the wait, up to PAIR.longest. This is what
  slows down guessing one trainee's password from one place; it resets when
  the pair logs in successfully;
- the account from everywhere: a password attack spread over many addresses.
  It does not apply to a device the account has logged in on before (the
  signed device cookie, quizapp/devices.py): an attacker elsewhere can slow
  the guessing down, but cannot keep a trainee out of their own device.

A wait counts from the last failure and is capped, so it is never a
lock-out; an instructor of the trainee's cohort or a supervisor can lift it
(accounts.lift_throttle: failures before that moment no longer count).
There is deliberately no counter of an address alone: a whole training room
behind one NAT shares one address, and such a counter would make every
trainee in the room wait for the typos of the others. Plain functions; no
database.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)          # failures older than this no longer count


@dataclass(frozen=True)
class Escalation:
    free: int               # failures that cost no wait
    first: timedelta        # the wait after the first failure beyond them; each further one doubles it
    longest: timedelta      # the cap


PAIR = Escalation(free=3, first=timedelta(seconds=5), longest=timedelta(minutes=5))
ACCOUNT = Escalation(free=10, first=timedelta(seconds=30), longest=timedelta(minutes=15))


@dataclass(frozen=True)
class Failures:
    """Failed logins of one account within the window (and after a lifted throttle)."""
    pair: int                       # from this address, since the pair's last successful login
    pair_last: datetime | None      # the latest of them
    account: int                    # from every address
    account_last: datetime | None
    known_device: bool              # the request came from a device the account logged in on before


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0            # seconds to wait (for the message and the Retry-After header)
    message: str = ""


def wait_after(failures: int, escalation: Escalation) -> timedelta:
    """How long the next login waits after ``failures`` failures."""
    beyond = failures - escalation.free
    if beyond < 0:
        return timedelta(0)
    return min(escalation.longest, escalation.first * 2 ** min(beyond, 32))


def wait_text(seconds: int) -> str:
    """A wait as the page says it: seconds under a minute, else whole minutes rounded up."""
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


def _remaining(count: int, last: datetime | None, escalation: Escalation, now: datetime) -> int:
    if last is None:
        return 0
    return max(0, math.ceil((last + wait_after(count, escalation) - now).total_seconds()))


def decide(f: Failures, now: datetime, *, pair: Escalation = PAIR, account: Escalation = ACCOUNT) -> Verdict:
    """Whether a login may be tried now; if not, how long to wait, said in Chinese."""
    own = _remaining(f.pair, f.pair_last, pair, now)
    spread = 0 if f.known_device else _remaining(f.account, f.account_last, account, now)
    if not own and not spread:
        return Verdict(True)
    if spread > own:
        return Verdict(False, spread, f"该账号近期在多处登录失败，为防止密码被猜测，请 {wait_text(spread)}后再试；"
                                      "在以前成功登录过的设备上可直接登录，也可请培训教员解除限制。")
    return Verdict(False, own, f"登录失败次数较多，请 {wait_text(own)}后再试。忘记密码请联系培训教员重置。")
