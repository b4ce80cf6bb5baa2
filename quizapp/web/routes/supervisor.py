"""执法监督: coverage of rotation training and where officers are weak."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ... import audit, custody, supervision
from ...domain.procedure import ALL_STEPS, VOLUMES
from ...exports import XLSX, Sheet, workbook
from ...models import Role, User
from ..deps import SessionDep, require_role
from ..render import page

router = APIRouter(prefix="/supervisor")
Supervisor = Annotated[User, require_role(Role.supervisor)]


@router.get("/")
def supervisor_home(request: Request, db: SessionDep, user: Supervisor, year: int | None = None):
    year = year or date.today().year
    return page(request, "supervisor.html", year=year, rows=supervision.coverage(db, year),
                matrix=supervision.weak_areas(db), volumes=VOLUMES, steps=ALL_STEPS)


@router.get("/coverage.xlsx")
def coverage_xlsx(db: SessionDep, user: Supervisor, year: int | None = None):
    rows = supervision.coverage(db, year)
    sheet = Sheet("轮训覆盖", ["单位/镇街", "执法人员", "本年度已参训", "已考试合格", "未参训", "参训率"],
                  [[c.unit, c.officers, c.trained, c.passed, c.untrained, c.trained_percent / 100] for c in rows],
                  {5: "0.0%"})
    return Response(workbook([sheet]), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''coverage.xlsx"})


@router.get("/audit")
def audit_log(request: Request, db: SessionDep, user: Supervisor):
    return page(request, "audit.html", rows=audit.recent(db), actions=audit.ACTIONS)


@router.get("/enrolments")
def pending_enrolments(request: Request, db: SessionDep, user: Supervisor):
    """Existing accounts enrolled by name whose unit is not the instructor's: approve or refuse."""
    return page(request, "supervisor_enrolments.html", rows=custody.pending(db))


@router.post("/enrolments/{cohort_id}/{user_id}")
def decide_enrolment(cohort_id: int, user_id: int, db: SessionDep, user: Supervisor,
                     decision: Annotated[str, Form()] = ""):
    custody.decide(db, user, cohort_id, user_id, approve=decision == "approve")
    return RedirectResponse("/supervisor/enrolments", status_code=303)
