"""CSRF protection for every state-changing request that carries a session
cookie, and for the login form before there is one.

The token is derived from the session cookie (SHA-256 of a fixed prefix and the
cookie's value): a page of another site can neither read the HttpOnly cookie nor
compute the token, while every worker can check it without shared memory.
Forms carry it in a hidden field ``csrf_token`` (``{{ csrf_field() }}``), the
exam page's script in the header ``X-CSRF-Token`` (from ``<meta name=csrf-token>``).

Before a login there is no session: the login page sets a pre-session cookie
(``zj_login``: random, HttpOnly, SameSite=Lax, path /login) and its form
carries the token derived from it, a double submit that another site can
neither read nor forge. Without it a page elsewhere could log a visitor into
the attacker's account (login CSRF), whose answers and reports the visitor
would then fill in. A POST to /login needs one of the two tokens; any other
request without a session cookie changes nothing that belongs to anyone.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from jinja2 import pass_context
from markupsafe import Markup

from ..domain.errors import DomainError
from .deps import COOKIE

FIELD, HEADER = "csrf_token", "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_COOKIE = "zj_login"                    # the pre-session cookie of the login form
LOGIN_PATH = "/login"                        # the only state change made before a session exists


class CsrfRejected(DomainError):
    status = 403


def token_for(session_cookie: str) -> str:
    return hashlib.sha256(b"zj-csrf:" + session_cookie.encode()).hexdigest()[:40]


def login_token(nonce: str) -> str:
    """The login form's token for the pre-session cookie ``nonce``."""
    return token_for("login:" + nonce)


def login_nonce(request: Request) -> str:
    """The request's pre-session cookie if it is one of ours, else a new one (set by
    the login page: see remember_login_nonce)."""
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not (40 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum()):
        nonce = secrets.token_urlsafe(32)
    request.state.login_nonce = nonce
    return nonce


def remember_login_nonce(request: Request, response: Response, secure: bool) -> None:
    nonce = getattr(request.state, "login_nonce", "")
    if nonce and nonce != request.cookies.get(LOGIN_COOKIE):
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax", path=LOGIN_PATH, secure=secure)


def request_token(request: Request) -> str:
    cookie = request.cookies.get(COOKIE)
    if cookie:
        return token_for(cookie)
    nonce = getattr(request.state, "login_nonce", "") or request.cookies.get(LOGIN_COOKIE, "")
    return login_token(nonce) if nonce and request.url.path == LOGIN_PATH else ""


async def csrf_protect(request: Request) -> None:
    """An app-wide dependency: refuse a state change whose token does not match the
    session's (or, for a login without a session, the login form's)."""
    if request.method in SAFE_METHODS:
        return
    if not request.cookies.get(COOKIE) and request.url.path != LOGIN_PATH:
        return
    sent = request.headers.get(HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = str((await request.form()).get(FIELD, ""))
    expected = request_token(request)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected("页面已过期或来源不明，请刷新页面后重试")


@pass_context
def csrf_field(context) -> Markup:
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, request_token(context["request"]))


@pass_context
def csrf_meta(context) -> Markup:
    return Markup('<meta name="csrf-token" content="%s">') % request_token(context["request"])
