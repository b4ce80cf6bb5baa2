"""考试: the exam list, an exam's 考试须知 (before its clock starts), an attempt's
page, its JSON API (autosave, clock, integrity events, submit) and the result."""
from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from typing import Any

from cachetools import TTLCache

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ... import accounts, autosave, exam_notice, exam_page, exams, prepared_paper, sealed_paper
from ...domain import waiting
from ...domain.errors import NotFound
from ...models import Attempt, Exam, utcnow
from ..deps import (COOKIE, CurrentUser, SessionDep, idle_timeout, logged_in_user, signing_key,
                    signing_key_async)
from ..render import exam_sections, page

router = APIRouter()


@router.get("/exams/")
def exam_list(request: Request, db: SessionDep, user: CurrentUser):
    return page(request, "exams.html", rows=exams.exams_for(db, user))


@router.get("/exams/{exam_id}")
def exam_notice_page(exam_id: int, request: Request, db: SessionDep, user: CurrentUser):
    """考试须知: the rules and the 开始考试 button; an open attempt goes straight back to its page."""
    notice = exam_notice.notice(db, user, exam_id)
    if notice.open_attempt is not None:
        return RedirectResponse(f"/attempts/{notice.open_attempt.id}", status_code=303)
    return page(request, "exam_notice.html", notice=notice, exam=notice.exam)


@router.post("/exams/{exam_id}/start")
def exam_start(exam_id: int, request: Request):
    """No dependencies: one thread hop (an exam's start brings thousands of these within a minute)."""
    with Session(request.app.state.engine) as db:
        attempt = exams.start_attempt(db, logged_in_user(request, db), exam_id)
        return RedirectResponse(f"/attempts/{attempt.id}", status_code=303)


@router.get("/attempts/{attempt_id}")
def attempt_page(attempt_id: int, request: Request):
    """No dependencies: the plain case (exam_page) and its rendering take one thread hop."""
    engine = request.app.state.read_engine
    found = exam_page.load(engine, token=request.cookies.get(COOKIE), attempt_id=attempt_id,
                           idle=idle_timeout(request))
    if isinstance(found, exam_page.Prepared):           # the start second: the page rendered while waiting
        content, headers = prepared_paper.body(found.page, request.headers.get("accept-encoding", ""))
        return Response(content, media_type="text/html; charset=utf-8", headers=headers)
    if found is None:
        with Session(engine) as db:
            user, now = logged_in_user(request, db), utcnow()
            attempt = exams.own_attempt(db, user, attempt_id, now)
            if attempt.status != "open":
                return RedirectResponse(f"/attempts/{attempt.id}/result", status_code=303)
            if now < attempt.started_at:        # 候考: the paper opens at the start second
                _prepare(request, db, attempt)
                room = exam_notice.waiting_room(db, user, attempt, now,
                                                request.app.state.settings.paper_spread_seconds)
                return page(request, "exam_waiting.html", room=room, notice=room.notice, exam=room.notice.exam,
                            deadline_modes=waiting.DEADLINE_MODES)
            paper = _paper(db, attempt, now)
    else:
        paper, request.state.user = found
    return page(request, "exam_attempt.html", paper=paper, sections=exam_sections(paper.questions))


def _paper(db: Session, attempt, at, *, prepared: bool = False) -> exam_page.ExamPage:
    """The exam page's data at the moment ``at``; prepared: as at the start second, before anything is saved."""
    exam = db.get(Exam, attempt.exam_id)
    return exam_page.ExamPage(attempt.id, attempt.number, exam.title, exam.focus_loss_limit, exam.focus_grace_seconds,
                              exams.rules.remaining_seconds(attempt.deadline, at),
                              0 if prepared else exams.focus_losses(db, attempt.id), exams.paper_view(db, attempt),
                              {} if prepared else exam_page.saved_versions(db.connection(), attempt.id))


def _prepare(request: Request, db: Session, attempt) -> bytes:
    """While the candidate waits, their exam page as it will be at the start second, rendered
    for this session (the CSRF token in it is the session's) and kept (prepared_paper); once per
    session. It is written on the write engine in a transaction of its own; if another request of
    the same candidate stored one meanwhile, that one is kept. Returns the page, gzipped."""
    session_hash = accounts.token_hash(request.cookies.get(COOKIE))
    kept = prepared_paper.page_for(db.connection(), attempt.id, session_hash)
    if kept is not None:
        return kept
    paper = _paper(db, attempt, attempt.started_at, prepared=True)
    html = page(request, "exam_attempt.html", paper=paper, sections=exam_sections(paper.questions), prepared=True)
    try:
        with request.app.state.engine.begin() as conn:
            return prepared_paper.store(conn, attempt.id, session_hash, html.body)
    except IntegrityError:              # another request of this session kept one meanwhile: that one
        with request.app.state.engine.connect() as conn:
            return prepared_paper.page_for(conn, attempt.id, session_hash) or prepared_paper.packed(html.body)


@router.get("/api/attempts/{attempt_id}/sealed-paper")
def api_sealed_paper(attempt_id: int, request: Request, db: SessionDep, user: CurrentUser):
    """The waiting room's paper, sealed with its exam's key (sealed_paper): to the attempt's own
    candidate, before the start second only. 409 when there is none to give (started, submitted,
    not a waiting-room attempt): the page then asks for its paper at the start as before."""
    now = utcnow()
    attempt = exams.own_attempt(db, user, attempt_id, now)
    exam = db.get(Exam, attempt.exam_id)
    if attempt.status != "open" or now >= attempt.started_at or exam.opens_at != attempt.started_at:
        raise waiting.NotStarted("本场考试没有待开封的试卷")
    page_gz = _prepare(request, db, attempt)
    sealed = sealed_paper.seal(sealed_paper.exam_key(signing_key(request), exam.id, exam.opens_at), attempt.id,
                               page_gz)
    return Response(sealed, media_type="application/octet-stream")


@router.get("/api/exams/{exam_id}/paper-key")
async def api_paper_key(exam_id: int, request: Request, hold: bool = False):
    """The key of an exam's sealed papers (sealed_paper), the same for every candidate: 409 and no
    key before the start second, public for a minute after it (a proxy may answer for the worker).
    No login: the key opens nothing but the seals, which only the candidates were given. The exam's
    start is read from the database at most once a second per worker (start_second). ``hold=1``:
    within waiting.HOLD_SECONDS of the start, the request is answered at the start second itself
    (start_gate) instead of 409 now."""
    starts_at = await start_second(request, exam_id)
    if starts_at is not None and hold and waiting.hold_seconds(starts_at, utcnow()) is not None:
        starts_at = await request.app.state.start_gate.wait(
            exam_id, starts_at, lambda exam: start_second(request, exam, fresh=True))
    if starts_at is None:
        raise NotFound("该考试没有开考时间")
    now = utcnow()
    if now < starts_at:
        return JSONResponse({"status": "waiting", "starts_in": waiting.seconds_until(starts_at, now)},
                            status_code=409)
    key = sealed_paper.exam_key(await signing_key_async(request), exam_id, starts_at)
    return JSONResponse({"key": base64.b64encode(key).decode()}, headers={"Cache-Control": "public, max-age=60"})


async def start_second(request: Request, exam_id: int, fresh: bool = False) -> datetime | None:
    """The exam's start second (None: no such exam, or none set), read at most once a second per
    worker however many ask at once (the read itself is kept); ``fresh``: read anew (kept for the others)."""
    state = request.app.state
    if getattr(state, "exam_starts", None) is None:
        state.exam_starts = TTLCache(maxsize=4096, ttl=1.0)
    read = None if fresh else state.exam_starts.get(exam_id)
    if read is None:
        read = state.exam_starts[exam_id] = asyncio.ensure_future(
            run_in_threadpool(_read_start, state.read_engine, exam_id))
    try:
        return await asyncio.shield(read)
    except Exception:
        if state.exam_starts.get(exam_id) is read:      # a failed read is not kept
            del state.exam_starts[exam_id]
        raise


def _read_start(engine, exam_id: int) -> datetime | None:
    with engine.connect() as conn:
        return conn.execute(select(Exam.__table__.c.opens_at).where(Exam.__table__.c.id == exam_id)).scalar()


@router.post("/attempts/{attempt_id}/submit")
def attempt_submit(attempt_id: int, request: Request):
    _hand_in(request, attempt_id, auto=False)
    return RedirectResponse(f"/attempts/{attempt_id}/result", status_code=303)


def _hand_in(request: Request, attempt_id: int, *, auto: bool) -> str:
    """交卷: one row written (the lean path of autosave.hand_in, else exams.hand_in); graded here
    on a quiet worker, else left to the worker's grader (quizapp/grader.py). The attempt's status."""
    engine = request.app.state.engine
    if autosave.hand_in(engine, token=request.cookies.get(COOKIE), attempt_id=attempt_id, auto=auto,
                        idle=idle_timeout(request)):
        status = "grading"
    else:
        with Session(engine) as db:
            status = exams.hand_in(db, logged_in_user(request, db), attempt_id, auto=auto).status
    if status != "grading":
        return status
    grader = request.app.state.grader
    if grader.arrived():
        grader.wake()
        return status
    with Session(engine) as db:
        return exams.grade_now(db, db.get(Attempt, attempt_id)).status


@router.get("/attempts/{attempt_id}/result")
def attempt_result(attempt_id: int, request: Request, db: SessionDep, user: CurrentUser, wrong: str = ""):
    """The score, and when the review is shown a jump bar of every question (right or wrong) and each
    question with its key; ``wrong=1``: 只看错题 (those without full marks)."""
    now, grader = utcnow(), request.app.state.grader
    if grader.busy:         # after a common deadline: most of these pages find their attempt still being graded
        being_graded = exams.being_graded(db, user, attempt_id)
        if being_graded is not None:
            return _grading_page(request, being_graded)
    attempt = exams.own_attempt(db, user, attempt_id, now)
    if attempt.status == "open":
        return RedirectResponse(f"/attempts/{attempt.id}", status_code=303)
    if attempt.status == "grading":                         # a quiet worker: the score at once
        attempt = exams.grade_now(db, attempt)
    exam = db.get(Exam, attempt.exam_id)
    # while another attempt is open, no review: its paper may hold the same questions
    paused = exams.open_attempt_of(db, user.id, now) is not None
    allowed = exams.review_open(db, exam, now) and not paused
    return page(request, "exam_result.html", attempt=attempt, exam=exam, review=allowed, paused=paused,
                items=exams.result_items(db, attempt) if allowed else [], only_wrong=wrong == "1",
                outcomes=exams.rules.OUTCOMES)


def _grading_page(request: Request, being_graded: exams.BeingGraded):
    """正在评分, and a look again when the grader expects to be done (its Refresh header)."""
    retry = request.app.state.grader.next_look()
    return page(request, "exam_grading.html", attempt=being_graded, exam=being_graded, retry=retry,
                headers={"Refresh": str(retry), "Cache-Control": "no-store"})


# --- JSON API used by the attempt page (static/exam.js) ---------------------------

class AnswerIn(BaseModel):
    question_id: str = Field(max_length=64)
    response: list[str] | dict[str, list[str]]
    # the version of the answer the page showed when this one was chosen (exams.write_answers);
    # without it the save replaces whatever is stored. At most what a page's number holds exactly.
    base: int | None = Field(default=None, ge=0, le=2**53 - 1)


class EventIn(BaseModel):
    kind: str = Field(max_length=16)
    detail: str = Field(default="", max_length=200)
    duration_ms: int | None = Field(default=None, ge=0, le=2**31 - 1)   # how long the page was left


class SubmitIn(BaseModel):
    auto: bool = False            # the page's clock ran out: 时间到自动交卷, not 本人交卷


# The autosave and the clock are async routes with no per-request dependencies
# beyond the CSRF check. The clock makes one trip to the thread pool, where
# autosave answers the plain case and the general path every other. A save
# waits for its batch in the worker's save queue (save_queue: one transaction
# for every save waiting); only a save that is not the plain case goes on to
# the general path in the thread pool. The save's body is parsed by pydantic
# straight from the JSON bytes (AnswerIn.model_validate_json) rather than by
# FastAPI's body resolution (the whole route: 112 against 126 µs of CPU,
# measured in process); the schema is still declared (openapi_extra) and a
# bad body is the usual 422.
# No route here declares a return type: FastAPI would validate a sync route's
# return value in the thread pool, after the route and before its session is
# closed, so a request holding a transaction (on SQLite: the write lock) would
# wait for a free thread while every thread waits for that lock.

def _json_schema(model: type[BaseModel]) -> dict:
    """The body's schema for OpenAPI, for a route that parses its body itself (_json_body)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


async def _json_body(model: type[BaseModel], request: Request):
    """The request's JSON body parsed by pydantic straight from its bytes; a bad body is the usual 422."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors(include_url=False, include_context=False)) from None


@router.post("/api/attempts/{attempt_id}/answers", openapi_extra=_json_schema(AnswerIn))
async def api_save(attempt_id: int, request: Request):
    body = await _json_body(AnswerIn, request)
    saved = await request.app.state.saves.save(autosave.SaveRequest(
        request.cookies.get(COOKIE), attempt_id, body.question_id, body.response, body.base, idle_timeout(request)))
    if saved is None:
        saved = await run_in_threadpool(_save, request, attempt_id, body)
    # applied: the server keeps this answer; else another device's newer one, which the page shows
    return JSONResponse({"saved": True, "applied": saved.applied, "question_id": body.question_id,
                         "saved_at": saved.saved_at.isoformat(), "seq": saved.seq,
                         "response": saved.response,         # plain JSON: no encoder pass needed
                         "remaining": saved.remaining})      # the clock: the page syncs on every save


def _save(request: Request, attempt_id: int, body: AnswerIn) -> exams.Saved:
    """The general path: a save that is not the plain case, answered with the usual error."""
    with Session(request.app.state.engine) as db:
        return exams.save_answer(db, logged_in_user(request, db), attempt_id, question_id=body.question_id,
                                 response=body.response, base=body.base)


@router.get("/api/attempts/{attempt_id}/state")
async def api_state(attempt_id: int, request: Request):
    return await run_in_threadpool(_state, request, attempt_id)


def _state(request: Request, attempt_id: int) -> dict[str, Any]:
    engine, status = request.app.state.read_engine, "open"
    clock = autosave.clock(engine, token=request.cookies.get(COOKIE), attempt_id=attempt_id,
                           idle=idle_timeout(request))
    if clock is None:
        with Session(engine) as db:
            now = utcnow()
            attempt = exams.own_attempt(db, logged_in_user(request, db), attempt_id, now)
            status = attempt.status
            clock = autosave.Clock(exams.rules.remaining_seconds(attempt.deadline, now),
                                   sorted(exams.saved_responses(db, attempt)),
                                   waiting.seconds_until(attempt.started_at, now))
    if clock.starts_in > 0:         # the waiting room's clock (static/waiting.js)
        return {"status": "waiting", "starts_in": clock.starts_in, "paper_url": f"/attempts/{attempt_id}"}
    return {"status": status, "remaining": clock.remaining, "saved": clock.saved,
            "result_url": f"/attempts/{attempt_id}/result"}


@router.post("/api/attempts/{attempt_id}/check")
def api_check(attempt_id: int, db: SessionDep, user: CurrentUser):
    """候考室的设备检测: a save of nothing. It passes the session, the CSRF check and the
    attempt's ownership as a save does, and writes nothing."""
    attempt = exams.own_attempt(db, user, attempt_id)
    if attempt.status != "open":
        raise exams.AttemptClosed("本次考试已交卷")
    return {"ok": True, "starts_in": waiting.seconds_until(attempt.started_at, utcnow())}


@router.post("/api/attempts/{attempt_id}/events", openapi_extra=_json_schema(EventIn))
async def api_event(attempt_id: int, request: Request):
    """As the save: the plain case of an event that cannot count on the lean path (autosave), every
    other case on the general path (exams.record_event), both in one thread hop."""
    body = await _json_body(EventIn, request)
    outcome = await run_in_threadpool(_event, request, attempt_id, body)
    return {"focus_losses": outcome.focus_losses, "limit": outcome.limit, "submitted": outcome.submitted,
            "counted": outcome.counted, "warning": outcome.warning, "result_url": f"/attempts/{attempt_id}/result"}


def _event(request: Request, attempt_id: int, body: EventIn) -> exams.EventOutcome:
    engine = request.app.state.engine
    outcome = autosave.record_event(engine, token=request.cookies.get(COOKIE), attempt_id=attempt_id,
                                    kind=body.kind, detail=body.detail, duration_ms=body.duration_ms,
                                    idle=idle_timeout(request))
    if outcome is None:
        with Session(engine) as db:
            outcome = exams.record_event(db, logged_in_user(request, db), attempt_id, kind=body.kind,
                                         detail=body.detail, duration_ms=body.duration_ms)
    return outcome


@router.post("/api/attempts/{attempt_id}/submit", openapi_extra=_json_schema(SubmitIn))
async def api_submit(attempt_id: int, request: Request):
    """No dependencies: the plain case (autosave.hand_in) takes one thread hop. The body is optional."""
    body = await _json_body(SubmitIn, request) if (await request.body()).strip() else SubmitIn()
    status = await run_in_threadpool(_hand_in, request, attempt_id, auto=body.auto)
    if status == "grading":         # the page opens the result when the grader expects to be done
        return {"status": status, "result_url": f"/attempts/{attempt_id}/result",
                "retry": request.app.state.grader.next_look()}
    return {"status": status, "result_url": f"/attempts/{attempt_id}/result"}
