"""Users, passwords (argon2id via pwdlib), the login throttle and server-side
login sessions (opaque tokens stored hashed, with idle and absolute time-outs;
revoked at once on every worker by deleting the row)."""
from __future__ import annotations

import hashlib
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session, delete, func, select

from .db import commit_keeping_loaded
from .domain import throttle
from .domain.errors import DomainError, LoginFailed
from .models import LoginAttempt, LoginSession, Role, User, utcnow

# argon2id at the OWASP/ASVS minimum (19 MiB, 2 passes, 1 lane): about a fifth
# of the library default's memory, so a login surge at an exam's start cannot
# starve the answer saves. Hashes made with other parameters still verify and
# are rehashed with these at the next login.
hasher = PasswordHash((Argon2Hasher(memory_cost=19 * 1024, time_cost=2, parallelism=1),))
MIN_PASSWORD = 8
# Every argon2 computation of a worker process runs in this one thread, at a
# lower CPU priority (nice +10 on Linux: about a tenth of a normal thread's
# share when they compete). argon2 releases the GIL, so without this a login
# surge would take whole cores from the examinees already answering; with it,
# logins get the CPU that saves and paper loads leave, one at a time.
HASH_NICENESS = 10


def _lower_priority() -> None:
    try:
        this_thread = threading.get_native_id()                  # Linux: the priority of this thread only
        os.setpriority(os.PRIO_PROCESS, this_thread, min(19, os.getpriority(os.PRIO_PROCESS, this_thread)
                                                         + HASH_NICENESS))
    except (AttributeError, OSError):       # another OS, or not permitted: same priority as the rest
        pass


_hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2", initializer=_lower_priority)


def _in_hashing_thread(function, *args):
    return _hashing.submit(function, *args).result()
TOUCH_EVERY = timedelta(seconds=60)       # how often a session's last-seen time is written


class LoginThrottled(LoginFailed):
    status = 429


def hash_password(password: str) -> str:
    return _in_hashing_thread(hasher.hash, password)


def initial_password() -> str:
    """Easy to read out and type: no 0/O, 1/l."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"密码至少需要 {MIN_PASSWORD} 位")


def create_user(db: Session, *, username: str, password: str, display_name: str, role: Role,
                unit: str = "", must_change_password: bool = False) -> User:
    username = username.strip()
    if not username:
        raise DomainError("用户名不能为空")
    if db.exec(select(User).where(User.username == username)).first():
        raise DomainError(f"用户名 {username} 已存在")
    check_new_password(password)
    user = User(username=username, display_name=display_name or username, unit=unit, role=role.value,
                password_hash=hash_password(password), must_change_password=must_change_password)
    db.add(user)
    db.commit()
    db.refresh(user)
    return user


def _failures(db: Session, username: str, address: str, now) -> throttle.Failures:
    """Recent failures per account, per address and per both (one query over the
    failure indexes), and whether the account has logged in from this address before."""
    of_account, of_address = LoginAttempt.username == username, LoginAttempt.address == address
    account_address, by_address, by_account = db.exec(
        select(func.count().filter(of_account & of_address), func.count().filter(of_address),
               func.count().filter(of_account))
        .where(LoginAttempt.succeeded == False, LoginAttempt.at > now - throttle.WINDOW,  # noqa: E712
               of_account | of_address)).one()
    known = db.exec(select(LoginAttempt.id).where(
        of_account, of_address, LoginAttempt.succeeded == True,  # noqa: E712
        LoginAttempt.at > now - timedelta(days=throttle.KNOWN_ADDRESS_DAYS)).limit(1)).first()
    return throttle.Failures(account_address=account_address, address=by_address, account=by_account,
                             known_address=known is not None)


def authenticate(db: Session, *, username: str, password: str, address: str = "") -> User:
    """The user, or LoginFailed (LoginThrottled after too many failures; the
    password is then not even checked). Every attempt is recorded."""
    username, now = username.strip()[:128], utcnow()
    verdict = throttle.decide(_failures(db, username, address, now))
    if not verdict.allowed:
        raise LoginThrottled(verdict.message)
    user = db.exec(select(User).where(User.username == username)).first()
    # The ~30 ms of argon2 run outside any transaction: on SQLite a transaction
    # holds the one write lock, and a login surge must not queue saves behind it.
    commit_keeping_loaded(db)
    if user is None or not user.active:
        hash_password(password)              # same cost whether or not the user exists
        valid, new_hash = False, None
    else:
        valid, new_hash = _in_hashing_thread(hasher.verify_and_update, password, user.password_hash)
    db.add(LoginAttempt(at=now, username=username, address=address[:64], succeeded=valid))
    if not valid:
        db.commit()
        raise LoginFailed("用户名或密码不正确")
    if new_hash:
        user.password_hash = new_hash
        db.add(user)
    db.commit()
    return user


def change_password(db: Session, user: User, *, old: str, new: str, current_token: str | None = None) -> None:
    """Change one's own password; every other session of the user ends."""
    if not _in_hashing_thread(hasher.verify, old, user.password_hash):
        raise DomainError("原密码不正确")
    check_new_password(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    db.add(user)
    revoke_sessions(db, user.id, keep=current_token)
    db.commit()


def reset_password(db: Session, user: User) -> str:
    """A new initial password (shown once, changed at the next login); every
    session of the user ends. The caller records it in the audit log."""
    password = initial_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    db.add(user)
    revoke_sessions(db, user.id)
    return password


def set_active(db: Session, user: User, active: bool) -> None:
    """Disable or enable an account; disabling ends its sessions at once."""
    user.active = active
    db.add(user)
    if not active:
        revoke_sessions(db, user.id)


def revoke_sessions(db: Session, user_id: int, keep: str | None = None) -> None:
    query = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep:
        query = query.where(LoginSession.token_hash != token_hash(keep))
    db.exec(query)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User, *, days: int, replacing: str | None = None) -> str:
    """A new login session (the one of the token ``replacing`` ends: a new id at
    every login); returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    if replacing:
        db.exec(delete(LoginSession).where(LoginSession.token_hash == token_hash(replacing)))
    db.add(LoginSession(token_hash=token_hash(token), user_id=user.id,
                        expires_at=utcnow() + timedelta(days=days)))
    db.commit()
    return token


LIVE, TOUCH, EXPIRED, IDLE = "live", "touch", "expired", "idle"


def session_state(expires_at: datetime, last_seen_at: datetime | None, created_at: datetime, now: datetime,
                  idle: timedelta | None) -> str:
    """EXPIRED (past the absolute time-out), IDLE (unused for longer than
    ``idle``: the caller ends it), TOUCH (live, and its last-seen time is due to
    be written: at most once a minute) or LIVE."""
    if expires_at <= now:
        return EXPIRED
    seen = last_seen_at or created_at
    if idle is not None and now - seen > idle:
        return IDLE
    return TOUCH if now - seen > TOUCH_EVERY else LIVE


def user_for_token(db: Session, token: str | None, idle: timedelta | None = None) -> User | None:
    """The user of a live session: not past its absolute expiry, not idle for
    longer than ``idle``. Its last-seen time is written at most once a minute.

    One query, and the transaction is ended before returning (what was loaded
    stays loaded): the request's next step runs in another thread of the pool,
    and must not find this one still holding a pooled connection, or on SQLite
    the write lock (BEGIN IMMEDIATE), while it waits for a free thread."""
    if not token:
        return None
    found = db.exec(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                    .where(LoginSession.token_hash == token_hash(token))).first()
    now = utcnow()
    try:
        if found is None:
            return None
        row, user = found
        state = session_state(row.expires_at, row.last_seen_at, row.created_at, now, idle)
        if state == EXPIRED:
            return None
        if state == IDLE:
            db.delete(row)
            return None
        if state == TOUCH:
            row.last_seen_at = now
            db.add(row)
        return user if user.active else None
    finally:
        commit_keeping_loaded(db)


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.exec(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
        db.commit()
