"""教员 · 考试: create an exam, see its attempts and each attempt's integrity log."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select
from starlette.datastructures import FormData

from ... import exams
from ...domain.errors import DomainError, NotFound
from ...domain.exams import DEFAULT_POINTS, TYPE_NAMES
from ...domain.procedure import ALL_STEPS, VOLUMES
from ...models import Attempt, Exam, User
from ..deps import SessionDep, StaffUser
from ..render import page

router = APIRouter(prefix="/instructor/exams")
BLUEPRINT_ROWS = 6


def _local(value: str, tz: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        raise DomainError(f"时间格式有误：{value}") from None


def _int(form: FormData, name: str, label: str, default: int | None = None) -> int | None:
    raw = str(form.get(name, "")).strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise DomainError(f"{label}应为整数：{raw}") from None


def exam_fields(form: FormData, tz: str) -> dict:
    """The create_exam arguments from the form, or DomainError saying which field is wrong."""
    mode = form.get("mode", "blueprint")
    blueprint = []
    if mode == "blueprint":
        for n in range(BLUEPRINT_ROWS):
            count = _int(form, f"count-{n}", f"组卷规则第 {n + 1} 行的题量")
            if count:
                blueprint.append({"count": count, "volume": str(form.get(f"volume-{n}", "")),
                                  "step": str(form.get(f"step-{n}", "")),
                                  "difficulty": _int(form, f"difficulty-{n}", "难度"),
                                  "type": str(form.get(f"type-{n}", ""))})
    ids = [i for i in re.split(r"[\s,，、]+", str(form.get("question_ids", ""))) if i] if mode == "fixed" else []
    points = {}
    for t in TYPE_NAMES:
        raw = str(form.get(f"points-{t}", "")).strip()
        if raw:
            try:
                points[t] = float(raw)
            except ValueError:
                raise DomainError(f"{TYPE_NAMES[t]}分值应为数字：{raw}") from None
    try:
        pass_percent = float(str(form.get("pass_percent", "60")) or 60)
    except ValueError:
        raise DomainError("及格线应为数字") from None
    return dict(title=str(form.get("title", "")), description=str(form.get("description", "")),
                question_ids=ids, blueprint=blueprint, points=points,
                time_limit_minutes=_int(form, "time_limit_minutes", "考试时长", 0),
                opens_at=_local(str(form.get("opens_at", "")), tz), closes_at=_local(str(form.get("closes_at", "")), tz),
                pass_percent=pass_percent, attempts_allowed=_int(form, "attempts_allowed", "允许作答次数", 1),
                shuffle_questions=form.get("shuffle_questions") == "on", shuffle_options=form.get("shuffle_options") == "on",
                multiple_rule=str(form.get("multiple_rule", "all_or_nothing")),
                review_mode=str(form.get("review_mode", "immediate")),
                focus_loss_limit=_int(form, "focus_loss_limit", "离开页面次数上限", 0))


def _form(request: Request, status_code: int = 200, error: str = "", values: dict | None = None):
    return page(request, "instructor_exam_new.html", status_code=status_code, error=error, values=values or {},
                volumes=VOLUMES, steps=ALL_STEPS, types=TYPE_NAMES, rows=range(BLUEPRINT_ROWS),
                default_points=DEFAULT_POINTS)


@router.get("/")
def exam_admin(request: Request, db: SessionDep, user: StaffUser):
    return page(request, "instructor_exams.html", exams=db.exec(select(Exam).order_by(Exam.id.desc())).all())


@router.get("/new")
def exam_new(request: Request, user: StaffUser):
    return _form(request)


@router.post("/new")
async def exam_create(request: Request, db: SessionDep, user: StaffUser):
    form = await request.form()
    try:
        exam = exams.create_exam(db, created_by=user.id, **exam_fields(form, request.app.state.settings.timezone))
    except DomainError as e:
        return _form(request, 422, e.message, dict(form))
    return RedirectResponse(f"/instructor/exams/{exam.id}", status_code=303)


@router.get("/{exam_id}")
def exam_detail(exam_id: int, request: Request, db: SessionDep, user: StaffUser):
    exam = exams.get_exam(db, exam_id)
    return page(request, "instructor_exam.html", exam=exam, rows=exams.attempts_of_exam(db, exam.id))


@router.get("/attempts/{attempt_id}")
def attempt_log(attempt_id: int, request: Request, db: SessionDep, user: StaffUser):
    attempt = db.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("考试记录不存在")
    return page(request, "instructor_attempt.html", attempt=attempt, exam=db.get(Exam, attempt.exam_id),
                trainee=db.get(User, attempt.user_id), events=exams.events(db, attempt.id), kinds=exams.EVENT_KINDS)
