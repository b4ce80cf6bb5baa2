"""我的成绩: practice progress per volume and per step."""
from __future__ import annotations

from fastapi import APIRouter, Request

from ... import exams, practice
from ...domain.procedure import VOLUMES
from ..deps import CurrentUser, SessionDep
from ..render import page

router = APIRouter()


@router.get("/me")
def my_results(request: Request, db: SessionDep, user: CurrentUser):
    return page(request, "me.html", progress=practice.progress(db, user), history=exams.history(db, user),
                volumes=VOLUMES)
