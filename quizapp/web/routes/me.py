"""我的成绩: practice progress per volume and per step; /api/whoami: the name the
handbook's header shows (handbook/javascripts/whoami.js): the display name only,
401 for a visitor, never cached (the platform's responses are no-store)."""
from __future__ import annotations

from fastapi import APIRouter, Request

from ... import exams, practice
from ...domain.procedure import VOLUMES
from ..deps import CurrentUser, PasswordUser, SessionDep
from ..render import page

router = APIRouter()


@router.get("/me")
def my_results(request: Request, db: SessionDep, user: CurrentUser):
    return page(request, "me.html", progress=practice.progress(db, user), history=exams.history(db, user),
                volumes=VOLUMES)


@router.get("/api/whoami")
def who_am_i(user: PasswordUser):
    """Who is logged in, for the handbook's static header: nothing but the display name."""
    return {"name": user.display_name}
