"""执法监督: coverage of rotation training against each unit's officer roster,
the units and their rosters, where officers are weak, the audit log and
enrolments waiting for approval. Thin: the work is in quizapp/supervision.py."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ... import audit, audit_view, custody, roster, supervision
from ...domain import supervision as rules
from ...domain.errors import DomainError
from ...domain.procedure import ALL_STEPS, VOLUMES
from ...exports import XLSX, Sheet, workbook
from ...models import Role, User
from .. import confirmation
from ..deps import SessionDep, require_role
from ..render import local_datetime, local_time, page

router = APIRouter(prefix="/supervisor")
Supervisor = Annotated[User, require_role(Role.supervisor)]
FIRST_YEAR, LAST_YEAR = 2000, 2999
WEAKEST = 10                     # cells of the weak-area map drawn as the chart above it


def _year(year: int | None) -> int:
    if year is None:
        return date.today().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise supervision.SupervisionError(f"年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间")
    return year


def _xlsx(sheets: list[Sheet], filename: str) -> Response:
    return Response(workbook(sheets), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


def _weakest(matrix: dict[str, dict[str, rules.AreaCell]]) -> list[tuple[str, str, rules.AreaCell]]:
    titles = {v.code: v.title for v in VOLUMES}
    known = {v: steps for v, steps in matrix.items() if v in titles}
    return [(titles[v], s, c) for v, s, c in rules.weakest_areas(known, WEAKEST)]


@router.get("/")
def supervisor_home(request: Request, db: SessionDep, user: Supervisor, year: int | None = None):
    report = supervision.coverage(db, _year(year))
    matrix = supervision.weak_areas(db)
    return page(request, "supervisor.html", year=report.year, report=report, matrix=matrix,
                weakest=_weakest(matrix), volumes=VOLUMES, steps=ALL_STEPS, rules=rules,
                unitless=supervision.unitless_accounts(db))


@router.get("/coverage.xlsx")
def coverage_xlsx(db: SessionDep, user: Supervisor, year: int | None = None):
    report = supervision.coverage(db, _year(year))
    summary = Sheet(f"{report.year}年轮训覆盖", ["单位/镇街", "名册人数", "已参训", "已参训且合格", "未参训", "覆盖率"],
                    [[c.unit, c.officers, c.trained, c.passed, c.untrained, c.percent / 100]
                     for c in [*report.rows, report.total]], {5: "0.0%"})
    never = Sheet("未参训人员", ["单位/镇街", "姓名"], [[c.unit, name] for c in report.rows for name in c.never_trained])
    unmatched = Sheet("未匹配的单位名称", ["学员填写的单位", "账号数"], [[u.name, u.accounts] for u in report.unmatched])
    return _xlsx([summary, never, unmatched], "coverage.xlsx")


@router.get("/weak-areas.xlsx")
def weak_areas_xlsx(db: SessionDep, user: Supervisor):
    matrix = supervision.weak_areas(db)
    cells = [(v, [matrix[v.code].get(s) for s in ALL_STEPS]) for v in VOLUMES if v.code in matrix]
    rows = [[v.title, *[c.percent / 100 if c else None for c in row]] for v, row in cells]
    sheet = Sheet("薄弱领域得分率", ["分卷", *ALL_STEPS], rows, {i: "0.0%" for i in range(1, len(ALL_STEPS) + 1)})
    answers = Sheet("作答人次", ["分卷", *ALL_STEPS], [[v.title, *[c.answers if c else None for c in row]]
                                                     for v, row in cells])
    return _xlsx([sheet, answers], "weak-areas.xlsx")


# --- units and their officer rosters ---------------------------------------------------------

ROW_PROBLEM = re.compile(r"第 \d+ 行：")
MORE_ROWS = re.compile(r"（另有 \d+ 行有问题）$")


def message_lines(message: str) -> tuple[str, list[str]]:
    """A refusal that names bad rows (supervision.import_officers: a sentence,
    then 第 n 行：… for each row, perhaps （另有 n 行有问题）) as its lead and
    one line per row, shown as a list; any other message: itself and no lines."""
    starts = [m.start() for m in ROW_PROBLEM.finditer(message)]
    if not starts:
        return message, []
    lines = [message[a:b].strip() for a, b in zip(starts, starts[1:] + [len(message)])]
    more = MORE_ROWS.search(lines[-1])
    if more:
        lines[-1:] = [lines[-1][:more.start()].strip(), more.group(0).strip("（）")]
    return message[:starts[0]].strip(), lines


def _units_page(request: Request, db, status_code: int = 200, **extra):
    extra.setdefault("error", "")
    extra.setdefault("notice", "")
    extra["error"], extra["error_lines"] = message_lines(extra["error"])
    report = supervision.coverage(db)
    return page(request, "supervisor_units.html", status_code=status_code, units=supervision.units(db),
                counts={c.unit_id: c.officers for c in report.rows}, unmatched=report.unmatched, max_rows=roster.MAX_ROWS,
                max_mb=roster.MAX_FILE_BYTES // roster.MB, **extra)


@router.get("/units")
def unit_list(request: Request, db: SessionDep, user: Supervisor, imported: int = -1, updated: int = -1):
    notice = f"名册已导入：新增 {imported} 人，更新 {updated} 人。" if imported >= 0 and updated >= 0 else ""
    return _units_page(request, db, notice=notice)


@router.post("/units")
def unit_add(request: Request, db: SessionDep, user: Supervisor, name: Annotated[str, Form()] = "",
             aliases: Annotated[str, Form()] = ""):
    try:
        unit = supervision.save_unit(db, None, name=name, aliases=aliases, actor=user)
    except DomainError as e:
        return _units_page(request, db, e.status, error=e.message)
    return RedirectResponse(f"/supervisor/units/{unit.id}", status_code=303)


@router.post("/units/aliases")
def unit_alias(request: Request, db: SessionDep, user: Supervisor, unit_id: Annotated[str, Form(max_length=20)] = "",
               alias: Annotated[str, Form()] = ""):
    try:
        supervision.add_alias(db, int(unit_id) if unit_id.strip().isdigit() else None, alias, actor=user)
    except DomainError as e:
        return _units_page(request, db, e.status, error=e.message)
    return RedirectResponse("/supervisor/units", status_code=303)


@router.post("/units/roster")
async def unit_import(request: Request, db: SessionDep, user: Supervisor, file: Annotated[UploadFile, File()]):
    """Read by a reader process (roster.read_apart) with the cohort roster's limits; all rows or none."""
    data = await file.read(roster.MAX_FILE_BYTES + 1)
    try:
        rows = await roster.read_apart(data)
        done = await run_in_threadpool(supervision.import_officers, db, rows, user)
    except DomainError as e:
        return await run_in_threadpool(_units_page, request, db, e.status, error=e.message)
    return RedirectResponse(f"/supervisor/units?imported={done.added}&updated={done.updated}", status_code=303)


def _unit_page(request: Request, db, unit, status_code: int = 200, error: str = ""):
    return page(request, "supervisor_unit.html", status_code=status_code, unit=unit, error=error,
                officers=supervision.officers(db, unit), units=supervision.units(db),
                status=supervision.officer_status(db), year=date.today().year)


@router.get("/units/{unit_id}")
def unit_detail(unit_id: int, request: Request, db: SessionDep, user: Supervisor):
    return _unit_page(request, db, supervision.unit_for(db, unit_id))


@router.post("/units/{unit_id}")
def unit_edit(unit_id: int, request: Request, db: SessionDep, user: Supervisor, name: Annotated[str, Form()] = "",
              aliases: Annotated[str, Form()] = ""):
    unit = supervision.unit_for(db, unit_id)
    try:
        supervision.save_unit(db, unit_id, name=name, aliases=aliases, actor=user)
    except DomainError as e:
        db.refresh(unit)
        return _unit_page(request, db, unit, e.status, e.message)
    return RedirectResponse(f"/supervisor/units/{unit_id}", status_code=303)


@router.post("/units/{unit_id}/delete")
def unit_delete(unit_id: int, request: Request, db: SessionDep, user: Supervisor,
                confirmed: Annotated[str, Form()] = ""):
    unit = supervision.unit_for(db, unit_id)
    if not confirmation.confirmed(confirmed) and not supervision.officers(db, unit):   # else refused below
        return confirmation.ask(request, f"删除单位“{unit.name}”及其别名？", request.url.path,
                                f"/supervisor/units/{unit_id}", {},
                                "删除后，填写这些名称的学员不再计入任何单位的覆盖率；删除记入操作日志。")
    try:
        supervision.delete_unit(db, unit_id, actor=user)
    except DomainError as e:
        return _unit_page(request, db, unit, e.status, e.message)
    return RedirectResponse("/supervisor/units", status_code=303)


@router.post("/units/{unit_id}/officers")
def officer_add(unit_id: int, request: Request, db: SessionDep, user: Supervisor, name: Annotated[str, Form()] = "",
                phone: Annotated[str, Form()] = "", staff_no: Annotated[str, Form()] = "",
                cert_no: Annotated[str, Form()] = ""):
    unit = supervision.unit_for(db, unit_id)
    try:
        supervision.save_officer(db, None, unit_id=unit_id, name=name, phone=phone, staff_no=staff_no,
                                 cert_no=cert_no, actor=user)
    except DomainError as e:
        return _unit_page(request, db, unit, e.status, e.message)
    return RedirectResponse(f"/supervisor/units/{unit_id}", status_code=303)


@router.post("/officers/{officer_id}")
def officer_edit(officer_id: int, request: Request, db: SessionDep, user: Supervisor,
                 unit_id: Annotated[int, Form()] = 0, name: Annotated[str, Form()] = "",
                 phone: Annotated[str, Form()] = "", staff_no: Annotated[str, Form()] = "",
                 cert_no: Annotated[str, Form()] = ""):
    officer = supervision.officer_for(db, officer_id)
    unit = supervision.unit_for(db, officer.unit_id)
    try:
        supervision.save_officer(db, officer_id, unit_id=unit_id or officer.unit_id, name=name, phone=phone,
                                 staff_no=staff_no, cert_no=cert_no, actor=user)
    except DomainError as e:
        db.rollback()
        return _unit_page(request, db, unit, e.status, e.message)
    return RedirectResponse(f"/supervisor/units/{unit.id}", status_code=303)


@router.post("/officers/{officer_id}/remove")
def officer_remove(officer_id: int, request: Request, db: SessionDep, user: Supervisor,
                   confirmed: Annotated[str, Form()] = ""):
    if not confirmation.confirmed(confirmed):
        officer = supervision.officer_for(db, officer_id)
        unit = supervision.unit_for(db, officer.unit_id)
        return confirmation.ask(request, f"把 {officer.name} 从 {unit.name} 的名册中移除？", request.url.path,
                                f"/supervisor/units/{unit.id}", {}, "移除后不再计入该单位的覆盖率；移除记入操作日志。")
    unit = supervision.remove_officer(db, officer_id, actor=user)
    return RedirectResponse(f"/supervisor/units/{unit.id}", status_code=303)


# --- audit log and enrolments waiting for approval -------------------------------------------

class AuditQuery:
    """The audit log's filters as GET parameters: 操作人 (a user id, or audit.SYSTEM), 操作 (its name
    in audit.ACTIONS: 新增单位), and a date range in the platform's time zone, both days included."""

    def __init__(self, request: Request, actor: str, action: str, since: str, until: str):
        self.actor = actor if actor == audit.SYSTEM or actor.isdigit() else ""
        self.action = next((key for key, name in audit.ACTIONS.items() if name == action.strip()), "")
        self.since, self.until = since.strip(), until.strip()
        tz = request.app.state.settings.timezone
        self.error = ""              # said on the page beside the filters, which stay as entered
        try:
            self.start = local_datetime(self.since, tz) if self.since else None
            self.end = local_datetime(self.until, tz) + timedelta(days=1) if self.until else None
        except DomainError as e:
            self.start = self.end = None
            self.error = e.message
        if self.start and self.end and self.start >= self.end:
            self.error = "起始日期不能晚于截止日期，请调整日期范围"

    def entries(self, db, limit: int):
        """The matching entries; none while the filters are wrong (the page says why)."""
        if self.error:
            return []
        return audit.entries(db, actor=self.actor, action=self.action, start=self.start, end=self.end, limit=limit)

    def query(self) -> str:
        return urlencode({k: v for k, v in (("actor", self.actor), ("action", audit.ACTIONS.get(self.action, "")),
                                            ("since", self.since), ("until", self.until)) if v})


@router.get("/audit")
def audit_log(request: Request, db: SessionDep, user: Supervisor, actor: str = "", action: str = "",
              since: str = "", until: str = ""):
    """The newest 200 entries that match the filters, with the filtered .xlsx beside them."""
    chosen = AuditQuery(request, actor, action, since, until)
    return page(request, "audit.html", rows=audit_view.readable(db, chosen.entries(db, 200)), actions=audit.ACTIONS,
                actors=audit.actors(db), chosen=chosen, system=audit.SYSTEM)


@router.get("/audit.xlsx")
def audit_log_xlsx(request: Request, db: SessionDep, user: Supervisor, actor: str = "", action: str = "",
                   since: str = "", until: str = ""):
    """The entries that match the filters (at most audit.EXPORT_LIMIT), newest first, as on the page."""
    chosen = AuditQuery(request, actor, action, since, until)
    if chosen.error:
        raise supervision.SupervisionError(chosen.error)
    lines = audit_view.readable(db, chosen.entries(db, audit.EXPORT_LIMIT))
    rows = [[local_time(line.event.at, "%Y-%m-%d %H:%M:%S"), line.actor.display_name if line.actor else "系统",
             audit.ACTIONS.get(line.event.action, "其他操作"), line.target,
             "；".join(f"{label}：{v if isinstance(v, str) else local_time(v)}" for label, v in line.details)]
            for line in lines]
    return _xlsx([Sheet("操作记录", ["时间", "操作人", "操作", "对象", "详情"], rows)], "audit-log.xlsx")


@router.get("/enrolments")
def pending_enrolments(request: Request, db: SessionDep, user: Supervisor, decided: str = "", cohort: int = 0,
                       trainee: int = 0):
    """Existing accounts enrolled by name whose unit is not the instructor's: approve or refuse;
    ``decided`` (approve | refuse), ``cohort`` and ``trainee``: what was just done, said on the page."""
    notice = custody.decision_notice(db, decided, cohort, trainee) if decided else ""
    return page(request, "supervisor_enrolments.html", rows=custody.pending(db), notice=notice)


@router.post("/enrolments/{cohort_id}/{user_id}")
def decide_enrolment(cohort_id: int, user_id: int, db: SessionDep, user: Supervisor,
                     decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = ""):
    approve = decision == "approve"
    custody.decide(db, user, cohort_id, user_id, approve=approve, reason=reason)
    return RedirectResponse("/supervisor/enrolments?" + urlencode(
        {"decided": "approve" if approve else "refuse", "cohort": cohort_id, "trainee": user_id}), status_code=303)
