"""登录、退出、修改密码.

The login form carries a pre-session CSRF token (web/csrf.py); a successful
login renews the session and the signed device cookie (devices.py) that
spares this device the account-wide login wait (domain/throttle.py). ``next``
is followed only to a path of this site (domain/redirects.py). Until an
initial password is changed, the password form is the only page open
(deps.PasswordUser; everything else: deps.PasswordChangeRequired)."""
from __future__ import annotations

import asyncio

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ... import accounts, devices
from ...domain.errors import DomainError, LoginFailed
from ...domain.redirects import home_for, local_path, purpose
from ..csrf import login_nonce, remember_login_nonce
from ..deps import COOKIE, MaybeUser, PasswordUser, SessionDep, signing_key_async
from ..render import page

router = APIRouter()


def safe_next(target: str | None, role: str = "") -> str:
    """Only local paths: never redirect a login or a 继续 link to another site. Without
    one, the user's own workbench (domain/redirects.home_for: staff to theirs, a trainee to practice)."""
    return local_path(target, home_for(role))


@router.get("/login")
def login_form(request: Request, user: MaybeUser, next: str = ""):
    login_nonce(request)
    target = local_path(next, "")
    response = page(request, "login.html", next=target, purpose=purpose(target), username="", error="")
    remember_login_nonce(request, response, request.app.state.settings.cookie_secure)
    return response


# Logins that check a password at the same time, per worker process (argon2
# itself runs in accounts' one low-priority hashing thread). The others wait
# here on the event loop, holding no connection and none of the thread pool's
# threads, which stay free for the examinees already answering; when a login's
# turn comes, it is dropped if its client has gone meanwhile.
LOGIN_SLOTS = 1


def _slots(request: Request) -> asyncio.Semaphore:
    """The app's semaphore on the running event loop (a test client may use several loops in turn)."""
    loop, state = asyncio.get_running_loop(), request.app.state
    if getattr(state, "login_slots", (None,))[0] is not loop:
        state.login_slots = (loop, asyncio.Semaphore(LOGIN_SLOTS))
    return state.login_slots[1]


@router.post("/login")
async def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                next: Annotated[str, Form()] = ""):
    state, settings = request.app.state, request.app.state.settings
    key = await signing_key_async(request)
    device = request.cookies.get(devices.DEVICE_COOKIE)
    try:
        claim = await run_in_threadpool(accounts.read_login, state.read_engine, username=username,
                                        address=request.client.host if request.client else "",
                                        known_devices=devices.known_accounts(device, key))
        async with _slots(request):
            if await request.is_disconnected():
                # The examinee gave up while the login queued (at an exam's start it may wait
                # its turn for argon2): no argon2 for an answer nobody reads.
                return Response(status_code=499)          # nginx's "client closed request"
            checked = await accounts.check_password(claim, password)
        token = await run_in_threadpool(accounts.record_login, state.engine, checked, days=settings.session_days,
                                        replacing=request.cookies.get(COOKIE))
    except LoginFailed as e:
        headers = {"Retry-After": str(e.retry_after)} if isinstance(e, accounts.LoginThrottled) else None
        return page(request, "login.html", status_code=e.status, next=local_path(next, ""), username=username,
                    purpose=purpose(local_path(next, "")), error=e.message, headers=headers)
    target = ("/account/password?next=" + quote(safe_next(next, checked.role)) if checked.must_change_password
              else safe_next(next, checked.role))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/", secure=settings.cookie_secure,
                        max_age=settings.session_days * 86400)
    response.set_cookie(devices.DEVICE_COOKIE, devices.remember(device, checked.user_id, key), httponly=True,
                        samesite="lax", path="/login", secure=settings.cookie_secure,
                        max_age=devices.DEVICE_DAYS * 86400)
    return response


@router.post("/logout")
def logout(request: Request, db: SessionDep):
    accounts.end_session(db, request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account/password")
def password_form(request: Request, user: PasswordUser, next: str = ""):
    return page(request, "password.html", next=safe_next(next, user.role), error="", done=False)


@router.post("/account/password")
def password_change(request: Request, db: SessionDep, user: PasswordUser,
                    old: Annotated[str, Form()] = "", new: Annotated[str, Form()] = "",
                    again: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""):
    try:
        if new != again:
            raise DomainError("两次输入的新密码不一致")
        accounts.change_password(db, user, old=old, new=new, current_token=request.cookies.get(COOKIE))
    except DomainError as e:
        return page(request, "password.html", status_code=422, next=safe_next(next, user.role), error=e.message,
                    done=False)
    return page(request, "password.html", next=safe_next(next, user.role), error="", done=True)
