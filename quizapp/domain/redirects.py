"""Where a page may send the user next: only a path of this site (ASVS 5.0 3.7.2).

The ``next`` of the login and password pages comes from the address bar, so
it is the attacker's choice. A browser reads more than an RFC does: it drops
tabs and newlines from a URL, treats a backslash as a slash, and takes
``//host`` or ``/\\host`` for another site. Only a path that starts with one
slash followed by something other than a slash or backslash, with no control
character, whitespace or backslash anywhere, is kept. Plain functions.
"""
from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT = "/practice/"
# Where each role lands after a login without a ``next``: its own workbench (a trainee: practice).
HOMES = {"instructor": "/instructor/", "editor": "/editor/", "supervisor": "/supervisor/"}


def home_for(role: str) -> str:
    return HOMES.get(role, DEFAULT)


def local_path(target: str | None, default: str = DEFAULT) -> str:
    """``target`` if it is a path of this site, else ``default``."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return default
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# What a visitor sent to the login page was about to do, by the path they asked for (the login
# page says it: 「练习需要登录……」); the first prefix that matches.
PURPOSES = (("/reports/new", "纠错/建议"),
            ("/practice/", "练习"), ("/exams/", "考试"), ("/attempts/", "考试"), ("/mistakes/", "错题本"),
            ("/me", "我的成绩"), ("/surveys/", "培训问卷"), ("/feedback/", "课程评价"), ("/reports/", "我的反馈"),
            ("/instructor/", "教员工作台"), ("/supervisor/", "执法监督"), ("/editor/", "编辑工作台"))


def purpose(target: str) -> str:
    """What the page a visitor asked for is for, in Chinese; '' when unknown."""
    return next((what for prefix, what in PURPOSES if target.startswith(prefix)), "")
