"""教员: the bank, trainees' practice, weak steps; add a trainee."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from ... import accounts, overview
from ...domain.errors import DomainError
from ...domain.procedure import ALL_STEPS
from ...models import Role
from ..deps import SessionDep, StaffUser
from ..render import page

router = APIRouter(prefix="/instructor")


def _overview(request: Request, db, status_code: int = 200, **extra):
    return page(request, "instructor.html", status_code=status_code, matrix=overview.bank_matrix(db),
                steps=ALL_STEPS, trainees=overview.trainees(db), weak=overview.weak_steps(db), **extra)


@router.get("/")
def instructor_home(request: Request, db: SessionDep, user: StaffUser):
    return _overview(request, db, error="", created=None)


@router.post("/trainees")
def add_trainee(request: Request, db: SessionDep, user: StaffUser,
                username: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "",
                unit: Annotated[str, Form()] = "", password: Annotated[str, Form()] = ""):
    try:
        created = accounts.create_user(db, username=username, password=password, display_name=display_name,
                                       role=Role.trainee, unit=unit, must_change_password=True)
    except DomainError as e:
        return _overview(request, db, status_code=422, error=e.message, created=None)
    return _overview(request, db, error="", created=created)
