"""练习: choose a set, answer one question at a time, see the explanation."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ... import practice, reports
from ...domain.errors import InvalidAnswer
from ...domain.procedure import ALL_STEPS, MODULES, VOLUMES
from ...domain.practice import presentation_from_form, shuffled_presentation
from ..deps import PracticeUser, SessionDep
from ..render import page
from ..responses import response_from_form

router = APIRouter(prefix="/practice")


def _filter(volume: str = "", module: str = "", step: str = "", statute: str = "", ids: str = ""):
    return practice.PracticeFilter.from_query(volume=volume, module=module, step=step, statute=statute, ids=ids)


@router.get("/")
def practice_home(request: Request, db: SessionDep, user: PracticeUser):
    questions = practice.active_questions(db)
    statutes = sorted({b["statute"] for q in questions for b in q.basis})
    counts = {v.code: sum(q.volume == v.code for q in questions) for v in VOLUMES}
    step_counts = {s: sum(q.step == s for q in questions) for s in ALL_STEPS}
    return page(request, "practice_home.html", volumes=VOLUMES, counts=counts, steps=ALL_STEPS,
                step_counts=step_counts, modules=MODULES, statutes=statutes, total=len(questions),
                progress=practice.progress(db, user))


@router.get("/start")
def practice_start(volume: str = "", module: str = "", step: str = "", statute: str = "", ids: str = ""):
    """Entry point of the handbook's 练一练 links and the choice form."""
    flt = _filter(volume, module, step, statute, ids)
    return RedirectResponse(f"/practice/next?{flt.query()}", status_code=303)


@router.get("/next")
def practice_next(request: Request, db: SessionDep, user: PracticeUser, volume: str = "", module: str = "",
                  step: str = "", statute: str = "", ids: str = "", after: str = ""):
    flt = _filter(volume, module, step, statute, ids)
    question = practice.next_question(db, user, flt, exclude=after or None)
    shown = question and shuffled_presentation(question.type, list(question.options), question.parts)
    return page(request, "practice_question.html", question=question, shown=shown,
                reported=reports.flag_on(db, question), flt=flt, error="", pool=len(practice.candidates(db, flt)))


@router.post("/answer")
async def practice_answer(request: Request, db: SessionDep, user: PracticeUser):
    form = await request.form()
    flt = _filter(*(str(form.get(k, "")) for k in ("volume", "module", "step", "statute", "ids")))
    question = practice.get_question(db, str(form.get("question_id", "")))
    shown = presentation_from_form({k: str(v) for k, v in form.items()}, list(question.options), question.parts)
    try:
        feedback = practice.answer(db, user, question_id=question.id, response=response_from_form(question, form))
    except InvalidAnswer as e:
        return page(request, "practice_question.html", status_code=422, question=question, shown=shown, flt=flt,
                    error=e.message, pool=len(practice.candidates(db, flt)))
    return page(request, "practice_feedback.html", fb=feedback, shown=shown, flt=flt)
