"""Known devices: the signed cookie that spares a device the account-wide login wait.

At every successful login the browser gets a cookie (``zj_device``: HttpOnly,
SameSite=Lax, sent only to /login, kept DEVICE_DAYS) that lists, signed with
itsdangerous (HMAC-SHA1 over the content and its time), the ids of the last
MAX_ACCOUNTS accounts that logged in on it: a shared PC in a training room
knows each of its trainees. The login throttle (domain/throttle.py) does not
make a known device wait for failures from elsewhere; its own failures still
count. A cookie that is altered, forged, too old or signed with another key
is no cookie at all.

The key is random, made by migration 0013 and kept in the database
(``signing_keys``), so every worker signs and checks with the same one and
nothing needs configuring; deleting its row makes a new key at the next
login, and every device then counts as new (nothing worse). Anyone who can
read the database already has far more than the power to skip a login wait.
"""
from __future__ import annotations

import secrets

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Engine, insert, select

from .models import SigningKey, utcnow

DEVICE_COOKIE = "zj_device"
DEVICE_DAYS = 180
MAX_ACCOUNTS = 10
KEY_NAME = "device"
_SALT = "zj-known-device"
_keys = SigningKey.__table__


def signing_key(engine: Engine) -> str:
    """The device cookie's key (made here if its row is missing)."""
    with engine.connect() as conn:
        key = conn.execute(select(_keys.c.key).where(_keys.c.name == KEY_NAME)).scalar()
    if key is None:
        try:
            with engine.begin() as conn:
                conn.execute(insert(_keys).values(name=KEY_NAME, key=secrets.token_hex(32), created_at=utcnow()))
        except Exception:  # noqa: BLE001 - another worker made it at the same moment: use theirs
            pass
        with engine.connect() as conn:
            key = conn.execute(select(_keys.c.key).where(_keys.c.name == KEY_NAME)).scalar_one()
    return key


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SALT)


def _ids(cookie: str | None, key: str) -> list[int]:
    if not cookie or len(cookie) > 1024:
        return []
    try:
        ids = _serializer(key).loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadData:
        return []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return []
    return ids[:MAX_ACCOUNTS]


def known_accounts(cookie: str | None, key: str) -> frozenset[int]:
    """The ids of the accounts that logged in on this device (none if the cookie is not a valid one)."""
    return frozenset(_ids(cookie, key))


def remember(cookie: str | None, user_id: int, key: str) -> str:
    """The device cookie after ``user_id`` logged in on it: that account first, then the others it knew."""
    return _serializer(key).dumps(([user_id] + [i for i in _ids(cookie, key) if i != user_id])[:MAX_ACCOUNTS])
