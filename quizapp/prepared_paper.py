"""The paper prepared ahead (候考, issue 29): an attempt's exam page rendered
and gzipped while its candidate waits, so that the start second costs one
read per candidate instead of a render.

    the room page (GET /attempts/{id} before the start; routes/exams.py)
        -> the exam page as it will be at the start second (nothing saved,
           the whole time left), rendered for this request's session (its
           CSRF token is in the page), gzipped, and stored here (store)
    the paper at the start (GET /attempts/{id}; exam_page's lean path)
        -> the stored page, sent as it is (Content-Encoding: gzip), if it
           was rendered for this very session and nothing has been saved or
           recorded on the attempt since; else the page is rendered as before
    the sealed paper (sealed_paper; GET /api/attempts/{id}/sealed-paper)
        -> the stored page, encrypted with the exam's key, before the start
    grading (exams._grade), a change to the bank (bank.sync_bank)
        -> the pages concerned are dropped (forget, forget_all)

The page stays the server's: it is sent only after the start second, on the
same checks as the rendered page (exam_page.load's plain case). The clock it
shows is the time at the start second; the page takes off the seconds since
(static/exam.js, from the moment the waiting room opened it).
"""
from __future__ import annotations

import gzip
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, select

from .models import PreparedPaper, utcnow

_prepared = PreparedPaper.__table__
_FOR_SESSION = select(_prepared.c.page).where(_prepared.c.attempt_id == bindparam("attempt_id"),
                                                    _prepared.c.session_hash == bindparam("session_hash"))
_FORGET = delete(_prepared).where(_prepared.c.attempt_id == bindparam("attempt_id"))

# gzip's level 6 (its default): a 40-question page of about 75 KB becomes about 12 KB
# in about 1.3 ms of CPU, paid once per candidate while the room fills, never at the start.
LEVEL = 6


def page_for(conn: Connection, attempt_id: int, session_hash: str) -> bytes | None:
    """The gzipped page rendered for this session, if there is one."""
    return conn.execute(_FOR_SESSION, {"attempt_id": attempt_id, "session_hash": session_hash}).scalar()


def packed(html: bytes) -> bytes:
    """The page as it is kept and sent: gzipped."""
    return gzip.compress(html, LEVEL)


def store(conn: Connection, attempt_id: int, session_hash: str, html: bytes, now: datetime | None = None) -> bytes:
    """Keep the page rendered for this session (replacing one rendered for another session); the page
    as kept (packed)."""
    page = packed(html)
    conn.execute(_FORGET, {"attempt_id": attempt_id})
    conn.execute(insert(_prepared), {"attempt_id": attempt_id, "session_hash": session_hash,
                                     "page": page, "prepared_at": now or utcnow()})
    return page


def forget(conn: Connection, attempt_id: int) -> None:
    conn.execute(_FORGET, {"attempt_id": attempt_id})


def forget_all(conn: Connection) -> int:
    """Every prepared page (the bank changed: pages render again, with the new text); how many."""
    return conn.execute(delete(_prepared)).rowcount


def body(page: bytes, accept_encoding: str) -> tuple[bytes, dict[str, str]]:
    """The stored page as a response body and its headers: gzip as stored for a browser that takes
    it (every browser does), else unpacked."""
    if "gzip" in accept_encoding.lower():
        return page, {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return gzip.decompress(page), {"Vary": "Accept-Encoding"}
