"""CSRF protection for every state-changing request that carries a session cookie.

The token is derived from the session cookie (SHA-256 of a fixed prefix and the
cookie's value): a page of another site can neither read the HttpOnly cookie nor
compute the token, while every worker can check it without shared memory.
Forms carry it in a hidden field ``csrf_token`` (``{{ csrf_field() }}``), the
exam page's script in the header ``X-CSRF-Token`` (from ``<meta name=csrf-token>``).
A request without a session cookie (the login form) changes nothing that
belongs to anyone, so it needs no token.
"""
from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from jinja2 import pass_context
from markupsafe import Markup

from ..domain.errors import DomainError
from .deps import COOKIE

FIELD, HEADER = "csrf_token", "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(DomainError):
    status = 403


def token_for(session_cookie: str) -> str:
    return hashlib.sha256(b"zj-csrf:" + session_cookie.encode()).hexdigest()[:40]


def request_token(request: Request) -> str:
    cookie = request.cookies.get(COOKIE)
    return token_for(cookie) if cookie else ""


async def csrf_protect(request: Request) -> None:
    """An app-wide dependency: refuse a state change whose token does not match the session."""
    if request.method in SAFE_METHODS or not request.cookies.get(COOKIE):
        return
    sent = request.headers.get(HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = str((await request.form()).get(FIELD, ""))
    if not hmac.compare_digest(sent.encode(), request_token(request).encode()):
        raise CsrfRejected("页面已过期或来源不明，请刷新页面后重试")


@pass_context
def csrf_field(context) -> Markup:
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, request_token(context["request"]))


@pass_context
def csrf_meta(context) -> Markup:
    return Markup('<meta name="csrf-token" content="%s">') % request_token(context["request"])
