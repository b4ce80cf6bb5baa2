"""Users, passwords (argon2 via pwdlib) and server-side login sessions."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from pwdlib import PasswordHash
from sqlmodel import Session, delete, select

from .domain.errors import DomainError, LoginFailed
from .models import LoginSession, Role, User, utcnow

hasher = PasswordHash.recommended()
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return hasher.hash(password)


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


def authenticate(db: Session, *, username: str, password: str) -> User:
    user = db.exec(select(User).where(User.username == username.strip())).first()
    if user is None or not user.active:
        hasher.hash(password)            # same cost whether or not the user exists
        raise LoginFailed("用户名或密码不正确")
    valid, new_hash = hasher.verify_and_update(password, user.password_hash)
    if not valid:
        raise LoginFailed("用户名或密码不正确")
    if new_hash:
        user.password_hash = new_hash
        db.add(user)
        db.commit()
    return user


def change_password(db: Session, user: User, *, old: str, new: str) -> None:
    if not hasher.verify(old, user.password_hash):
        raise DomainError("原密码不正确")
    check_new_password(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    db.add(user)
    db.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: Session, user: User, *, days: int) -> str:
    """A new login session; returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    db.add(LoginSession(token_hash=_token_hash(token), user_id=user.id,
                        expires_at=utcnow() + timedelta(days=days)))
    db.commit()
    return token


def user_for_token(db: Session, token: str | None) -> User | None:
    if not token:
        return None
    row = db.get(LoginSession, _token_hash(token))
    if row is None or row.expires_at <= utcnow():
        return None
    user = db.get(User, row.user_id)
    return user if user and user.active else None


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.exec(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
        db.commit()
