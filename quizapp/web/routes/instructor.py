"""教员: trainees of one's cohorts and their practice, weak steps, the bank."""
from __future__ import annotations

from fastapi import APIRouter, Request

from ... import overview
from ..deps import SessionDep, StaffUser
from ..render import page

router = APIRouter(prefix="/instructor")


@router.get("/")
def instructor_home(request: Request, db: SessionDep, user: StaffUser):
    return page(request, "instructor.html", matrix=overview.bank_matrix(db),
                trainees=overview.trainees(db, user), weak=overview.weak_steps(db, user))
