"""训中问质: trainees rate each teaching session once; instructors add sessions and read the summary."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from ... import cohorts, feedback
from ...domain.errors import DomainError
from ..deps import CurrentUser, SessionDep, StaffUser
from ..render import page
from .cohorts import _date

router = APIRouter()


@router.get("/feedback/")
def my_sessions(request: Request, db: SessionDep, user: CurrentUser, rated: int = 0):
    """Each session of the trainee's cohorts: the rating form, or the ratings given (``rated``: just now)."""
    return page(request, "feedback.html", rows=feedback.sessions_for_trainee(db, user), dims=feedback.DIMENSIONS,
                error="", current=None, given=feedback.my_ratings(db, user), rated=rated)


@router.post("/feedback/{session_id}")
async def rate_session(session_id: int, request: Request, db: SessionDep, user: CurrentUser):
    session = feedback.session_for_trainee(db, user, session_id)
    form = await request.form()
    try:
        feedback.rate(db, user, session, ratings={k: form.get(k) for k in feedback.DIMENSIONS},
                      comment=str(form.get("comment", "")))
    except feedback.AlreadyRated as e:
        return page(request, "error.html", status_code=e.status, message=e.message)
    except DomainError as e:
        return page(request, "feedback.html", status_code=422, rows=feedback.sessions_for_trainee(db, user),
                    dims=feedback.DIMENSIONS, error=e.message, current=session.id, given=feedback.my_ratings(db, user),
                    rated=0)
    return RedirectResponse(f"/feedback/?rated={session.id}", status_code=303)


@router.post("/instructor/cohorts/{cohort_id}/sessions")
def add_session(cohort_id: int, db: SessionDep, user: StaffUser, title: Annotated[str, Form()] = "",
                held_on: Annotated[str, Form()] = "", teacher: Annotated[str, Form()] = ""):
    cohort = cohorts.cohort_for(db, user, cohort_id)
    feedback.add_session(db, cohort, title=title, held_on=_date(held_on), teacher=teacher)
    return RedirectResponse(f"/instructor/cohorts/{cohort_id}/sessions", status_code=303)


@router.get("/instructor/cohorts/{cohort_id}/sessions")
def session_summaries(cohort_id: int, request: Request, db: SessionDep, user: StaffUser):
    cohort = cohorts.cohort_for(db, user, cohort_id)
    return page(request, "sessions.html", cohort=cohort, rows=feedback.summaries(db, cohort), dims=feedback.DIMENSIONS)
