"""The exam page's data (GET /attempts/{id}) on a lean path.

At a province's exam start every examinee loads this page within the same
minute, right after logging in and drawing the paper. Its plain case - a
live session, the user's own open attempt within its time - is read here on
one connection with statements built once, as autosave reads a save's:

    the session, its user, the attempt and its exam   one row (autosave.LIVE_ATTEMPT and more)
    the paper                                          autosave's per-worker cache of papers
    the questions' content                             a per-worker cache keyed by id and content
                                                       hash; only the hashes are read per request
    saved answers and their versions, focus losses     one statement each

At the start second, the first row also brings the page prepared while the
candidate waited (prepared_paper), if it was rendered for this session and
nothing was saved or recorded since: that page is sent as it is, and nothing
else is read or rendered.

The page keeps each saved answer's version (data-versions, see
exams.write_answers) and sends it with a save of that question.

Every other case returns None, and the route takes the general path
(exams.own_attempt, which grades an overdue attempt and answers the usual
errors); both give an ExamPage for the same template.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, Row, bindparam, exists, func, select

from .autosave import LIVE_ATTEMPT, paper_items, plain_case
from .domain import exams as rules
from .domain import integrity
from .exams import PaperQuestion, question_view
from .models import Attempt, AttemptAnswer, Exam, IntegrityEvent, LoginSession, PreparedPaper, Question, User, utcnow

_users, _attempts, _exams, _sessions = User.__table__, Attempt.__table__, Exam.__table__, LoginSession.__table__
_questions, _answers, _events = Question.__table__, AttemptAnswer.__table__, IntegrityEvent.__table__

_prepared = PreparedPaper.__table__
# The page prepared while the candidate waited (prepared_paper), if it was rendered for this
# session; with it, whether anything was saved or recorded since (then it is not used).
_SINCE = (exists().where(_answers.c.attempt_id == _attempts.c.id)
          | exists().where(_events.c.attempt_id == _attempts.c.id)).label("changed_since")
_PAGE = (LIVE_ATTEMPT.add_columns(_users.c.display_name, _users.c.role, _users.c.unit, _attempts.c.number,
                                  _exams.c.title, _exams.c.focus_loss_limit, _exams.c.focus_grace_seconds,
                                  _prepared.c.page.label("prepared_page"), _SINCE)
         .join(_exams, _exams.c.id == _attempts.c.exam_id)
         .outerjoin(_prepared, (_prepared.c.attempt_id == _attempts.c.id)
                    & (_prepared.c.session_hash == _sessions.c.token_hash)))
_IN_PAPER = _questions.c.id.in_(bindparam("ids", expanding=True))
_HASHES = select(_questions.c.id, _questions.c.content_hash).where(_IN_PAPER)
_CONTENT = select(_questions.c.id, _questions.c.content_hash, _questions.c.type, _questions.c.stem,
                  _questions.c.options, _questions.c.parts).where(_IN_PAPER)
_SAVED = select(_answers.c.question_id, _answers.c.response, _answers.c.seq).where(
    _answers.c.attempt_id == bindparam("attempt_id"))
_FOCUS_LOSSES = (select(func.count()).select_from(_events)
                 .where(_events.c.attempt_id == bindparam("attempt_id"), _events.c.counted == True))  # noqa: E712

_contents: LRUCache = LRUCache(maxsize=20_000)     # (question id, content hash) -> row for question_view
_contents_lock = threading.Lock()


@dataclass(frozen=True)
class PageUser:
    """What the page's frame shows of its user (base.html)."""
    display_name: str
    role: str
    unit: str


@dataclass
class ExamPage:
    attempt_id: int
    number: int
    title: str
    focus_loss_limit: int
    focus_grace_seconds: int
    remaining: int
    focus_losses: int
    questions: list[PaperQuestion]
    versions: dict[str, int] = field(default_factory=dict)      # question id -> the saved answer's version

    @property
    def warning(self) -> str:
        """The live count of counted absences, shown again after a reload."""
        return integrity.warning(self.focus_loss_limit, self.focus_losses)


@dataclass(frozen=True)
class Prepared:
    """The page prepared while the candidate waited (prepared_paper), gzipped, to be sent as it is."""
    page: bytes


def load(engine: Engine, *, token: str | None, attempt_id: int, idle: timedelta | None,
         now: datetime | None = None) -> tuple[ExamPage, PageUser] | Prepared | None:
    """The page and its user, the page prepared for this session at the start (nothing saved or
    recorded since), or None: not the plain case."""
    now = now or utcnow()
    with plain_case(engine, _PAGE, token, attempt_id, now, idle) as found:
        if found is None:
            return None
        conn, live = found
        if live.prepared_page is not None and not live.changed_since:
            return Prepared(live.prepared_page)
        items = paper_items(conn, attempt_id, live.started_at)
        contents = _question_contents(conn, list(items))
        rows = conn.execute(_SAVED, {"attempt_id": attempt_id}).all()
        saved = {row.question_id: row.response for row in rows}
        losses = conn.execute(_FOCUS_LOSSES, {"attempt_id": attempt_id}).scalar_one()
    questions = [question_view(contents[qid], number=n, points=item.points, option_order=item.option_order,
                               part_orders=item.part_option_orders, response=saved.get(qid))
                 for n, (qid, item) in enumerate(items.items(), 1)]
    page = ExamPage(attempt_id, live.number, live.title, live.focus_loss_limit, live.focus_grace_seconds,
                    rules.remaining_seconds(live.deadline, now), losses, questions,
                    {row.question_id: row.seq for row in rows})
    return page, PageUser(live.display_name, live.role, live.unit)


def saved_versions(conn: Connection, attempt_id: int) -> dict[str, int]:
    """The version of each saved answer of the attempt (for the general path's page)."""
    return {row.question_id: row.seq for row in conn.execute(_SAVED, {"attempt_id": attempt_id})}


def _question_contents(conn: Connection, ids: list[str]) -> dict[str, Row]:
    """What question_view reads of each question, from the cache where its content hash is unchanged."""
    hashes = {qid: content_hash for qid, content_hash in conn.execute(_HASHES, {"ids": ids})}
    with _contents_lock:
        found = {qid: _contents.get((qid, h)) for qid, h in hashes.items()}
    missing = [qid for qid, row in found.items() if row is None]
    if missing:
        rows = conn.execute(_CONTENT, {"ids": missing}).all()
        with _contents_lock:
            for row in rows:
                _contents[row.id, row.content_hash] = found[row.id] = row
    return found
