"""纠错与建议 for readers: report a problem on a handbook section or a question; 我的反馈."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from sqlmodel import select

from ... import exams, reports
from ...domain import reports as rules
from ...domain.errors import DomainError
from ...domain.redirects import local_path
from ...models import Question
from ..deps import CurrentUser, SessionDep
from ..render import back_url, page

router = APIRouter(prefix="/reports")


def _form(request: Request, db, *, page_path: str, section: str, question_id: str, category: str = "",
          text: str = "", error: str = "", status_code: int = 200, order: str = "", part_orders: str = "",
          back: str = ""):
    question = db.get(Question, question_id) if question_id else None
    found = None if question else reports.handbook_pages(request.app.state.settings.site_dir).get(page_path)
    return page(request, "report_form.html", status_code=status_code, page_path=page_path, section=section,
                question=question, found=found, category=category, text=text, error=error,
                categories=rules.CATEGORIES, max_text=rules.MAX_TEXT, order=order, part_orders=part_orders,
                back=local_path(back, ""))


def _part_orders(encoded: str) -> dict[str, str]:
    """The form's part_orders field, "1:BA,2:CAB", as part id -> order (checked by reports.submit)."""
    return dict(p.split(":", 1) for p in encoded.split(",")[:20] if ":" in p)


@router.get("/new")
def report_form(request: Request, db: SessionDep, user: CurrentUser, page_path: str = "", section: str = "",
                question: str = "", category: str = "", order: str = ""):
    """``order`` and ``order-<part>``: the option order the reader saw, as the practice pages name it;
    without them, the order of the page the form was opened from (reports.shown_order_seen)."""
    shown, parts = order[:16], {k[6:]: v[:16] for k, v in request.query_params.items() if k.startswith("order-")}
    q = db.get(Question, question) if question else None
    if q is not None and not shown and not parts:
        shown, parts = reports.shown_order_seen(db, user, q, back_url(request))
    return _form(request, db, page_path=page_path, section=section, question_id=question,
                 category=category or ("answer" if question else ""), order=shown,
                 part_orders=",".join(f"{k}:{v}" for k, v in parts.items() if v), back=back_url(request))


@router.post("/new")
def report_submit(request: Request, db: SessionDep, user: CurrentUser, page_path: Annotated[str, Form()] = "",
                  section: Annotated[str, Form()] = "", question: Annotated[str, Form()] = "",
                  category: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
                  order: Annotated[str, Form(max_length=16)] = "",
                  part_orders: Annotated[str, Form(max_length=200)] = "",
                  back: Annotated[str, Form(max_length=500)] = ""):
    try:
        reports.submit(db, user, category=category, text=text, page=page_path, section=section, question_id=question,
                       pages=reports.handbook_pages(request.app.state.settings.site_dir), order=order,
                       part_orders=_part_orders(part_orders))
    except DomainError as e:
        return _form(request, db, page_path=page_path, section=section, question_id=question, category=category,
                     text=text, error=e.message, status_code=e.status, order=order, part_orders=part_orders,
                     back=back)
    back = local_path(back, "")
    return RedirectResponse("/reports/?sent=1" + (f"&back={quote(back, safe='')}" if back else ""), status_code=303)


@router.get("/")
def my_reports(request: Request, db: SessionDep, user: CurrentUser, sent: str = "", back: str = ""):
    """我的反馈: each report by the page's and section's titles or the question's
    stem (no paths, no ids), with the editors' answer. While an exam is open,
    the answer to a report on a question of its paper waits (it may name the key)."""
    rows = reports.mine(db, user)
    pages = reports.handbook_pages(request.app.state.settings.site_dir)
    sections = {r.id: next((s.title for s in pages.get(r.page, ("", ()))[1] if s.anchor == r.section), r.section)
                for r in rows if r.section}
    asked = {r.question_id for r in rows if r.question_id}
    stems = {q.id: q.stem for q in db.exec(select(Question).where(Question.id.in_(asked)))} if asked else {}
    attempt = exams.open_attempt_of(db, user.id)
    withheld = {i["question_id"] for i in attempt.paper} if attempt else set()
    return page(request, "reports_mine.html", rows=rows, statuses=rules.STATUSES, categories=rules.CATEGORIES,
                sent=bool(sent), sections=sections, stems=stems, withheld=withheld,
                back=local_path(back[:500], "") if sent else "")
