"""编辑: the queue of readers' reports, question suspension, the law amendment
impact report and the bank's exports for Moodle. Editors only."""
from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from ... import reports
from ...content import amendments, impact_view, interchange
from ...content.questions import load_bank
from ...content.site import Site
from ...domain import reports as rules
from ...domain import text as free_text
from ...domain.errors import DomainError
from ...domain.procedure import VOLUMES
from ...models import Question, User
from .. import confirmation
from ..deps import EditorUser, SessionDep
from ..render import page, with_notice

router = APIRouter(prefix="/editor")


@lru_cache(maxsize=1)
def content_site() -> Site:
    """The handbook and bank as the repository holds them (read once per worker)."""
    return Site()


@router.get("/")
def queue(request: Request, db: SessionDep, user: EditorUser, volume: str = "", category: str = "",
          status: str = "open"):
    rows = reports.queue(db, volume=volume, category=category, status=status)
    ids = {r.user_id for r in rows} | {r.assignee_id for r in rows if r.assignee_id}
    people = {u.id: u for u in db.exec(select(User).where(User.id.in_(ids)))}
    flagged = reports.flagged_questions(db)
    suspended = reports.suspensions(db)
    asked = {r.question_id for r in rows if r.question_id} | set(flagged)
    stems = {q.id: q.stem for q in db.exec(select(Question).where(Question.id.in_(asked)))} if asked else {}
    return page(request, "editor_queue.html", rows=rows, people=people, volumes=VOLUMES, statuses=rules.STATUSES,
                categories=rules.CATEGORIES, chosen={"volume": volume, "category": category, "status": status},
                flagged=flagged, suspended=suspended, stems=stems,
                volume_of={r.id: reports.volume_label(r) for r in rows})


def _detail(request: Request, db, report, *, error: str = "", status_code: int = 200, saved: bool = False):
    question = db.get(Question, report.question_id) if report.question_id else None
    return page(request, "editor_report.html", status_code=status_code, report=report, question=question,
                reporter=db.get(User, report.user_id), editors=reports.editors(db), statuses=rules.STATUSES,
                categories=rules.CATEGORIES, error=error, open_reports=reports.open_counts(db),
                letters=reports.letters_seen(report, question), saved=saved,
                volume=reports.volume_label(report))


@router.get("/reports/{report_id}")
def report_detail(report_id: int, request: Request, db: SessionDep, user: EditorUser, saved: str = ""):
    """A report; ``saved=1``: the handling just saved (POST-redirect-GET) is confirmed at the top."""
    return _detail(request, db, reports.get(db, report_id), saved=saved == "1")


@router.post("/reports/{report_id}")
def report_handle(report_id: int, request: Request, db: SessionDep, user: EditorUser,
                  version: Annotated[int, Form()], status: Annotated[str, Form()] = "",
                  answer: Annotated[str, Form()] = "", assignee_id: Annotated[str, Form()] = ""):
    try:
        reports.handle(db, user, report_id, seen_version=version, status=status, answer=answer,
                       assignee_id=int(assignee_id) if assignee_id.strip().isdigit() else None)
    except DomainError as e:
        return _detail(request, db, reports.get(db, report_id), error=e.message, status_code=e.status)
    return RedirectResponse(f"/editor/reports/{report_id}?saved=1", status_code=303)


@router.post("/questions/{question_id}/suspend")
def question_suspend(question_id: str, request: Request, db: SessionDep, user: EditorUser,
                     suspended: Annotated[str, Form()] = "yes", reason: Annotated[str, Form()] = "",
                     back: Annotated[str, Form()] = "/editor/", confirmed: Annotated[str, Form()] = ""):
    """暂停使用 takes a reason and a confirmation (static/confirm.js adds confirmed=yes; without it, or
    without a reason, a page of its own asks for both); 恢复使用 neither."""
    question = reports.question_for(db, question_id)
    # back to the page the form was on: the editor's pages or the bank browser (quizapp/web/routes/bank.py)
    back = back if back.startswith(("/editor/", "/instructor/bank/")) else "/editor/"
    suspend = suspended == "yes"
    if suspend:
        reason = free_text.checked(reason, "理由", free_text.REASON)      # an over-long one: refused at once
        if not reason or not confirmation.confirmed(confirmed):
            return _ask_suspension(request, question, back, reason, refused=confirmation.confirmed(confirmed))
    reports.set_suspended(db, user, question.id, suspend, reason)
    return RedirectResponse(with_notice(back, "question-suspended" if suspend else "question-restored"),
                            status_code=303)


def _ask_suspension(request: Request, question: Question, back: str, reason: str, *, refused: bool):
    """The page that asks for 暂停使用 with its reason; ``refused``: it was confirmed with none (422)."""
    stem = question.stem if len(question.stem) <= 40 else question.stem[:40] + "…"
    return confirmation.ask(request, f"暂停使用题目“{stem}”？", request.url.path, back,
                            {"suspended": "yes", "back": back},
                            "暂停后本题不再进入新试卷和练习，已评成绩不变；暂停及其原因记入操作日志，可随时恢复使用。",
                            reason_label="暂停原因（必填）", reason=reason,
                            error=rules.SUSPEND_REASON_NEEDED if refused else "", status_code=422 if refused else 200)


def _impact(statute: str, version: str, new: str):
    """(found, changes, stale) as the command computes them; LookupError for an unknown statute or a
    version the statute library does not hold (amendments.compared_versions: a new version without an old
    one is compared with the newest before it)."""
    site = content_site()
    version, new = amendments.compared_versions(site.corpus, statute, version.strip(), new.strip())
    found = amendments.impact(site, statute, version or None)
    changes = amendments.changed_articles(site.corpus, statute, version, new) if version and new else None
    stale = amendments.stale_quotes(site, statute, version, new) if version and new else None
    return found, changes, stale


@router.get("/impact")
def impact(request: Request, user: EditorUser, statute: str = "", version: str = "", new: str = "",
           group: str = ""):
    """The summary and one line per page, question set and article; ``group``
    (``p3``: the third page, ``q``: the questions) lists that group's places one
    by one, so that a much-quoted statute (行政处罚法: over a thousand places)
    is not one page of every excerpt."""
    site = content_site()
    view, error, shown = None, "", None
    if statute:
        try:
            found, changes, stale = _impact(statute, version, new)
            version = found.version or ""            # a new version alone: compared with the one before it
            view = impact_view.arrange(found, {q.id: q for q in load_bank()[0]}, changes=changes,
                                       new_version=new.strip() or None, stale=stale)
            shown = view.group(group) if group else None
            if group and shown is None:
                raise LookupError("没有这一组：请从分析结果中点选页面或题库")
        except LookupError as e:
            error = str(e)
    statutes = {name: [s.version for s in site.corpus.versions(name)] for name in site.corpus.names()}
    known = site.corpus.versions(statute) if statute else []
    # the versions offered in the form's fields: the chosen statute's, else every statute's (named)
    choices = [(s.version, s.short) for s in known] or [(v, name) for name, vs in statutes.items() for v in vs]
    return page(request, "editor_impact.html", view=view, error=error, statutes=statutes,
                status_code=422 if error else 200, chosen={"statute": statute, "version": version, "new": new},
                shown=shown, version_choices=choices,
                compared={name: vs for name, vs in statutes.items() if len(vs) > 1})


@router.get("/impact.txt")
def impact_report(user: EditorUser, statute: str = "", version: str = "", new: str = ""):
    """The full report (every changed article too) as a text file, as the command prints it."""
    if not statute:
        return RedirectResponse("/editor/impact", status_code=303)
    try:
        found, changes, stale = _impact(statute, version, new)
    except LookupError as e:
        raise DomainError(str(e)) from None
    text = amendments.format_report(found, changes, new_version=new or None, stale=stale, full=True)
    return Response(text.encode("utf-8"), media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''amendment-impact.txt"})


def _exported(db, include_suspended: str) -> list:
    """The bank's questions to export: suspended ones only when asked (「包括已停用的题目」)."""
    questions, _ = load_bank()
    if include_suspended:
        return questions
    suspended = set(db.exec(select(Question.id).where(Question.suspended == True)).all())  # noqa: E712
    return [q for q in questions if q.id not in suspended]


@router.get("/export/moodle.xml")
def export_moodle(request: Request, db: SessionDep, user: EditorUser, include_suspended: str = ""):
    questions = _exported(db, include_suspended)
    return Response(interchange.to_moodle_xml(questions, str(request.base_url).rstrip("/")),
                    media_type="application/xml",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''question-bank-moodle.xml"})


@router.get("/export/gift.txt")
def export_gift(request: Request, db: SessionDep, user: EditorUser, include_suspended: str = ""):
    questions = _exported(db, include_suspended)
    return Response(interchange.to_gift(questions, str(request.base_url).rstrip("/")).encode("utf-8"),
                    media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''question-bank.gift.txt"})
