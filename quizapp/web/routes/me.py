"""我的成绩: practice progress per volume and per step; /api/whoami: the name the
handbook's header shows (handbook/javascripts/whoami.js): the display name only,
{"name": null} for a visitor (a 200: a visitor is no error, and the browser's
console stays quiet on every handbook page), never cached (the platform's
responses are no-store)."""
from __future__ import annotations

from fastapi import APIRouter, Request

from ... import exams, practice
from ...domain.procedure import VOLUMES
from ..deps import CurrentUser, MaybeUser, SessionDep
from ..render import page

router = APIRouter()


@router.get("/me")
def my_results(request: Request, db: SessionDep, user: CurrentUser):
    return page(request, "me.html", progress=practice.progress(db, user), history=exams.history(db, user),
                volumes=VOLUMES)


@router.get("/api/whoami")
def who_am_i(user: MaybeUser):
    """Who is logged in, for the handbook's static header: nothing but the display name; null for a visitor."""
    return {"name": user.display_name if user is not None else None}
