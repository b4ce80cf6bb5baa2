"""纠错与建议: readers report a problem on a handbook section or a question;
editors work through the queue (filter, assign, answer, close); the reader
follows the answer in 我的反馈. Questions with several open reports are marked
in the practice pool; an editor can suspend a question at once (out of every
new paper and practice, past grades untouched), which the audit log records.

Every change of a report bumps its version with a conditional UPDATE, so an
editor acting on a report another editor has meanwhile closed or changed is
told so, and nothing is overwritten."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl

from sqlalchemy import func, update
from sqlmodel import Session, select

from . import draw_pool
from .audit import record as audit
from .content.generate import REPORT_PAGES
from .domain import text as free_text
from .domain import reports as rules
from .domain.errors import NotFound
from .domain.procedure import VOLUME_BY_CODE
from .models import Attempt, AuditEvent, ContentReport, Question, Role, User, utcnow


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


HandbookPages = Mapping[str, tuple[str, tuple[Section, ...]]]     # page path -> (title, sections)


def handbook_pages(site_dir: Path) -> HandbookPages:
    """The pages of the built handbook that take reports, with their titles and
    sections, from the page list the build wrote (hooks/handbook.py); empty if
    the handbook is not built. A page is looked up in it by its path as a key:
    the report form never opens a file it is named."""
    file = Path(site_dir) / REPORT_PAGES
    try:
        mtime = file.stat().st_mtime
    except OSError:
        return {}
    return _read_pages(str(file), mtime)


@lru_cache(maxsize=4)
def _read_pages(file: str, mtime: float) -> HandbookPages:
    listed = json.loads(Path(file).read_text(encoding="utf-8"))
    return {path: (page["title"], tuple(Section(anchor, title) for anchor, title in page["sections"]))
            for path, page in listed.items()}


def volume_of(page: str) -> str:
    parts = page.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "volumes" and parts[1] in VOLUME_BY_CODE else ""


def volume_label(report: ContentReport) -> str:
    """The volume a report is about, short (第一卷), to go before its page's title (第一卷 · 听证);
    '' for a page outside the volumes (易错点汇总 …)."""
    volume = VOLUME_BY_CODE.get(report.volume or volume_of(report.page or ""))
    return volume.ordinal if volume else ""


def submit(db: Session, user: User, *, category: str, text: str, page: str = "", section: str = "",
           question_id: str = "", pages: HandbookPages | None = None, order: str = "",
           part_orders: Mapping[str, str] | None = None) -> ContentReport:
    """Store a report on a page section or a question; ReportRejected (nothing
    stored) for an empty or overlong text, an unknown question, or a page or
    section that is not in ``pages`` (handbook_pages: the built handbook's).
    ``order``/``part_orders``: the option order the reporter saw (shown_order_seen)."""
    text = rules.clean_report(category, text)
    if question_id:
        question = db.get(Question, question_id)
        if question is None:
            raise rules.ReportRejected(f"题目 {question_id} 不存在")
        report = ContentReport(user_id=user.id, question_id=question.id, volume=question.volume,
                               page=question.anchor.partition("#")[0], section=question.anchor.partition("#")[2],
                               shown_order=rules.clean_shown_order(order, dict(part_orders or {}),
                                                                   list(question.options), question.parts))
    else:
        found = (pages or {}).get(page)
        if found is None:
            raise rules.ReportRejected(f"手册页面 {page or '（未指明）'} 不存在，请从手册页面上的“纠错/建议”进入")
        if section and section not in {s.anchor for s in found[1]}:
            raise rules.ReportRejected(f"该页面没有“{section}”这一节")
        report = ContentReport(user_id=user.id, page=page, section=section, volume=volume_of(page))
    report.category, report.text = category, text
    db.add(report)
    db.commit()
    db.refresh(report)
    return report


def shown_order_seen(db: Session, user: User, question: Question, came_from: str) -> tuple[str, dict[str, str]]:
    """The option order in which ``user`` saw ``question`` on the page the report form was opened from
    (``came_from``: its path and query, render.back_url): a practice explanation carries it in its address
    (order, order-<part>), an exam result in the user's own graded attempt's paper, the mistake book's
    entry shows the bank's order. ('', {}) when unknown."""
    path, _, query = came_from.partition("?")
    fields = dict(parse_qsl(query))
    if path == "/practice/feedback" and fields.get("q") == question.id:
        return fields.get("order", ""), {p["id"]: fields.get(f"order-{p['id']}", "") for p in question.parts}
    found = re.fullmatch(r"/attempts/(\d+)/result", path)
    if found:
        attempt = db.get(Attempt, int(found.group(1)))
        item = next((i for i in attempt.paper if i["question_id"] == question.id), None) if (
            attempt is not None and attempt.user_id == user.id and attempt.status == "graded") else None
        if item is not None:
            return ("".join(item.get("option_order") or []),
                    {pid: "".join(o) for pid, o in (item.get("part_option_orders") or {}).items()})
    if path.startswith("/mistakes/entries/"):
        return "".join(question.options), {p["id"]: "".join(p["options"]) for p in question.parts}
    return "", {}


def letters_seen(report: ContentReport, question: Question | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """For the editor: (which options: '' or 第 N 小题, [(letter the reporter saw, the bank's letter)]) per
    shuffled group of the report's question; empty when the order is unknown or a true/false question."""
    if question is None or not report.shown_order:
        return []
    groups = [("", report.shown_order.get("order", ""), question.type)]
    groups += [(f"第 {p['id']} 小题", report.shown_order.get("parts", {}).get(p["id"], ""), p["type"])
               for p in question.parts]
    return [(label, rules.letter_pairs(order)) for label, order, qtype in groups if order and qtype != "judge"]


def mine(db: Session, user: User) -> list[ContentReport]:
    return list(db.exec(select(ContentReport).where(ContentReport.user_id == user.id)
                        .order_by(ContentReport.id.desc())))


def queue(db: Session, *, volume: str = "", category: str = "", status: str = "") -> list[ContentReport]:
    query = select(ContentReport).order_by(ContentReport.id.desc())
    if volume:
        query = query.where(ContentReport.volume == volume)
    if category:
        query = query.where(ContentReport.category == category)
    query = query.where(ContentReport.status.in_(rules.OPEN)) if status == "open" else (
        query.where(ContentReport.status == status) if status else query)
    return list(db.exec(query))


def get(db: Session, report_id: int) -> ContentReport:
    report = db.get(ContentReport, report_id)
    if report is None:
        raise NotFound("反馈不存在")
    return report


def editors(db: Session) -> list[User]:
    return list(db.exec(select(User).where(User.role == Role.editor.value, User.active == True)  # noqa: E712
                        .order_by(User.display_name)))


def handle(db: Session, editor: User, report_id: int, *, seen_version: int, status: str, answer: str,
           assignee_id: int | None) -> ContentReport:
    """Change status, assignee and answer, if the report is still as the editor saw it."""
    report = get(db, report_id)
    answer = rules.check_handling(status, answer)
    if assignee_id is not None and assignee_id not in {e.id for e in editors(db)}:
        raise rules.ReportRejected("只能指派给编辑")
    changed = db.exec(update(ContentReport).where(ContentReport.id == report_id,
                                                  ContentReport.version == seen_version,
                                                  ContentReport.status.in_(rules.OPEN)).values(
        status=status, answer=answer, assignee_id=assignee_id, version=ContentReport.version + 1,
        answered_by=editor.id if answer else None, updated_at=utcnow())).rowcount
    if not changed:
        db.rollback()
        db.refresh(report)
        if report.status in rules.CLOSED:
            who = db.get(User, report.answered_by) if report.answered_by else None
            raise rules.ReportConflict(f"该反馈已由{who.display_name if who else '其他编辑'}处理为"
                                       f"“{rules.STATUSES[report.status]}”，您的修改未保存")
        raise rules.ReportConflict("该反馈刚被其他编辑修改，您的修改未保存；请查看最新内容后再处理")
    db.commit()
    db.refresh(report)
    return report


def open_counts(db: Session) -> dict[str, int]:
    """Question id -> open reports on it."""
    return dict(db.exec(select(ContentReport.question_id, func.count()).where(
        ContentReport.question_id.is_not(None), ContentReport.status.in_(rules.OPEN))
        .group_by(ContentReport.question_id)).all())


def flag_on(db: Session, question: Question | None) -> int:
    """How many open reports mark this question in the practice pool (0: not marked)."""
    if question is None:
        return 0
    n = db.exec(select(func.count()).select_from(ContentReport).where(
        ContentReport.question_id == question.id, ContentReport.status.in_(rules.OPEN))).one()
    return rules.flagged({question.id: n}).get(question.id, 0)


def flagged_questions(db: Session) -> dict[str, int]:
    return rules.flagged(open_counts(db))


def question_for(db: Session, question_id: str) -> Question:
    question = db.get(Question, question_id)
    if question is None:
        raise NotFound(f"题目 {question_id} 不存在")
    return question


@dataclass(frozen=True)
class Suspension:
    """A suspended question with its latest suspension as the audit log holds it (reason '' and no time
    when the log has none)."""
    question: Question
    reason: str = ""
    at: datetime | None = None
    by: User | None = None


def suspensions(db: Session) -> list[Suspension]:
    """The questions suspended now, in id order, each with the reason, time and editor of its suspension."""
    questions = db.exec(select(Question).where(Question.suspended == True).order_by(Question.id)).all()  # noqa: E712
    if not questions:
        return []
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "question.suspend",
                                              AuditEvent.target.in_([f"question:{q.id}" for q in questions]))
                     .order_by(AuditEvent.at, AuditEvent.id)).all()
    latest = {e.target: e for e in events}                       # the newest of each question's suspensions
    actors = {e.actor_id for e in latest.values() if e.actor_id is not None}
    people = {u.id: u for u in db.exec(select(User).where(User.id.in_(actors)))} if actors else {}
    out = []
    for q in questions:
        e = latest.get(f"question:{q.id}")
        out.append(Suspension(q, str(e.detail.get("reason") or "") if e else "", e.at if e else None,
                              people.get(e.actor_id) if e else None))
    return out


def set_suspended(db: Session, editor: User, question_id: str, suspended: bool, reason: str = "") -> Question:
    """Take a question out of every new paper and practice at once (or put it
    back). Attempts already drawn keep it, and grades stay as they were.
    Suspending needs a reason (rules.check_suspension)."""
    reason = free_text.checked(reason, "理由", free_text.REASON)
    question = question_for(db, question_id)
    reason = rules.check_suspension(suspended, reason)
    if question.suspended != suspended:
        question.suspended = suspended
        question.updated_at = draw_pool.next_stamp(db.connection())     # every worker's next draw sees it
        db.add(question)
        audit(db, editor, "question.suspend" if suspended else "question.restore", f"question:{question_id}",
              reason=reason)
    db.commit()
    db.refresh(question)
    return question
