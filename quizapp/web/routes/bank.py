"""题库浏览: search and filter the bank, one question with its key, explanation,
statute and statistics across exams. Instructors, supervisors and editors
(BankUser); a trainee gets 403 on every route (the pages show keys).

From a question: 「报告问题」 (the /reports/new form) for everyone, and for
editors the editor's suspend route (audited), which brings them back here."""
from __future__ import annotations

from urllib.parse import urlencode

from typing import Annotated

from fastapi import APIRouter, Query, Request

from ... import bank_browser, cohorts
from ...domain import bank_search
from ...domain.exams import DIFFICULTY_NAMES, TYPE_NAMES
from ...domain.procedure import ALL_STEPS, VOLUMES
from ...models import Role
from ...content.items import catalogue
from ..deps import BankUser, SessionDep
from ..render import page
from .instructor_exams import may_see

router = APIRouter(prefix="/instructor/bank")


@router.get("/")
def bank_list(request: Request, db: SessionDep, user: BankUser, q: str = "", volume: str = "", step: str = "",
              type: str = "", difficulty: str = "", statute: str = "", pool: str = "", status: str = "",
              item: str = "", page_number: Annotated[int, Query(alias="page")] = 1):
    filters = bank_search.Filters.parse(q=q, volume=volume, step=step, type=type, difficulty=difficulty,
                                        statute=statute, pool=pool, status=status, item=item,
                                        known_items=catalogue())
    questions = bank_browser.bank_questions(db)
    found = bank_search.paginate(bank_search.select(questions, filters), page_number)
    return page(request, "bank.html", found=found, filters=filters, query=urlencode(filters.query()),
                volumes=VOLUMES, steps=ALL_STEPS, types=TYPE_NAMES, statutes=bank_browser.statute_names(questions),
                pools=bank_search.POOL_NAMES, statuses=bank_search.STATUS_NAMES, difficulties=DIFFICULTY_NAMES,
                items=catalogue())


@router.get("/{question_id}")
def bank_question(question_id: str, request: Request, db: SessionDep, user: BankUser, back: str = ""):
    q = bank_browser.question(db, question_id)
    visible = ({c.id for c in cohorts.visible_cohorts(db, user)}
               if user.role in (Role.instructor.value, Role.supervisor.value) else set())
    use = bank_browser.usage(db, q, lambda exam: user.role != Role.editor.value and may_see(user, exam, visible))
    # back to the list as it was filtered: only a query string of the list itself
    back = back if back.startswith("?") and len(back) <= 800 else ""
    return page(request, "bank_question.html", q=q, use=use, back=back, pools=bank_search.POOL_NAMES)
