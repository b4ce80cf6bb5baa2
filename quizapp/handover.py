"""Handing initial passwords to the instructor after a redirect (POST-redirect-GET).

A reset, a trainee added by hand and a roster import each make initial
passwords that exist only in the request that made them (the database keeps
their argon2 hashes). The POST that makes them answers with a redirect to a
GET page, so that reloading the page never repeats the action; the GET page
learns the password from a *hand-over token* in its address:

- the token is the password (or, for an import, a 32-byte seed from which
  every new account's password is derived, roster_password) with the actor,
  the cohort or upload and the time it was issued, encrypted and
  authenticated with PyNaCl's SecretBox (XSalsa20-Poly1305) under a key
  derived from the platform's signing key (devices.signing_key, kept in the
  database, the same on every worker). The address, the browser's history
  and nginx's log hold ciphertext only; an altered token does not open;
- it opens for the instructor who made it, for TTL (10 minutes) after it was
  issued: a reload within that time shows the same password again (once-ish),
  later the page says it has expired and how to get a new one;
- nothing is stored: the database holds no password and no seed. Someone
  who has both the database (and so the key) and a token (from a log or a
  browser's history) can decrypt that token at any time, the ten minutes
  are enforced by the platform only; what limits the harm is that an
  initial password must be changed at the first login and expires unused
  (accounts.initial_password_expired).

Plain functions over bytes and values; the routes (web/routes/cohorts.py)
take the key from the app's state and read and write the tokens.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from .domain.errors import DomainError

TTL = timedelta(minutes=10)
MAX_TOKEN = 1024
KINDS = ("reset", "enrol", "roster")
_PERSON = b"zj-handover-v1"                       # the key's purpose: no other token opens with it
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"      # as accounts.initial_password: no 0/O, 1/l
PASSWORD_LENGTH = 10


class HandoverExpired(DomainError):
    status = 410


@dataclass(frozen=True)
class Handover:
    """What a token carries. ``kind``: reset | enrol (``user_id``, ``password``:
    None for an existing account added by login) | roster (``upload_id``, ``seed``)."""
    kind: str
    actor_id: int
    issued_at: datetime
    cohort_id: int | None = None
    user_id: int | None = None
    password: str | None = None
    upload_id: int | None = None
    seed: bytes | None = None
    already: bool = False                 # enrol: the account was in the cohort already
    ignored: tuple[str, ...] = ()         # enrol: what was typed and not used (the existing account's kept)

    @property
    def expires_at(self) -> datetime:
        return self.issued_at + TTL


def key_from(signing_key: str) -> bytes:
    """The hand-over key: BLAKE2b of the platform's signing key with this purpose, 32 bytes."""
    return hashlib.blake2b(signing_key.encode(), digest_size=SecretBox.KEY_SIZE, person=_PERSON).digest()


def new_seed() -> bytes:
    return secrets.token_bytes(32)


def roster_password(seed: bytes, username: str) -> str:
    """The initial password of the account ``username`` made by the import whose seed this is:
    HMAC-SHA256 of the login under the seed, read as 10 characters of the initial passwords' alphabet."""
    number = int.from_bytes(hmac.new(seed, username.encode(), hashlib.sha256).digest(), "big")
    out = []
    for _ in range(PASSWORD_LENGTH):
        number, digit = divmod(number, len(PASSWORD_ALPHABET))
        out.append(PASSWORD_ALPHABET[digit])
    return "".join(out)


def seal(key: bytes, handover: Handover) -> str:
    """The token of ``handover``: its fields, encrypted and authenticated, in URL-safe base64."""
    data = {"k": handover.kind, "a": handover.actor_id, "t": int(handover.issued_at.timestamp()),
            "c": handover.cohort_id, "u": handover.user_id, "p": handover.password, "up": handover.upload_id,
            "s": handover.seed.hex() if handover.seed else None, "al": handover.already or None,
            "i": list(handover.ignored) or None}
    box = SecretBox(key).encrypt(json.dumps({k: v for k, v in data.items() if v is not None}).encode())
    return base64.urlsafe_b64encode(bytes(box)).decode().rstrip("=")


EXPIRED = "初始密码的显示时限（10 分钟）已过，平台不保存初始密码"


def unseal(key: bytes, token: str, *, actor_id: int, now: datetime) -> Handover:
    """The hand-over a token carries, for the user who made it, within TTL of
    its issue; HandoverExpired otherwise (altered, foreign, too old, not ours)."""
    try:
        if not token or len(token) > MAX_TOKEN:
            raise ValueError
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(SecretBox(key).decrypt(raw))
        handover = Handover(kind=str(data["k"]), actor_id=int(data["a"]),
                            issued_at=datetime.fromtimestamp(int(data["t"]), tz=timezone.utc),
                            cohort_id=data.get("c"), user_id=data.get("u"), password=data.get("p"),
                            upload_id=data.get("up"), seed=bytes.fromhex(data["s"]) if data.get("s") else None,
                            already=bool(data.get("al")), ignored=tuple(str(i) for i in data.get("i", ())))
    except (CryptoError, ValueError, KeyError, TypeError):
        raise HandoverExpired(EXPIRED) from None
    if handover.kind not in KINDS or handover.actor_id != actor_id or not (
            handover.issued_at - timedelta(seconds=5) <= now <= handover.expires_at):
        raise HandoverExpired(EXPIRED)
    return handover
