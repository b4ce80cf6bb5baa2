"""Free text from forms and files: each kind of field's limit, checked before
the database. A PostgreSQL VARCHAR column refuses a longer value with an
error and SQLite stores anything, so the services check first and refuse in
Chinese, naming the field and its limit; nothing is cut silently.
(NUL bytes never get this far: quizapp/web/limits.py refuses them.)"""
from __future__ import annotations

from .errors import DomainError

NAME = 64        # a person's name, a certificate number, a teacher's name (users.display_name: 64)
TITLE = 128      # the title of a cohort, an exam, a survey, a teaching session; a unit (单位/镇街)
REASON = 200     # an audited reason (suspending a question)
TEXT = 2000      # free text: a report and its answer, a comment, a survey answer, an exam's description


class TooLong(DomainError):
    status = 422


def too_long(value: str, label: str, limit: int) -> str | None:
    """The Chinese message if ``value`` is over ``limit`` characters, else None."""
    return f"{label}过长：{len(value)} 字，最多 {limit} 字" if len(value) > limit else None


def checked(value: str | None, label: str, limit: int) -> str:
    """``value`` stripped; TooLong if it is still over ``limit`` characters."""
    value = (value or "").strip()
    message = too_long(value, label, limit)
    if message:
        raise TooLong(message)
    return value
