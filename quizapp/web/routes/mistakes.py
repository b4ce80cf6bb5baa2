"""错题本: the book grouped by volume and step, and today's reviews."""
from __future__ import annotations

from fastapi import APIRouter, Request

from ... import exams, mistakes, practice, reports
from ...domain.errors import InvalidAnswer
from ...domain.practice import presentation_from_form, shuffled_presentation
from ..deps import PracticeUser, SessionDep
from ..render import page
from ..responses import response_from_form

router = APIRouter(prefix="/mistakes")


@router.get("/")
def mistake_book(request: Request, db: SessionDep, user: PracticeUser):
    exams.release_exam_mistakes(db, user.id)
    return page(request, "mistakes.html", book=mistakes.book(db, user.id))


@router.get("/review")
def review_next(request: Request, db: SessionDep, user: PracticeUser):
    exams.release_exam_mistakes(db, user.id)
    due = mistakes.due_ids(db, user.id)
    question = practice.get_question(db, due[0]) if due else None
    shown = question and shuffled_presentation(question.type, list(question.options), question.parts)
    return page(request, "practice_question.html", question=question, shown=shown, reported=reports.flag_on(db, question),
                flt=None, error="", pool=len(due), review=True)


@router.post("/review")
async def review_answer(request: Request, db: SessionDep, user: PracticeUser):
    form = await request.form()
    question = practice.get_question(db, str(form.get("question_id", "")))
    shown = presentation_from_form({k: str(v) for k, v in form.items()}, list(question.options), question.parts)
    try:
        feedback = practice.answer(db, user, question_id=question.id, response=response_from_form(question, form),
                                   review=True)
    except InvalidAnswer as e:
        return page(request, "practice_question.html", status_code=422, question=question, shown=shown, flt=None,
                    error=e.message, pool=len(mistakes.due_ids(db, user.id)), review=True)
    return page(request, "practice_feedback.html", fb=feedback, shown=shown, flt=None, review=True,
                due=len(mistakes.due_ids(db, user.id)))
