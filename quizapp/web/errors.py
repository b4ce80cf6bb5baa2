"""Errors answered in Chinese: a page, or ``{"detail": "..."}`` under /api/.

Installed by create_app (``install``) beside its own handlers (domain errors,
login, database unavailable, validation): every error a user can cause is a
4xx with a Chinese message, whatever raised it.

- Starlette's and FastAPI's HTTP errors (404 of an unknown path, 405 of a
  method a route does not take, 400 of a body the form parser cannot read):
  their English detail is replaced by the Chinese one for the status.
- A value the database refuses (sqlalchemy DataError: a string too long for
  its PostgreSQL column, a character it cannot store): 422. The services
  check lengths first (quizapp/domain/text.py); this is the backstop, and it
  is logged as a missing check.
- Anything else: a Chinese 500 with the security headers (Starlette's
  outermost error middleware answers it, outside headers.SecurityHeaders).
"""
from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from .render import page

log = logging.getLogger("quizapp")
CJK = re.compile(r"[\u4e00-\u9fff]")

MESSAGES = {
    400: "请求格式有误，请返回重试",
    401: "请先登录",
    403: "您没有访问此页面的权限",
    404: "页面不存在，请检查地址",
    405: "不支持该请求方式",
    409: "操作与当前状态冲突，请刷新页面后重试",
    413: "提交的内容过大，已拒收",
    415: "不支持该内容类型",
    422: "请求参数有误，请返回重试",
    429: "请求过于频繁，请稍后再试",
}
DATA_REFUSED = "输入的内容过长或含有无法保存的字符，请检查后重试"
SERVER_ERROR = "服务器出错了，请稍后重试；已保存的答案不会丢失"


def wants_json(path: str) -> bool:
    return path.startswith("/api/")


def refusal(scope_or_request, status: int, message: str, headers: dict | None = None, *, show_user: bool = True):
    """The response that refuses a request: JSON under /api/, else the error page
    (without the user's name when their database session is gone: ``show_user``)."""
    request = scope_or_request if isinstance(scope_or_request, Request) else Request(scope_or_request)
    if wants_json(request.url.path):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    extra = {} if show_user else {"user": None}
    return page(request, "error.html", status_code=status, message=message, headers=headers, **extra)


def chinese(detail, status: int) -> str:
    """The exception's own message if it is Chinese, else the status's."""
    if isinstance(detail, str) and CJK.search(detail):
        return detail
    return MESSAGES.get(status, "请求无法处理，请返回重试" if status < 500 else SERVER_ERROR)


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return refusal(request, exc.status_code, chinese(exc.detail, exc.status_code), getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def data_refused(request: Request, exc: DataError):
        log.warning("a value reached the database unchecked (%s %s): %s", request.method, request.url.path,
                    str(exc.orig).splitlines()[0][:200])
        return refusal(request, 422, DATA_REFUSED, show_user=False)      # the request's session is rolled back

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        from .headers import NO_STORE, security_headers  # outside SecurityHeaders: add them here
        response = refusal(request, 500, SERVER_ERROR, show_user=False)
        for name, value in [*security_headers(request.scope), NO_STORE]:
            response.headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        return response
