"""The password policy (quizapp.domain.password_policy, OWASP ASVS 5.0 V6.2), the
shipped list of common passwords (quizapp/data/common-passwords.txt), the expiry
of an initial password, and the local paths a 继续 link may lead to."""
from datetime import datetime, timedelta, timezone

import pytest

from quizapp.domain.password_policy import (CONTEXT_WORDS, INITIAL_PASSWORD_DAYS, MAX_LENGTH, MIN_LENGTH,
                                            initial_password_expired, problem)
from quizapp.domain.redirects import local_path
from quizapp.passwords import common_passwords

COMMON = common_passwords()


def check(password: str, **kw) -> str | None:
    kw.setdefault("username", "13800000001")
    return problem(password, common=COMMON, **kw)


def test_the_shipped_list_holds_the_ten_thousand_most_common_passwords_lowercased():
    assert len(COMMON) == 10_000
    assert {"123456", "password", "12345678", "qwerty", "iloveyou", "1q2w3e4r5t"} <= COMMON
    assert all(p == p.lower() and p.strip() == p and p for p in COMMON)


def test_a_password_of_eight_characters_that_is_not_common_is_accepted():
    assert (MIN_LENGTH, MAX_LENGTH) == (8, 128)
    for good in ("县城执法2026", "correct-horse-1", "xk7#mq2p", "a" * 7 + "b", "长城长江黄河泰山", "x" * 128):
        assert check(good) is None, good


@pytest.mark.parametrize("password, message", [
    ("1234567", "密码至少需要 8 位"),
    ("", "密码至少需要 8 位"),
    ("x" * 129, "密码最长 128 位"),
    ("        ", "密码不能全是空格"),
    ("\t \u3000  \n   ", "密码不能全是空格"),
    ("12345678", "这个密码太常见，很容易被猜中，请换一个"),
    ("password", "这个密码太常见，很容易被猜中，请换一个"),
    ("PassWord", "这个密码太常见，很容易被猜中，请换一个"),
    ("iloveyou", "这个密码太常见，很容易被猜中，请换一个"),
    ("1q2w3e4r5t", "这个密码太常见，很容易被猜中，请换一个"),
])
def test_short_long_blank_and_common_passwords_are_refused_in_chinese(password, message):
    assert check(password) == message


def test_the_login_name_the_phone_number_and_the_certificate_number_are_refused():
    assert check("13800000001") == "密码不能与登录名、手机号或执法证号相同，也不能只是在它们后面加数字或符号"
    assert check("zhangsan", username="zhangsan") is not None
    assert check("ZhangSan2026!", username="zhangsan") is not None          # the name with digits appended
    assert check("粤执字第0001号", username="x", cert_no="粤执字第0001号") == check("13800000001")
    assert check("zhangsan-horse", username="zhangsan") is None            # more than the name alone


def test_the_platforms_own_words_are_refused_too():
    assert {"zhenjie", "zhifa", "chengguan"} <= set(CONTEXT_WORDS)
    assert check("zhenjie2026") == "密码不能是本平台或执法工作的常用词（加上数字或符号也不行），请换一个"
    assert check("Zhifa@123") is not None
    assert check("镇街综合执法2026") is not None


def test_the_previous_password_is_refused():
    assert check("my-old-pass-1", previous="my-old-pass-1") == "新密码不能与原密码相同"
    assert check("my-new-pass-1", previous="my-old-pass-1") is None


def test_a_password_is_checked_exactly_as_typed_never_trimmed_or_truncated():
    assert check("  spaced  ") is None                       # 10 characters with its spaces
    assert check("       x") is None                         # 8 characters: not all spaces


def test_an_initial_password_expires_fourteen_days_after_it_was_set():
    assert INITIAL_PASSWORD_DAYS == 14
    set_at = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
    assert not initial_password_expired(set_at, set_at + timedelta(days=14))
    assert initial_password_expired(set_at, set_at + timedelta(days=14, seconds=1))
    assert not initial_password_expired(None, set_at)         # unknown: never refused on that ground


@pytest.mark.parametrize("target", ["/exams/", "/practice/next?step=听证", "/attempts/3/result", "/me#top"])
def test_local_paths_are_kept(target):
    assert local_path(target) == target


@pytest.mark.parametrize("target", [
    "", None, "//evil.example/", "///evil.example/", "/\\evil.example/", "\\\\evil.example", "/\\/evil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "evil.example", "/\t/evil.example",
    "/\n/evil.example", " //evil.example", "/\x00/evil.example", "exams/",
])
def test_anything_that_could_leave_the_site_falls_back_to_practice(target):
    assert local_path(target) == "/practice/"
