"""The login throttle's rules (quizapp.domain.throttle): growing waits, never a lock-out.

Two counters: the account from one address (the pair), and the account from
everywhere except a device it logged in on before. A wait counts from the last
failure and is capped, so a trainee is never locked out for longer than the cap;
there is no counter of an address alone (a training room behind one NAT)."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from quizapp.domain.throttle import ACCOUNT, PAIR, WINDOW, Escalation, Failures, decide, wait_after, wait_text

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
NONE = Failures(pair=0, pair_last=None, account=0, account_last=None, known_device=False)


def just_now(pair: int = 0, account: int = 0, known_device: bool = False) -> Failures:
    """``pair`` and ``account`` failures, the last of them a moment ago."""
    return Failures(pair=pair, pair_last=NOW if pair else None, account=account, account_last=NOW if account else None,
                    known_device=known_device)


def test_the_escalations_are_as_documented():
    assert (PAIR.free, PAIR.first, PAIR.longest) == (3, timedelta(seconds=5), timedelta(minutes=5))
    assert (ACCOUNT.free, ACCOUNT.first, ACCOUNT.longest) == (10, timedelta(seconds=30), timedelta(minutes=15))
    assert WINDOW == timedelta(hours=24)


def test_no_failures_is_allowed_at_once():
    verdict = decide(NONE, NOW)
    assert verdict.allowed and verdict.retry_after == 0 and verdict.message == ""


def test_the_wait_doubles_with_each_failure_after_the_free_ones_up_to_a_cap():
    waits = [wait_after(n, PAIR).total_seconds() for n in range(12)]
    assert waits == [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert wait_after(10 ** 6, ACCOUNT) == timedelta(minutes=15)          # however many: the cap, no overflow


def test_a_few_typos_on_ones_own_device_cost_no_wait():
    assert decide(just_now(pair=PAIR.free - 1, account=PAIR.free - 1), NOW).allowed


def test_after_the_free_failures_the_next_login_waits_and_is_told_how_long_in_chinese():
    verdict = decide(just_now(pair=5, account=5), NOW)
    assert not verdict.allowed and verdict.retry_after == 20
    assert verdict.message == "登录失败次数较多，请 20 秒后再试。忘记密码请联系培训教员重置。"
    later = decide(just_now(pair=5, account=5), NOW + timedelta(seconds=19))
    assert not later.allowed and later.retry_after == 1 and "1 秒" in later.message
    assert decide(just_now(pair=5, account=5), NOW + timedelta(seconds=20)).allowed


def test_even_a_long_run_of_failures_is_never_a_lock_out():
    hammered = just_now(pair=500, account=500)
    verdict = decide(hammered, NOW)
    assert verdict.retry_after == 15 * 60 and "15 分钟" in verdict.message
    assert decide(hammered, NOW + timedelta(minutes=15)).allowed


def test_failures_spread_over_addresses_make_an_unknown_device_wait():
    attacked = just_now(pair=0, account=ACCOUNT.free + 2)                 # one failure or none per address
    verdict = decide(attacked, NOW)
    assert not verdict.allowed and verdict.retry_after == 120
    assert verdict.message == ("该账号近期在多处登录失败，为防止密码被猜测，请 2 分钟后再试；"
                               "在以前成功登录过的设备上可直接登录，也可请培训教员解除限制。")


def test_a_device_the_account_logged_in_on_before_is_spared_the_account_wide_wait_only():
    attacked = just_now(account=ACCOUNT.free * 5)
    assert decide(replace(attacked, known_device=True), NOW).allowed
    # its own failures still count
    assert not decide(just_now(pair=PAIR.free + 1, account=ACCOUNT.free * 5, known_device=True), NOW).allowed


def test_the_longer_wait_is_the_one_shown():
    both = just_now(pair=PAIR.free + 1, account=ACCOUNT.free + 3)        # 10 s and 4 minutes
    verdict = decide(both, NOW)
    assert verdict.retry_after == 240 and "4 分钟" in verdict.message and "多处" in verdict.message


@pytest.mark.parametrize("seconds, text", [(1, "1 秒"), (59, "59 秒"), (60, "1 分钟"), (61, "2 分钟"),
                                           (300, "5 分钟"), (900, "15 分钟")])
def test_waits_are_said_in_seconds_then_in_whole_minutes_rounded_up(seconds, text):
    assert wait_text(seconds) == text


def test_other_escalations_can_be_given():
    strict = Escalation(free=1, first=timedelta(minutes=1), longest=timedelta(hours=1))
    assert not decide(just_now(pair=1), NOW, pair=strict).allowed
    assert decide(just_now(pair=1), NOW).allowed
