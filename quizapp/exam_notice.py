"""考试须知 (GET /exams/{id}): the facts a trainee reads before starting an exam.

    notice(db, user, exam_id) -> Notice
        exams.get_exam and exams.check_eligible (404 / 403 as for the start),
        the trainee's attempts (an open one: the route sends the trainee back to it),
        the paper's outline (domain/exam_notice.paper_outline): a fixed paper's
        questions still in the bank, or a blueprint's rows.

Nothing here starts a clock or draws a paper: the page's 开始考试 (or 进入候考室)
button posts to /exams/{id}/start, which does (exams.start_attempt).

    waiting_room(db, user, attempt, now, spread) -> WaitingRoom
        what GET /attempts/{id} shows before the attempt's start second
        (domain/waiting.py): the notice, the seconds to the start by the
        server's clock and the delay after it at which the page asks for
        its paper.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from . import exams
from .domain import exam_notice as rules
from .domain import exams as exam_rules
from .domain import waiting
from .domain.errors import DomainError
from .models import Attempt, Exam, Question, User, utcnow
from .practice import IN_BANK


@dataclass
class Notice:
    exam: Exam
    outline: rules.Outline
    pass_points: float | None
    allowed: int                        # attempts allowed, with any granted
    used: int
    open_attempt: Attempt | None
    can_start: bool
    reason: str                         # why not, when the trainee cannot start now
    room: str = waiting.NO_ROOM          # the waiting room's state (domain/waiting.room_state)

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.used)

    @property
    def graded(self) -> bool:
        """Pass or fail is given (a pre-test is diagnostic only)."""
        return self.exam.purpose != "pretest"


def notice(db: Session, user: User, exam_id: int, now: datetime | None = None) -> Notice:
    now = now or utcnow()
    exam = exams.get_exam(db, exam_id)
    exams.check_eligible(db, user, exam)
    attempts = [exams.bring_up_to_date(db, a, now) for a in db.exec(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)).all()]
    open_attempt = next((a for a in attempts if a.status == "open"), None)
    allowed = exams.allowed_attempts(db, exam, user.id)
    reason = ""
    try:
        exam_rules.check_can_start(now, opens_at=exam.opens_at, closes_at=exam.closes_at,
                                   attempts_allowed=allowed, attempts_used=len(attempts),
                                   waiting_minutes=exam.waiting_minutes)
    except DomainError as refused:
        reason = str(refused)
    types, fixed = _paper_types(db, exam)
    outline = rules.paper_outline(types, exam.points, fixed)
    return Notice(exam, outline, rules.pass_points(outline, exam.pass_percent), allowed, len(attempts),
                  open_attempt, open_attempt is None and not reason, reason,
                  waiting.room_state(now, exam.opens_at, exam.waiting_minutes))


@dataclass
class WaitingRoom:
    notice: Notice
    attempt: Attempt
    seconds_to_start: float
    paper_delay_ms: int


def waiting_room(db: Session, user: User, attempt: Attempt, now: datetime, spread_seconds: float) -> WaitingRoom:
    return WaitingRoom(notice(db, user, attempt.exam_id, now), attempt,
                       waiting.seconds_until(attempt.started_at, now),
                       waiting.paper_delay_ms(attempt.id, spread_seconds))


def _paper_types(db: Session, exam: Exam) -> tuple[list[str], list[float | None]]:
    """One type per question of the paper ('' where a blueprint row leaves it
    open), and beside it the points its blueprint row sets (None: its type's)."""
    if exam.question_ids:           # a fixed paper, less what an editor has suspended since (as start_attempt)
        query = select(Question.id, Question.type, Question.pool).where(Question.id.in_(exam.question_ids), IN_BANK)
        usable = {qid: qtype for qid, qtype, pool in db.exec(query) if exam.certifying or pool != "exam"}
        return [usable[qid] for qid in exam.question_ids if qid in usable], []
    rows = [(cell.get("type", ""), cell.get("points")) for cell in exam.blueprint
            for _ in range(int(cell.get("count", 0)))]
    return [t for t, _ in rows], [p for _, p in rows]
