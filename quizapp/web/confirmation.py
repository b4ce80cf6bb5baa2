"""Confirmation before an action that cannot be undone (重置密码, 停用, 增加一次机会,
延长时间, removing an officer, deleting a unit).

A form of such an action is sent with ``confirmed=yes`` only once the user has
said yes: ``static/confirm.js`` adds the field when the browser's own confirm()
is accepted, so with script it is one step. A form sent without it (no script,
or a hand-made request) gets a page that asks, with the same fields and a
button that sends them again confirmed, and a way back; nothing is changed
until then. Routes check who may act before they ask: the question never
tells a stranger more than a refusal would.
"""
from __future__ import annotations

from fastapi import Request

from .render import page

FIELD = "confirmed"


def confirmed(value: str) -> bool:
    return value == "yes"


def ask(request: Request, question: str, action: str, back: str, fields: dict[str, str] | None = None,
        detail: str = "", *, reason_label: str = "", reason: str = "", error: str = "", status_code: int = 200):
    """The page that asks ``question`` before the form is sent to ``action`` with ``fields``;
    ``reason_label``: the action needs a reason, asked for on the page (field ``reason``, filled with
    ``reason``), ``error`` saying what was wrong with the one sent."""
    return page(request, "confirm.html", status_code=status_code, question=question, detail=detail, action=action,
                back=back, fields=fields or {}, reason_label=reason_label, reason=reason, error=error)
