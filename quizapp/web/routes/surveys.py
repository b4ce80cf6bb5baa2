"""训前问需: trainees answer their cohort's needs survey once; instructors read the ranking."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ... import cohorts, exams, surveys
from ...domain.errors import DomainError, NotFound
from ...exports import XLSX, workbook
from ...models import Survey
from ..deps import CurrentUser, SessionDep, StaffUser
from ..render import local_datetime, page

router = APIRouter()


@router.get("/surveys/")
def my_surveys(request: Request, db: SessionDep, user: CurrentUser):
    return page(request, "surveys.html", rows=surveys.surveys_for_trainee(db, user))


@router.get("/surveys/{survey_id}")
def survey_form(survey_id: int, request: Request, db: SessionDep, user: CurrentUser, submitted: str = ""):
    """The form, or once submitted the answers given, read-only (``submitted=1``: just now, say so)."""
    survey = surveys.survey_for_trainee(db, user, survey_id)
    given = surveys.my_response(db, user, survey)
    return page(request, "survey_form.html", survey=survey, topics=surveys.TOPICS, error="", values={},
                given=given, just_submitted=bool(given and submitted == "1"))


@router.post("/surveys/{survey_id}")
async def survey_submit(survey_id: int, request: Request, db: SessionDep, user: CurrentUser):
    survey = surveys.survey_for_trainee(db, user, survey_id)
    form = await request.form()
    ratings = {t: (form.get(f"c:{t}"), form.get(f"f:{t}")) for t in survey.topics}
    answers = [str(form.get(f"q{i}", "")) for i in range(len(survey.questions))]
    try:
        surveys.answer(db, user, survey, ratings=ratings, answers=answers)
    except surveys.AlreadyAnswered as e:     # the answers given, read-only, and why nothing changed
        return page(request, "survey_form.html", status_code=e.status, survey=survey, topics=surveys.TOPICS,
                    error="", values={}, given=surveys.my_response(db, user, survey), just_submitted=False,
                    already=e.message)
    except DomainError as e:
        return page(request, "survey_form.html", status_code=422, survey=survey, topics=surveys.TOPICS,
                    error=e.message, values=dict(form), given=None, just_submitted=False)
    return RedirectResponse(f"/surveys/{survey.id}?submitted=1", status_code=303)


@router.post("/instructor/cohorts/{cohort_id}/pretest")
def pretest_create(cohort_id: int, request: Request, db: SessionDep, user: StaffUser,
                   per_step: Annotated[int, Form(ge=1, le=10)] = 2,
                   time_limit_minutes: Annotated[int, Form(ge=1, le=180)] = 20,
                   closes_at: Annotated[str, Form()] = ""):
    """训前诊断: a short test drawn from the bank, per procedure step, beside the survey."""
    cohort = cohorts.cohort_for(db, user, cohort_id)
    exam = exams.create_pretest(db, user, cohort.id, per_step=per_step, time_limit_minutes=time_limit_minutes,
                                closes_at=local_datetime(closes_at, request.app.state.settings.timezone))
    return RedirectResponse(f"/instructor/exams/{exam.id}", status_code=303)


@router.post("/instructor/cohorts/{cohort_id}/surveys")
def survey_create(cohort_id: int, db: SessionDep, user: StaffUser, title: Annotated[str, Form()] = ""):
    cohort = cohorts.cohort_for(db, user, cohort_id)
    survey = surveys.create_survey(db, user, cohort, title=title)
    return RedirectResponse(f"/instructor/surveys/{survey.id}", status_code=303)


def _survey_for_staff(db, user, survey_id: int) -> Survey:
    survey = db.get(Survey, survey_id)
    if survey is None:
        raise NotFound("调查不存在")
    cohorts.cohort_for(db, user, survey.cohort_id)
    return survey


@router.get("/instructor/surveys/{survey_id}")
def survey_result(survey_id: int, request: Request, db: SessionDep, user: StaffUser):
    survey = _survey_for_staff(db, user, survey_id)
    return page(request, "survey_result.html", res=surveys.result(db, survey), topics=surveys.TOPICS)


@router.get("/instructor/surveys/{survey_id}/result.xlsx")
def survey_result_xlsx(survey_id: int, db: SessionDep, user: StaffUser):
    res = surveys.result(db, _survey_for_staff(db, user, survey_id))
    return Response(workbook(surveys.result_sheets(res)), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''survey-{survey_id}.xlsx"})
