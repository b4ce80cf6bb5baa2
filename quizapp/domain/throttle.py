"""The login throttle: how many recent failures a login may follow.

Counted over a sliding window, from the shared database, so every worker
applies the same limits. Three counters:

- the account from this address: a few failures, then wait (guessing one
  trainee's password from one place);
- the address, whatever account: many failures (one address spraying many
  accounts; set high, since a whole training room may share one address);
- the account from everywhere: a password attack spread over addresses.

The account-wide counter does not apply to an address the account has already
logged in from successfully: an attacker elsewhere can slow down the guessing
of a trainee's password, but cannot lock the trainee out of their own device
just before an exam. Plain functions; no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

WINDOW = timedelta(minutes=15)
KNOWN_ADDRESS_DAYS = 30


@dataclass(frozen=True)
class Limits:
    per_account_address: int = 5
    per_address: int = 100
    per_account: int = 30


@dataclass(frozen=True)
class Failures:
    """Failed logins within the window."""
    account_address: int
    address: int
    account: int
    known_address: bool          # the account logged in from here before


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""


def decide(f: Failures, limits: Limits = Limits()) -> Verdict:
    minutes = int(WINDOW.total_seconds() // 60)
    if f.account_address >= limits.per_account_address:
        return Verdict(False, f"该账号在本设备上连续登录失败次数过多，请 {minutes} 分钟后再试，或请教员重置密码")
    if f.address >= limits.per_address:
        return Verdict(False, f"本网络登录失败次数过多，请 {minutes} 分钟后再试")
    if f.account >= limits.per_account and not f.known_address:
        return Verdict(False, f"该账号近期登录失败次数过多，请在常用设备上登录，或 {minutes} 分钟后再试")
    return Verdict(True)
