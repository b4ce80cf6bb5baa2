"""The login throttle's rules (quizapp.domain.throttle.decide): each limit and the known-device exemption."""
from dataclasses import replace

import pytest

from quizapp.domain.throttle import KNOWN_ADDRESS_DAYS, WINDOW, Failures, Limits, decide

LIMITS = Limits()
NONE = Failures(account_address=0, address=0, account=0, known_address=False)


def test_the_limits_and_the_window_are_as_documented():
    assert (LIMITS.per_account_address, LIMITS.per_address, LIMITS.per_account) == (5, 100, 30)
    assert WINDOW.total_seconds() == 15 * 60 and KNOWN_ADDRESS_DAYS == 30


def test_no_failures_is_allowed():
    assert decide(NONE).allowed and decide(NONE).message == ""


@pytest.mark.parametrize("counter, limit, message", [
    ("account_address", LIMITS.per_account_address, "该账号在本设备上连续登录失败次数过多，请 15 分钟后再试，或请教员重置密码"),
    ("address", LIMITS.per_address, "本网络登录失败次数过多，请 15 分钟后再试"),
    ("account", LIMITS.per_account, "该账号近期登录失败次数过多，请在常用设备上登录，或 15 分钟后再试"),
])
def test_each_limit_allows_up_to_one_below_it_and_refuses_from_it_on(counter, limit, message):
    below = decide(replace(NONE, **{counter: limit - 1}))
    at = decide(replace(NONE, **{counter: limit}))
    beyond = decide(replace(NONE, **{counter: limit * 10}))
    assert below.allowed
    assert not at.allowed and at.message == message
    assert not beyond.allowed and beyond.message == message


def test_a_known_device_is_exempt_from_the_account_wide_limit_only():
    attacked = replace(NONE, account=LIMITS.per_account * 3)
    assert not decide(attacked).allowed
    assert decide(replace(attacked, known_address=True)).allowed
    # but not from the limits of its own address
    assert not decide(replace(NONE, account_address=LIMITS.per_account_address, known_address=True)).allowed
    assert not decide(replace(NONE, address=LIMITS.per_address, known_address=True)).allowed


def test_the_device_limit_is_named_first_when_several_are_reached():
    everything = Failures(account_address=99, address=999, account=999, known_address=False)
    assert "本设备" in decide(everything).message
    assert "本网络" in decide(replace(everything, account_address=0)).message
    assert "常用设备" in decide(replace(everything, account_address=0, address=0)).message


def test_other_limits_can_be_given():
    strict = Limits(per_account_address=1, per_address=2, per_account=3)
    assert not decide(replace(NONE, account_address=1), strict).allowed
    assert not decide(replace(NONE, address=2), strict).allowed
    assert not decide(replace(NONE, account=3), strict).allowed
    assert decide(replace(NONE, account=3, known_address=True), strict).allowed
    assert decide(replace(NONE, account_address=4, address=4, account=4)).allowed     # under the default limits
