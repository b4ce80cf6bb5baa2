"""Request limits, checked before any route runs.

A pure ASGI middleware (the exam page's autosave pays a few microseconds for
it), installed by create_app:

- **Body size, per kind of route.** The exam page's JSON API (an answer is at
  most a few hundred bytes, an integrity event less) takes ``API_BODY``; the
  roster upload ``UPLOAD_BODY`` (the workbook's own limit, routes/cohorts.py's
  ``MAX_UPLOAD``, plus the form around it); every other form ``FORM_BODY``
  (the longest free-text field, 2,000 characters, is 18 KB form-encoded). A
  larger body is refused with 413 by its Content-Length before a byte of it
  is read, or, without a Content-Length (chunked), as soon as the bytes
  counted pass the limit. The route never sees it. nginx refuses the same at
  the proxy (``client_max_body_size`` in deploy/nginx.conf).
- **NUL bytes.** PostgreSQL cannot store them in text and no field of the
  platform has a use for them: a NUL in the path, the query string, a form
  field (URL-encoded or multipart, or an uploaded file's name) or a JSON
  string is refused with 400, the same on SQLite and PostgreSQL.

Refusals are Chinese: a page, or ``{"detail": ...}`` under /api/ (errors.refusal).
"""
from __future__ import annotations

import re

from .errors import refusal
from .routes.cohorts import MAX_UPLOAD

API_BODY = 4 * 1024                       # /api/…: answers, integrity events, submit
FORM_BODY = 64 * 1024                     # every form, with its free text
UPLOAD_BODY = MAX_UPLOAD + 64 * 1024      # the roster workbook and its form
UPLOADS = re.compile(r"^(/instructor/cohorts/[^/]+|/supervisor/units)/roster$")   # a cohort's roster, the officer roster

TOO_LARGE_JSON = "提交的数据过大，已拒收"
TOO_LARGE_FORM = f"提交的内容过大（超过 {FORM_BODY // 1024} KB），已拒收：请删减后重试"
TOO_LARGE_FILE = f"文件过大（超过 {MAX_UPLOAD // (1024 * 1024)} MB），已拒收：请拆分后上传"
NUL_REFUSED = "提交的内容含有不允许的字符（空字符），已拒收"

_JSON_NUL = re.compile(rb"(\\+)u0000")    # \u0000 in a JSON string (an odd run of backslashes: an escape)


def body_limit(path: str) -> int:
    """The largest body a request to ``path`` may carry, in bytes."""
    if path.startswith("/api/"):
        return API_BODY
    if UPLOADS.match(path):
        return UPLOAD_BODY
    return FORM_BODY


def too_large_message(path: str) -> str:
    if path.startswith("/api/"):
        return TOO_LARGE_JSON
    return TOO_LARGE_FILE if UPLOADS.match(path) else TOO_LARGE_FORM


def nul_in_query(query: bytes) -> bool:
    return b"%00" in query or b"\x00" in query


def nul_in_body(content_type: bytes, body: bytes) -> bool:
    """Whether a form or JSON body carries a NUL in any text (a file's content may hold NULs)."""
    kind = content_type.split(b";", 1)[0].strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        return b"%00" in body or b"\x00" in body
    if kind == b"application/json" or kind.endswith(b"+json"):
        return b"\x00" in body or any(len(m.group(1)) % 2 for m in _JSON_NUL.finditer(body))
    if kind == b"multipart/form-data":
        return _nul_in_multipart(content_type, body)
    return False


def _nul_in_multipart(content_type: bytes, body: bytes) -> bool:
    """A NUL in any part's headers (its field or file name) or in a part that is not a file."""
    found = re.search(rb'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    if not found:
        return False                              # no boundary: the form parser refuses it
    for part in body.split(b"--" + found.group(1)):
        headers, _, content = part.partition(b"\r\n\r\n")
        if b"\x00" in headers or b"%00" in headers:
            return True
        if b"filename" not in headers.lower() and b"\x00" in content:
            return True
    return False


class RequestLimits:
    """Refuse what is too large or carries a NUL byte, before the app sees it.
    A body that passes is read once here and handed on unchanged."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if "\x00" in path or nul_in_query(scope.get("query_string", b"")):
            await refusal(scope, 400, NUL_REFUSED)(scope, receive, send)
            return
        length, chunked, content_type = None, False, b""
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"content-type":
                content_type = value
        limit = body_limit(path)
        if length is not None:
            if not length.isdigit():
                await refusal(scope, 400, "请求格式有误（Content-Length）")(scope, receive, send)
                return
            if int(length) > limit:
                await refusal(scope, 413, too_large_message(path))(scope, receive, send)
                return
        if not chunked and not (length and int(length)):
            await self.app(scope, receive, send)          # no body at all
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return                                    # the client has gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await refusal(scope, 413, too_large_message(path))(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if nul_in_body(content_type, body):
            await refusal(scope, 400, NUL_REFUSED)(scope, receive, send)
            return
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay():
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)
