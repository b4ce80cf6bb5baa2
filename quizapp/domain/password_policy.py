"""The password policy (OWASP ASVS 5.0 V6.2) and the life of an initial password.

A password that a user sets (at a change, or when an account is made with a
chosen password) is checked exactly as typed, never trimmed or truncated:

- 8 to 128 characters (ASVS 6.2.1, 6.2.9: at least 64 must be allowed; 128
  bounds the argon2 input), of any composition (6.2.5: no character-class rules);
- not only whitespace;
- not one of the 10,000 most common passwords (6.2.4; case-insensitive; the
  list is quizapp/data/common-passwords.txt, see the README beside it);
- not the login name (for most trainees the phone number), the 执法证号,
  or one of CONTEXT_WORDS, nor one of these with only digits or symbols
  added before or after (6.1.2, 6.2.11: the documented context-specific words);
- not the previous password (the one typed as 原密码, and the one before an
  instructor's reset: the caller checks that hash).

An initial password (made by the platform, handed out on paper) must be
changed at the first login and expires INITIAL_PASSWORD_DAYS after it was
set while it is still the initial one (6.4.1). Plain functions; no database.
"""
from __future__ import annotations

import string
from collections.abc import Container
from datetime import datetime, timedelta

MIN_LENGTH = 8
MAX_LENGTH = 128
INITIAL_PASSWORD_DAYS = 14

# Words anyone would try first against this platform's accounts: its name, its
# trade and its places, in pinyin and in Chinese (lower case).
CONTEXT_WORDS = (
    "zhenjie", "zhenjiezhifa", "zonghezhifa", "zonghexingzhengzhifa", "xingzhengzhifa", "zhifa", "zhifaju",
    "zhifadui", "chengguan", "jiaocheng", "peixun", "kaoshi", "xuexi", "xueyuan", "jiaoyuan", "zhengfu",
    "jiedao", "xiangzhen", "admin", "instructor", "trainee", "quizapp",
    "镇街", "镇街执法", "综合执法", "镇街综合执法", "综合行政执法", "镇街综合行政执法", "行政执法", "执法", "城管",
    "教程", "培训", "考试", "学员", "教员", "街道", "乡镇",
)

_PADDING = string.digits + string.punctuation + " 　_·。，！？@#￥%…&*（）—"

TOO_SHORT = f"密码至少需要 {MIN_LENGTH} 位"
TOO_LONG = f"密码最长 {MAX_LENGTH} 位"
BLANK = "密码不能全是空格"
COMMON = "这个密码太常见，很容易被猜中，请换一个"
PERSONAL = "密码不能与登录名、手机号或执法证号相同，也不能只是在它们后面加数字或符号"
PLATFORM = "密码不能是本平台或执法工作的常用词（加上数字或符号也不行），请换一个"
SAME_AS_BEFORE = "新密码不能与原密码相同"


def _core(text: str) -> str:
    """The text without digits and symbols before or after it, case-folded."""
    return text.casefold().strip(_PADDING)


def problem(password: str, *, username: str, common: Container[str], cert_no: str = "",
            previous: str | None = None) -> str | None:
    """What is wrong with ``password`` as a new password (a Chinese message), or None."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if not password.strip():
        return BLANK
    if password.casefold() in common or password.strip().casefold() in common:
        return COMMON
    core = _core(password)
    personal = {_core(word) for word in (username, cert_no) if word and word.strip()}
    if password.casefold() in {w.casefold() for w in (username, cert_no) if w} or (core and core in personal):
        return PERSONAL
    if core in CONTEXT_WORDS:
        return PLATFORM
    if previous is not None and password == previous:
        return SAME_AS_BEFORE
    return None


def initial_password_expired(set_at: datetime | None, now: datetime) -> bool:
    """An initial password set at ``set_at`` is no longer accepted (None: the time is unknown, never)."""
    return set_at is not None and now - set_at > timedelta(days=INITIAL_PASSWORD_DAYS)
