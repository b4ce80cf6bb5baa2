"""The FastAPI application: routers, error pages, static files, the handbook."""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..config import Settings, get_settings
from ..db import checkpoint_wal, make_engine
from ..grader import Grader
from ..save_queue import SaveQueue
from .. import exams as exam_service
from ..domain.errors import DomainError
from ..exams import PracticePaused
from .csrf import csrf_protect
from .deps import NotLoggedIn, PasswordChangeRequired
from . import errors, render
from .handbook_files import HandbookFiles
from .headers import CachedStatic, SecurityHeaders
from .limits import RequestLimits
from .start_gate import StartGate
from .render import page
from .routes import (auth, cohorts, editor, exams, feedback, instructor, instructor_exams, me, mistakes, practice,
                     reports, supervisor, surveys)
from .routes import bank, county_lists, exam_preview


# Every router of the service, in the order they are matched (the handbook is mounted last, at /).
ROUTERS = (auth.router, practice.router, exams.router, mistakes.router, me.router, instructor.router,
           instructor_exams.router, exam_preview.router, bank.router, cohorts.router, surveys.router, feedback.router, supervisor.router,
           county_lists.router, reports.router, editor.router)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        sweeper = asyncio.create_task(sweep_expired(app)) if settings.sweep_seconds > 0 else None
        grader = asyncio.create_task(app.state.grader.run())
        checkpointer = (asyncio.create_task(checkpoint_every_second(app.state.engine))
                        if app.state.engine.dialect.name == "sqlite" else None)
        yield
        for task in (sweeper, grader, checkpointer):
            if task:
                task.cancel()
        await run_in_threadpool(app.state.saves.close)
        if engine is None:              # the app made it: close its connections
            app.state.engine.dispose()
        if app.state.read_engine is not app.state.engine:
            app.state.read_engine.dispose()

    app = FastAPI(title="镇街综合行政执法教程 · 练习与考试", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan, dependencies=[Depends(csrf_protect)],
                  # no OpenTelemetry export is configured: skip FastAPI's per-request telemetry checks
                  telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False})
    app.state.settings = settings
    render.TIMEZONE["name"] = settings.timezone
    app.state.engine = engine or make_engine(settings.database_url)
    # PostgreSQL: the same engine. SQLite: a second pool whose reads take no lock (see deps.get_db).
    app.state.read_engine = (make_engine(settings.database_url, immediate=False)
                             if app.state.engine.dialect.name == "sqlite" else app.state.engine)
    app.state.saves = SaveQueue(app.state.engine)       # the exam page's autosave, written in batches
    app.state.start_gate = StartGate(lambda: exams.utcnow())   # 候考: key requests held until the start
    app.state.grader = Grader(lambda failed: exam_service.grade_handed_in(app.state.engine, failed=failed),  # 交卷
                              busy_per_second=settings.grade_in_request_per_second)

    for router in ROUTERS:
        app.include_router(router)
    # outermost first: the client's scheme and address (trusted proxies only), the headers, the limits
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    errors.install(app)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, exc: NotLoggedIn):
        if wants_json(request):
            return JSONResponse({"detail": "登录已失效，请重新登录"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/practice/"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def to_password_form(request: Request, exc: PasswordChangeRequired):
        """An initial password: nothing but 修改密码 and 退出 until it is changed."""
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/practice/"
        return RedirectResponse(f"/account/password?next={quote(target)}", status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        if wants_json(request):
            return JSONResponse({"detail": exc.message}, status_code=exc.status)
        if isinstance(exc, PracticePaused):
            return page(request, "practice_paused.html", status_code=exc.status, message=exc.message,
                        attempt_id=exc.attempt_id)
        return page(request, "error.html", status_code=exc.status, message=exc.message)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)            # every pooled connection busy: overloaded, retry shortly
    async def database_unavailable(request: Request, exc: Exception):
        """The database is down or overloaded: a clear 503, nothing half-written
        (the transaction is rolled back with the session), and the pool
        reconnects by itself once it is back."""
        logging.getLogger("quizapp").warning("database unavailable: %s", str(exc).splitlines()[0][:200])
        message = "服务暂时无法访问数据库，请稍后重试；已保存的内容不会丢失"
        headers = {"Retry-After": "5"}
        if wants_json(request):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        return page(request, "error.html", status_code=503, message=message, headers=headers)

    @app.exception_handler(OverflowError)     # an id beyond 64 bits reaches SQLite's INTEGER conversion
    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        if wants_json(request):
            return JSONResponse({"detail": "提交的数据格式有误"}, status_code=422)
        return page(request, "error.html", status_code=422, message="请求参数有误，请返回重试")

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True}

    app.mount("/static", CachedStatic(directory=Path(__file__).parent / "static", cache_control="no-cache"),
              name="static")
    site = Path(settings.site_dir)
    if (site / "index.html").is_file():
        app.mount("/", HandbookFiles(directory=site, html=True), name="handbook")
    else:
        @app.get("/", include_in_schema=False)
        def no_handbook():
            return HTMLResponse("<p>手册尚未构建：请运行 <code>python3 manage.py run</code>"
                                "（或 <code>.venv/bin/mkdocs build</code>）。<a href='/practice/'>进入练习</a></p>")
    return app


async def sweep_expired(app: FastAPI) -> None:
    """Grade attempts whose time is up even if no page asks about them (every
    read grades them too; this keeps instructors' figures current). With
    several workers one sweeps at a time (see exams.sweep), and grading an
    attempt twice writes once."""
    while True:
        await asyncio.sleep(app.state.settings.sweep_seconds)
        try:
            await run_in_threadpool(_sweep_once, app)
        except Exception:  # noqa: BLE001 - a failed sweep must not stop the next one
            logging.getLogger("quizapp").exception("sweeping expired attempts failed")


def _sweep_once(app: FastAPI) -> int | None:
    return exam_service.sweep(app.state.engine)


async def checkpoint_every_second(engine: Engine) -> None:
    """SQLite: the WAL's checkpoint, off the requests' path (see db.py)."""
    while True:
        await asyncio.sleep(1)
        try:
            await run_in_threadpool(checkpoint_wal, engine)
        except Exception:  # noqa: BLE001 - a failed checkpoint is retried in a second; the backstop remains
            logging.getLogger("quizapp").exception("checkpointing the SQLite WAL failed")
