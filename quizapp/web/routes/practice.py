"""练习: choose a filter, answer a set of questions one at a time, see each
explanation at its own GET URL (POST-redirect-GET), end with a summary.

/practice/next?<filter>   starts a set (quizapp/practice_sets.py) -> /practice/set?set=TOKEN
/practice/set?set=TOKEN   the next question of the set (第 k 题 / 共 n 题), or the summary once all are answered
POST /practice/answer     records the answer -> /practice/feedback?q=…&set=…&order=… (303)
/practice/feedback        the user's own latest answer to that question, with the explanation
"""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ... import practice, practice_sets, reports
from ...domain.errors import InvalidAnswer, NotFound
from ...domain.procedure import ALL_STEPS, MODULES, VOLUMES
from ...domain.practice import presentation_from_form, shuffled_presentation
from ..deps import PracticeUser, SessionDep, signing_key
from ..render import page
from ..responses import response_from_form

router = APIRouter(prefix="/practice")
FILTER_KEYS = ("volume", "module", "step", "statute", "ids", "item")


def _filter(volume: str = "", module: str = "", step: str = "", statute: str = "", ids: str = "", item: str = ""):
    return practice.PracticeFilter.from_query(volume=volume, module=module, step=step, statute=statute, ids=ids,
                                              item=item)


def set_url(request: Request, ps: practice_sets.PracticeSet) -> str:
    return "/practice/set?" + urlencode({"set": practice_sets.encode(ps, signing_key(request))})


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
def practice_start(volume: str = "", module: str = "", step: str = "", statute: str = "", ids: str = "",
                   item: str = ""):
    """Entry point of the handbook's 练一练 links and the choice form."""
    flt = _filter(volume, module, step, statute, ids, item)
    return RedirectResponse(f"/practice/next?{flt.query()}", status_code=303)


@router.get("/next")
def practice_next(request: Request, db: SessionDep, user: PracticeUser, volume: str = "", module: str = "",
                  step: str = "", statute: str = "", ids: str = "", item: str = ""):
    """A new set for the filter."""
    flt = _filter(volume, module, step, statute, ids, item)
    ps = practice_sets.start_practice(db, user, flt)
    if ps is None:
        return page(request, "practice_question.html", question=None, title=flt.describe(), kind="practice",
                    again="/practice/")
    return RedirectResponse(set_url(request, ps), status_code=303)


def _question_page(request, db, ps, token, pos, *, shown=None, error="", chosen=None, status_code=200):
    q = pos.question
    shown = shown or shuffled_presentation(q.type, list(q.options), q.parts)
    return page(request, "practice_question.html", status_code=status_code, question=q, shown=shown,
                reported=reports.flag_on(db, q), ps=ps, token=token, pos=pos, error=error, title=ps.title,
                kind=ps.kind, nav_here=_tab(ps.review), chosen=chosen)


ANSWER_FIELDS = ("choice", "order")          # and part-<id>, order-<id>: what an answer form posts besides its ids


def _answer_fields(form) -> list[tuple[str, str]]:
    return [(k, str(v)[:64]) for k, v in form.multi_items()
            if k in ANSWER_FIELDS or k.startswith(("part-", "order-"))][:100]


def back_to_question_url(token: str, question_id: str, form) -> str:
    """The set's question page again, for an answer that could not be recorded (none chosen): the same
    order and whatever was chosen; the page finds the problem itself (practice.answer_problem)."""
    return "/practice/set?" + urlencode([("set", token), ("q", question_id), *_answer_fields(form)])


def _tab(review: bool) -> str:
    """The menu tab a set page belongs under: 错题本 for the mistake book's sets."""
    return "/mistakes/" if review else "/practice/"


def _again_url(ps: practice_sets.PracticeSet) -> str:
    if ps.kind == "practice":
        return f"/practice/next?{ps.filter_query}"
    return "/mistakes/review" if ps.kind == "review" else f"/mistakes/practice?{ps.filter_query}"


@router.get("/set")
def practice_set(request: Request, db: SessionDep, user: PracticeUser, set: str = "", q: str = "", end: str = ""):
    """The set's next question; ``q`` and the answer form's fields: back from an answer that could not be
    recorded (POST /practice/answer redirects here), shown as it was with what is missing.
    ``end=1`` (结束本组): the summary of what has been answered so far."""
    if not set:
        return RedirectResponse("/practice/", status_code=303)
    ps = practice_sets.decode(set, signing_key(request), user)
    pos = practice_sets.position(db, user, ps)
    if pos.question is None or end == "1":
        return page(request, "practice_summary.html", ps=ps, s=pos.summary, again=_again_url(ps), nav_here=_tab(ps.review),
                    ended_early=pos.question is not None)
    if q and q == pos.question.id:
        question, fields = pos.question, request.query_params
        chosen = response_from_form(question, fields)
        shown = presentation_from_form(dict(fields), list(question.options), question.parts)
        return _question_page(request, db, ps, set, pos, shown=shown, chosen=chosen,
                              error=practice.answer_problem(question, chosen))
    return _question_page(request, db, ps, set, pos)


def feedback_url(question_id: str, form, *, token: str = "", review: bool = False) -> str:
    """The GET URL of an answer's explanation: the question, the order it was
    shown in, and the set (or the filter) to go on with."""
    params = {"q": question_id}
    if token:
        params["set"] = token
    else:
        params.update({k: str(form.get(k, "")) for k in FILTER_KEYS if form.get(k)})
        if review:
            params["review"] = "1"
    params.update({k: str(v)[:64] for k, v in form.items() if k == "order" or k.startswith("order-")})
    return "/practice/feedback?" + urlencode(params)


async def record(request: Request, db, user, *, review: bool):
    """The answer form of a set or a bare question: records it, then 303 to its explanation."""
    form = await request.form()
    token = str(form.get("set", ""))
    ps = practice_sets.decode(token, signing_key(request), user) if token else None
    question = practice.get_question(db, str(form.get("question_id", "")))
    if ps is not None and question.id not in ps.question_ids:
        raise NotFound("这道题不在本组练习中")
    review = ps.review if ps is not None else review
    try:
        practice.answer(db, user, question_id=question.id, response=response_from_form(question, form), review=review)
    except InvalidAnswer as e:
        if ps is not None:       # back to the question's GET page: Back and reload never re-post the form
            return RedirectResponse(back_to_question_url(token, question.id, form), status_code=303)
        shown = presentation_from_form({k: str(v) for k, v in form.items()}, list(question.options), question.parts)
        flt = _filter(*(str(form.get(k, "")) for k in FILTER_KEYS))
        return page(request, "practice_question.html", status_code=422, question=question, shown=shown,
                    reported=reports.flag_on(db, question), ps=None, token="", pos=None, error=e.message,
                    title=flt.describe(), kind="review" if review else "practice", flt=flt)
    return RedirectResponse(feedback_url(question.id, form, token=token, review=review), status_code=303)


@router.post("/answer")
async def practice_answer(request: Request, db: SessionDep, user: PracticeUser):
    return await record(request, db, user, review=False)


@router.get("/feedback")
def practice_feedback(request: Request, db: SessionDep, user: PracticeUser, q: str = "", set: str = "",
                      review: str = "", volume: str = "", module: str = "", step: str = "", statute: str = "",
                      ids: str = "", item: str = ""):
    """The explanation of the user's own latest answer to a practice question
    (never an exam-only one; paused, like all practice, while an exam is open)."""
    if not q:
        return RedirectResponse("/practice/", status_code=303)
    ps = practice_sets.decode(set, signing_key(request), user) if set else None
    question = practice.get_question(db, q)
    answer = practice_sets.latest_answer(db, user, question.id, since=ps.started if ps else None)
    if answer is None:
        raise NotFound("您还没有作答这道题")
    is_review = ps.review if ps else review == "1"
    fb = practice.Feedback(question, answer.response, answer.correct,
                           left_book=bool(is_review and answer.correct and practice_sets.left_book(db, user, question.id)))
    shown = presentation_from_form(dict(request.query_params), list(question.options), question.parts)
    flt = _filter(volume, module, step, statute, ids, item)
    pos = practice_sets.position(db, user, ps) if ps else None
    end_url = ""
    if ps:
        next_url = "/practice/set?" + urlencode({"set": set})
        end_url = "/practice/set?" + urlencode({"set": set, "end": "1"})
    elif is_review:
        next_url = "/mistakes/review"
    else:
        next_url = f"/practice/next?{flt.query()}"
    return page(request, "practice_feedback.html", fb=fb, shown=shown, ps=ps, pos=pos, review=is_review,
                title=ps.title if ps else flt.describe(), next_url=next_url, end_url=end_url,
                nav_here=_tab(is_review))
