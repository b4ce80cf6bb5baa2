"""教员 · 考试: create an exam, see its attempts and each attempt's integrity log."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select
from starlette.datastructures import FormData

from ... import cohorts, exams, surveys
from ...content.items import catalogue
from ...domain import statistics
from ...exports import XLSX, Sheet, csv_bytes, workbook
from ...domain.errors import DomainError, NotFound
from ...domain import exams as rules
from ...domain import waiting
from ...domain.exams import DEFAULT_POINTS, DIFFICULTY_NAMES, MIN_CERTIFYING_ITEMS, POOLS, PURPOSES, TYPE_NAMES
from ...domain.procedure import ALL_STEPS, VOLUMES
from ...models import Attempt, Cohort, CohortInstructor, Exam, Role, User, utcnow
from .. import confirmation
from ..deps import SessionDep, StaffUser
from ..render import local_datetime, local_time, page, percent, with_notice

router = APIRouter(prefix="/instructor/exams")
BLUEPRINT_ROWS = 6


def _parsed(form: FormData, name: str, label: str, convert, kind: str, default=None):
    """A form field read by ``convert`` (int, float); empty: ``default``; else DomainError naming it."""
    raw = str(form.get(name, "")).strip()
    if not raw:
        return default
    try:
        return convert(raw)
    except ValueError:
        raise DomainError(f"{label}应为{kind}：{raw}") from None


def _int(form: FormData, name: str, label: str, default: int | None = None) -> int | None:
    return _parsed(form, name, label, int, "整数", default)


def _number(form: FormData, name: str, label: str) -> float | None:
    return _parsed(form, name, label, float, "数字")


def _item(form: FormData, n: int) -> str:
    """A blueprint row's 赋权事项, one of the catalogue's ids, or ''."""
    item = str(form.get(f"item-{n}", "")).strip()
    if item and item not in catalogue():
        raise DomainError(f"组卷规则第 {n + 1} 行的赋权事项不在事项目录中：{item[:40]}")
    return item


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
                                  "type": str(form.get(f"type-{n}", "")),
                                  "pool": str(form.get(f"pool-{n}", "")),
                                  "item": _item(form, n),
                                  "points": _number(form, f"row-points-{n}", f"组卷规则第 {n + 1} 行的每题分值")})
    ids = [i for i in re.split(r"[\s,，、]+", str(form.get("question_ids", ""))) if i] if mode == "fixed" else []
    points = {t: value for t in TYPE_NAMES
              if (value := _number(form, f"points-{t}", f"{TYPE_NAMES[t]}分值")) is not None}
    try:
        pass_percent = float(str(form.get("pass_percent", "60")) or 60)
    except ValueError:
        raise DomainError("及格线应为数字") from None
    return dict(title=str(form.get("title", "")), description=str(form.get("description", "")),
                question_ids=ids, blueprint=blueprint, points=points,
                time_limit_minutes=_int(form, "time_limit_minutes", "考试时长", 0),
                opens_at=local_datetime(str(form.get("opens_at", "")), tz),
                closes_at=local_datetime(str(form.get("closes_at", "")), tz),
                pass_percent=pass_percent, attempts_allowed=_int(form, "attempts_allowed", "允许作答次数", 1),
                shuffle_questions=form.get("shuffle_questions") == "on", shuffle_options=form.get("shuffle_options") == "on",
                multiple_rule=str(form.get("multiple_rule", "all_or_nothing")),
                review_mode=str(form.get("review_mode", "immediate")),
                focus_loss_limit=_int(form, "focus_loss_limit", "离开页面次数上限", 0),
                focus_grace_seconds=_int(form, "focus_grace_seconds", "离开页面宽限时间", 3),
                certifying=form.get("certifying") == "on",
                cohort_id=_int(form, "cohort_id", "培训班"), purpose=str(form.get("purpose", "exam")),
                waiting_minutes=_int(form, "waiting_minutes", "候考时间", waiting.DEFAULT_MINUTES),
                deadline_mode=str(form.get("deadline_mode", waiting.OWN)))


def _form(request: Request, db, user, status_code: int = 200, error: str = "", values: dict | None = None):
    return page(request, "instructor_exam_new.html", status_code=status_code, error=error, values=values or {},
                cohorts=cohorts.visible_cohorts(db, user),
                volumes=VOLUMES, steps=ALL_STEPS, types=TYPE_NAMES, rows=range(BLUEPRINT_ROWS),
                default_points=DEFAULT_POINTS, purposes=PURPOSES, pools=POOLS, min_certifying=MIN_CERTIFYING_ITEMS,
                deadline_modes=waiting.DEADLINE_MODES,
                difficulties=DIFFICULTY_NAMES, items=catalogue())


@router.get("/")
def exam_admin(request: Request, db: SessionDep, user: StaffUser, withdrawn: int | None = None):
    """The exams this user may see, withdrawn ones marked; ``withdrawn``: the one just withdrawn."""
    visible = {c.id for c in cohorts.visible_cohorts(db, user)}
    shown = [e for e in db.exec(select(Exam).order_by(Exam.id.desc())) if may_see(user, e, visible)]
    return page(request, "instructor_exams.html", exams=shown,
                withdrawn=next((e for e in shown if e.id == withdrawn and not e.active), None))


@router.get("/new")
def exam_new(request: Request, db: SessionDep, user: StaffUser):
    return _form(request, db, user)


@router.post("/new")
async def exam_create(request: Request, db: SessionDep, user: StaffUser):
    form = await request.form()
    try:
        fields = exam_fields(form, request.app.state.settings.timezone)
        if fields["cohort_id"] is not None:
            cohorts.cohort_for(db, user, fields["cohort_id"])
        exam = exams.create_exam(db, created_by=user.id, **fields)
    except DomainError as e:
        return _form(request, db, user, 422, e.message, dict(form))
    return RedirectResponse(with_notice(f"/instructor/exams/{exam.id}", "exam-created"), status_code=303)


def may_see(user, exam: Exam, visible_cohorts: set[int]) -> bool:
    """A cohort's exam belongs to that cohort's instructors; an exam for
    everyone to its creator; supervisors see all."""
    if user.role == Role.supervisor.value:
        return True
    if exam.cohort_id is not None:
        return exam.cohort_id in visible_cohorts
    return exam.created_by == user.id


def exam_for(db, user, exam_id: int) -> Exam:
    """The exam, if this instructor may see it (may_see); 404 otherwise."""
    exam = exams.get_exam(db, exam_id)
    visible = {exam.cohort_id} if exam.cohort_id is not None and db.get(
        CohortInstructor, (exam.cohort_id, user.id)) else set()
    if not may_see(user, exam, visible):
        raise NotFound("考试不存在，或不是您的培训班或您创建的考试")
    return exam


def _status_context(db, exam: Exam) -> dict:
    """The live status: every expected trainee (exams.expected_trainees) and how they were chosen, and the
    minutes each open attempt may still be extended by (custody.extension_choices)."""
    now = utcnow()
    status = exams.cohort_status(db, exam, now)
    waiting_now = (waiting.room_state(now, exam.opens_at, exam.waiting_minutes) == waiting.WAITING
                   or any(s.status == waiting.WAITING_NOW for s in status))
    return dict(exam=exam, status=status, expected=exams.expected_trainees(db, exam), statuses=waiting.STATUSES,
                refresh_seconds=10 if waiting_now else 30,
                cohort=db.get(Cohort, exam.cohort_id) if exam.cohort_id else None,
                updated=local_time(now, "%H:%M:%S"),
                extensions={a.id: exams.extension_choices(exam, a) for s in status for a in s.attempts
                            if a.status == "open"})


@router.get("/{exam_id}")
def exam_detail(exam_id: int, request: Request, db: SessionDep, user: StaffUser, error: str = ""):
    """The exam's page; ``error``: why an action was refused (what was just done: render.NOTICES)."""
    exam = exam_for(db, user, exam_id)
    return page(request, "instructor_exam.html", rows=exams.attempts_of_exam(db, exam.id), error=error,
                started=exams.attempts_started(db, exam),
                window=rules.window_state(utcnow(), exam.opens_at, exam.closes_at),
                **_status_context(db, exam))


def _edit_form(request: Request, db, exam, status_code: int = 200, error: str = "", values: dict | None = None):
    return page(request, "instructor_exam_edit.html", status_code=status_code, exam=exam, error=error,
                values=values, started=exams.attempts_started(db, exam), deadline_modes=waiting.DEADLINE_MODES)


@router.get("/{exam_id}/edit")
def exam_edit_form(exam_id: int, request: Request, db: SessionDep, user: StaffUser):
    """修改考试: every field before anyone starts; afterwards the window's end and the description only."""
    return _edit_form(request, db, exam_for(db, user, exam_id))


@router.post("/{exam_id}/edit")
async def exam_edit(exam_id: int, request: Request, db: SessionDep, user: StaffUser):
    form = await request.form()
    exam = exam_for(db, user, exam_id)
    tz = request.app.state.settings.timezone

    def when(name: str):            # a field the form leaves out stays as it is
        return local_datetime(str(form[name]), tz) if name in form else getattr(exam, name)
    try:
        changed = exams.edit_exam(
            db, user, exam, title=str(form.get("title", exam.title)),
            description=str(form.get("description", exam.description)),
            opens_at=when("opens_at"), closes_at=when("closes_at"),
            time_limit_minutes=_int(form, "time_limit_minutes", "考试时长", exam.time_limit_minutes),
            attempts_allowed=_int(form, "attempts_allowed", "允许作答次数", exam.attempts_allowed),
            waiting_minutes=_int(form, "waiting_minutes", "候考时间", exam.waiting_minutes),
            deadline_mode=str(form.get("deadline_mode", exam.deadline_mode)))
    except DomainError as e:
        return _edit_form(request, db, exam, 422, e.message, dict(form))
    url = f"/instructor/exams/{exam.id}"
    return RedirectResponse(with_notice(url, "exam-edited") if changed else url, status_code=303)


@router.post("/{exam_id}/close")
def exam_close(exam_id: int, request: Request, db: SessionDep, user: StaffUser,
               confirmed: Annotated[str, Form()] = ""):
    """关闭考试: the window ends now; open attempts keep their own deadlines."""
    exam = exam_for(db, user, exam_id)
    if not confirmation.confirmed(confirmed):
        return confirmation.ask(request, f"现在关闭“{exam.title}”？", request.url.path, f"/instructor/exams/{exam_id}",
                                {}, "关闭后学员不能再开始作答；正在作答的学员按各自的截止时间继续，届时自动交卷。记入操作日志。")
    try:
        exams.close_exam(db, user, exam)
    except DomainError as e:
        return RedirectResponse(f"/instructor/exams/{exam_id}?{urlencode({'error': e.message})}", status_code=303)
    return RedirectResponse(with_notice(f"/instructor/exams/{exam_id}", "exam-closed"), status_code=303)


@router.post("/{exam_id}/withdraw")
def exam_withdraw(exam_id: int, request: Request, db: SessionDep, user: StaffUser,
                  confirmed: Annotated[str, Form()] = ""):
    """撤回: hidden from trainees, only while nobody has started it (else the page says why and offers 关闭)."""
    exam = exam_for(db, user, exam_id)
    started = exams.attempts_started(db, exam)
    if not started and not confirmation.confirmed(confirmed):
        return confirmation.ask(request, f"撤回“{exam.title}”？", request.url.path, f"/instructor/exams/{exam_id}",
                                {}, "撤回后学员看不到本考试，也不能作答；考试从考试管理中移除。记入操作日志。")
    try:
        exams.withdraw_exam(db, user, exam)
    except DomainError as e:
        return RedirectResponse(f"/instructor/exams/{exam_id}?{urlencode({'error': e.message})}#manage",
                                status_code=303)
    return RedirectResponse(f"/instructor/exams/?withdrawn={exam.id}", status_code=303)


@router.get("/{exam_id}/status")
def exam_status(exam_id: int, request: Request, db: SessionDep, user: StaffUser):
    """The status table alone, which live_status.js fetches every 30 s (no-store, as every page)."""
    return page(request, "_exam_status.html", **_status_context(db, exam_for(db, user, exam_id)))


@router.post("/{exam_id}/grant")
def exam_grant(exam_id: int, request: Request, db: SessionDep, user: StaffUser, user_id: Annotated[int, Form()],
               confirmed: Annotated[str, Form()] = ""):
    exam = exam_for(db, user, exam_id)
    if not confirmation.confirmed(confirmed):
        trainee = exams.grantee(db, exam, user_id)
        return confirmation.ask(request, f"为 {trainee.display_name} 增加一次“{exam.title}”的作答机会？",
                                request.url.path, f"/instructor/exams/{exam_id}", {"user_id": str(user_id)},
                                "增加后不能撤销，并记入操作日志。")
    exams.grant_attempt(db, user, exam, user_id)
    return RedirectResponse(f"/instructor/exams/{exam_id}", status_code=303)


@router.post("/attempts/{attempt_id}/extend")
def attempt_extend(attempt_id: int, request: Request, db: SessionDep, user: StaffUser,
                   minutes: Annotated[int, Form()] = 10, reason: Annotated[str, Form(max_length=400)] = "",
                   confirmed: Annotated[str, Form()] = ""):
    attempt = db.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("考试记录不存在")
    exam_for(db, user, attempt.exam_id)
    if not confirmation.confirmed(confirmed) and reason.strip():     # without a reason: refused below
        trainee = db.get(User, attempt.user_id)
        return confirmation.ask(request, f"为 {trainee.display_name} 的本次作答延长 {minutes} 分钟？",
                                request.url.path, f"/instructor/exams/{attempt.exam_id}",
                                {"minutes": str(minutes), "reason": reason}, f"理由：{reason}。延长记入操作日志。")
    try:
        exams.extend_time(db, user, attempt_id, minutes, reason)
    except DomainError as e:
        return RedirectResponse(f"/instructor/exams/{attempt.exam_id}?{urlencode({'error': e.message})}",
                                status_code=303)
    return RedirectResponse(f"/instructor/exams/{attempt.exam_id}", status_code=303)


STEM_EXCERPT = 60        # characters of a question's stem beside its id in the 题目分析 sheet


def stem_excerpt(stem: str, limit: int = STEM_EXCERPT) -> str:
    """A stem on one line (its line breaks as spaces), cut to ``limit`` characters with 「…」."""
    text = " ".join(stem.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _result_sheets(res, absent: list[tuple[User, str]] = (), *, as_text: bool = False) -> list[Sheet]:
    """成绩 (each trainee's first graded attempt, then the expected trainees without one, each with
    its label: _absent), 题目分析 and 整卷统计. 得分率: in the workbook a number
    shown as a percentage; ``as_text`` (the CSV) the whole percentage as the page writes it (「4%」)."""
    def rate(a):
        fraction = (a.score or 0) / a.max_score if a.max_score else 0
        return percent(100 * fraction) if as_text else fraction
    people = Sheet("成绩", ["姓名", "登录名", "单位/镇街", "得分", "满分", "得分率", "结果", "交卷时间"],
                   [[u.display_name, u.username, u.unit, a.score, a.max_score, rate(a),
                     "合格" if a.passed else "不合格", local_time(a.submitted_at)] for u, a in res.rows]
                   + [[u.display_name, u.username, u.unit, None, None, None, label, ""] for u, label in absent],
                   {5: "0.0%"})
    def question(qid):
        q = res.questions.get(qid)
        return (stem_excerpt(q.stem), q.step) if q else ("（题目已从题库移除）", "")
    items = Sheet("题目分析", ["题目编号", "题干", "环节", "作答人数", "难易度(%)", "标准差(%)", "区分度(%)", "区分效率(%)",
                           "需复核", "原因"],
                  [[i.question_id, *question(i.question_id), i.n,
                    i.facility, i.sd, i.discrimination_index, i.discriminative_efficiency, "是" if i.flagged else "",
                    "；".join(i.reasons)] for i in res.items], {4: "0.0", 5: "0.0", 6: "0.0", 7: "0.0"})
    t = res.test
    summary = Sheet("整卷统计", ["指标", "数值"], [["作答人数", t.n], ["平均分", t.mean], ["中位数", t.median],
                                              ["标准差", t.sd], ["偏度", t.skewness], ["峰度", t.kurtosis],
                                              ["内部一致性系数(%)", t.cic], ["误差比(%)", t.error_ratio],
                                              ["标准误", t.standard_error], ["及格率(%)", res.pass_rate]], {1: "0.00"})
    return [people, items, summary]


@router.get("/{exam_id}/results")
def exam_results(exam_id: int, request: Request, db: SessionDep, user: StaffUser):
    exam = exam_for(db, user, exam_id)
    res = exams.results(db, exam)
    return page(request, "instructor_results.html", exam=exam, res=res, topics=surveys.TOPICS,
                reading=statistics.consistency_reading(res.test.cic))


def _absent(db, res) -> list[tuple[User, str]]:
    """Expected trainees without a graded attempt, each with its label in the exports
    (rules.absent_label: 评分中, 未参加 or 缺考)."""
    graded, now = {u.id for u, _ in res.rows}, utcnow()
    grading = exams.users_being_graded(db, res.exam.id)
    return [(u, rules.absent_label(now, res.exam.closes_at, grading=u.id in grading))
            for u in exams.expected_trainees(db, res.exam).users if u.id not in graded]


@router.get("/{exam_id}/results.xlsx")
def exam_results_xlsx(exam_id: int, db: SessionDep, user: StaffUser):
    res = exams.results(db, exam_for(db, user, exam_id))
    return Response(workbook(_result_sheets(res, _absent(db, res))), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''exam-{exam_id}-results.xlsx"})


@router.get("/{exam_id}/results.csv")
def exam_results_csv(exam_id: int, db: SessionDep, user: StaffUser):
    res = exams.results(db, exam_for(db, user, exam_id))
    return Response(csv_bytes(_result_sheets(res, _absent(db, res), as_text=True)[0]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''exam-{exam_id}-results.csv"})


@router.get("/attempts/{attempt_id}")
def attempt_log(attempt_id: int, request: Request, db: SessionDep, user: StaffUser):
    attempt = db.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("考试记录不存在")
    exam = exam_for(db, user, attempt.exam_id)
    attempt = exams.bring_up_to_date(db, attempt, utcnow())
    items = exams.result_items(db, attempt) if attempt.status == "graded" else []
    return page(request, "instructor_attempt.html", attempt=attempt, exam=exam, items=items,
                topics=exams.topic_accuracy([attempt], {i.question.id: i.question for i in items}),
                topic_names=surveys.TOPICS, trainee=db.get(User, attempt.user_id),
                events=exams.events(db, attempt.id), kinds=exams.EVENT_KINDS)
