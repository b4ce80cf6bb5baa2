"""错题本: the book grouped by volume and step, with what is due and when;
练习错题 (by volume and step) and 今日复习 start a practice set of the book's
questions (quizapp/practice_sets.py), answered on the practice set pages."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from ... import exams, mistakes, practice_sets
from ...models import utcnow
from ..deps import PracticeUser, SessionDep
from ..render import page
from .practice import record, set_url

router = APIRouter(prefix="/mistakes")


@router.get("/")
def mistake_book(request: Request, db: SessionDep, user: PracticeUser):
    exams.release_exam_mistakes(db, user.id)
    return page(request, "mistakes.html", book=mistakes.book(db, user.id))


def _start(request, db, user, *, volume="", step="", due_only=False):
    exams.release_exam_mistakes(db, user.id)
    ps = practice_sets.start_mistakes(db, user, volume=volume, step=step, due_only=due_only)
    if ps is None:
        book = mistakes.book(db, user.id)
        return page(request, "practice_question.html", question=None, kind="review" if due_only else "mistakes",
                    title=practice_sets.mistakes_title(volume, step, due_only), book=book, again="/mistakes/")
    return RedirectResponse(set_url(request, ps), status_code=303)


@router.get("/review")
def review_due(request: Request, db: SessionDep, user: PracticeUser):
    """今日复习: the questions due now, as one set."""
    return _start(request, db, user, due_only=True)


@router.get("/practice")
def practice_mistakes(request: Request, db: SessionDep, user: PracticeUser, volume: str = "", step: str = ""):
    """练习错题: the book's questions of a volume and/or step, due or not."""
    return _start(request, db, user, volume=volume, step=step)


@router.get("/entries/{entry_id}")
def mistake_detail(entry_id: int, request: Request, db: SessionDep, user: PracticeUser):
    """An entry opened: the question, the trainee's own last wrong answer that may be shown, the key and
    the explanation (mistakes.detail); paused, like all practice, while an exam is open (PracticeUser)."""
    exams.release_exam_mistakes(db, user.id)
    return page(request, "mistake_detail.html", d=mistakes.detail(db, user.id, entry_id), now=utcnow(),
                nav_here="/mistakes/")


@router.post("/review")
async def review_answer(request: Request, db: SessionDep, user: PracticeUser):
    """A review answer to a bare question (the set pages post to /practice/answer)."""
    return await record(request, db, user, review=True)
