"""Typed dependencies: routes read as sentences (db: SessionDep, user: CurrentUser)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from .. import accounts, devices, exams
from ..domain.errors import Forbidden
from ..models import Role, User

COOKIE = "zj_session"


class NotLoggedIn(Exception):
    """Raised for a page that needs a login; answered with a redirect to /login."""


class PasswordChangeRequired(Exception):
    """The user still has an initial password: every page but 修改密码 and 退出
    redirects to the password form, every JSON API answers 403 (see app.py)."""
    message = "请先修改初始密码"


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session for this request. Reads (GET) use the read engine: on SQLite
    they run outside any transaction and a write they make (a session's
    last-seen time, grading an overdue attempt, both guarded by conditional
    updates) locks only for its own statement; every other request begins
    with BEGIN IMMEDIATE, so its read-then-write holds from the first read."""
    state = request.app.state
    engine = state.read_engine if request.method in ("GET", "HEAD") else state.engine
    # An async generator: the session is closed on the event loop as soon as the
    # route returns. Closed from the thread pool instead, a request whose last
    # query left a transaction open (on SQLite: the write lock) would wait for
    # a free thread while every thread waits for that lock.
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


def signing_key(request: Request) -> str:
    """The platform's signing key (devices.signing_key), read once per worker."""
    state = request.app.state
    if getattr(state, "device_key", None) is None:
        state.device_key = devices.signing_key(state.engine)
    return state.device_key


async def signing_key_async(request: Request) -> str:
    """signing_key from the event loop (the first read, once per worker, in the thread pool)."""
    return getattr(request.app.state, "device_key", None) or await run_in_threadpool(signing_key, request)


def idle_timeout(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.session_idle_minutes)


def _session_user(request: Request, db: Session) -> User | None:
    return accounts.user_for_token(db, request.cookies.get(COOKIE), idle_timeout(request))


def get_current_user(request: Request, db: SessionDep) -> User:
    return logged_in_user(request, db)


def logged_in_user(request: Request, db: Session, *, initial_password_allowed: bool = False) -> User:
    """The request's user, or NotLoggedIn (for a route that opens its own session);
    PasswordChangeRequired while the user's password is an initial one, except
    where ``initial_password_allowed`` (the password form itself)."""
    user = _session_user(request, db)
    if user is None:
        raise NotLoggedIn()
    request.state.user = user
    if user.must_change_password and not initial_password_allowed:
        raise PasswordChangeRequired()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def user_changing_password(request: Request, db: SessionDep) -> User:
    return logged_in_user(request, db, initial_password_allowed=True)


# The password form only: the one page a user with an initial password may use (besides 退出).
PasswordUser = Annotated[User, Depends(user_changing_password)]


def practising_user(db: SessionDep, user: CurrentUser) -> User:
    """The user, unless an attempt of theirs is open: practice and the mistake
    book are paused meanwhile (exams.PracticePaused)."""
    exams.pause_during_attempt(db, user)
    return user


PracticeUser = Annotated[User, Depends(practising_user)]


def optional_user(request: Request, db: SessionDep) -> User | None:
    user = _session_user(request, db)
    request.state.user = user
    return user


MaybeUser = Annotated[User | None, Depends(optional_user)]


def require_role(*roles: Role):
    allowed = {r.value for r in roles}

    def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden("您没有访问此页面的权限")
        return user
    return Depends(dependency)


StaffUser = Annotated[User, require_role(Role.instructor, Role.supervisor)]
EditorUser = Annotated[User, require_role(Role.editor)]
# The question bank browser and its keys: every role but trainees.
BankUser = Annotated[User, require_role(Role.instructor, Role.supervisor, Role.editor)]
