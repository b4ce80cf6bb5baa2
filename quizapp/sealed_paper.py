"""The paper sent sealed before the start (候考, issue 29): the waiting room
holds its candidate's paper, encrypted, long before the start second, and the
start costs one tiny request for the exam's key instead of the paper.

    the room page (static/waiting.js), once, at a moment spread over the wait
        GET /api/attempts/{id}/sealed-paper
        -> the page prepared for this session (prepared_paper: gzipped HTML),
           sealed with the exam's key (AES-256-GCM, the attempt's id bound in
           as associated data); before the start second only, to the
           attempt's own candidate
    the start second, plus the page's own delay
        GET /api/exams/{exam_id}/paper-key
        -> 409 and no key before the exam's start second; after it the key,
           the same for every candidate: the response is public for a minute,
           so a proxy in front may answer it, and a worker answers it from
           memory (no database read but the exam's start, kept a second)
    the page opens the seal (WebCrypto), unpacks it (DecompressionStream) and
    writes it in place of the room; it is the page GET /attempts/{id} would
    have sent at that second (exam_page's prepared path).

The key is derived, not stored: BLAKE2b keyed with the platform's signing key
(devices.signing_key) over the exam's id and start second. Moving the start
changes the key: a paper sealed before the move no longer opens, and its page
asks the server for the paper as a page without the seal does. A browser
without WebCrypto (a page served over plain HTTP to another host than
localhost: crypto.subtle needs a secure context) or DecompressionStream never
asks for the seal and loads the paper from the server at the start, as before.

Plain functions: no database, no clock of their own.
"""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12                # AES-GCM's standard nonce; random per seal
_PERSON = b"zj-sealed-paper"   # BLAKE2b's personalisation: this key is for nothing else


def exam_key(signing_key: str, exam_id: int, starts_at: datetime) -> bytes:
    """The 256-bit key of an exam's sealed papers for this start second."""
    moment = (starts_at if starts_at.tzinfo is not None else starts_at.replace(tzinfo=timezone.utc))
    message = f"{exam_id}|{moment.astimezone(timezone.utc).isoformat(timespec='microseconds')}".encode()
    return hashlib.blake2b(message, key=signing_key.encode()[:64], digest_size=32, person=_PERSON).digest()


def _bound(attempt_id: int) -> bytes:
    return f"attempt:{attempt_id}".encode()


def seal(key: bytes, attempt_id: int, page: bytes) -> bytes:
    """nonce + ciphertext and tag of the page, bound to the attempt (another attempt's seal does not open)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, page, _bound(attempt_id))


def open_seal(key: bytes, attempt_id: int, sealed: bytes) -> bytes:
    """The page (what the browser does with WebCrypto); cryptography's InvalidTag if the key,
    the attempt or a byte is wrong."""
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _bound(attempt_id))
