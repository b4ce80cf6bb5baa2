"""Timed exams: creating an exam, starting an attempt (its paper drawn once),
saving answers as they are chosen, the integrity log, grading at submit or at
the deadline (once, however often it is asked), and the views of a paper and
a result. The rules themselves are in domain.exams; this module applies them
to the database.

Every function that reads an attempt first grades it if its deadline has
passed, so the clock holds whether or not the trainee's page is open.
"""
from __future__ import annotations

import functools
import logging
import random
from collections.abc import Iterable, MutableMapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, func, select

from . import draw_pool, mistakes, prepared_paper
from .audit import record as audit
from .cohorts import enrolled_cohort_ids
from .domain import text as free_text
from .domain import exams as rules
from .domain import statistics
from .domain.supervision import accuracy_by
from .domain import custody as custody_rules
from .domain import integrity
from .domain import waiting
from .domain.errors import DomainError, Forbidden, InvalidAnswer, NotFound
from .db import commit_keeping_loaded
from .domain.procedure import ALL_STEPS
from .models import (Attempt, AttemptAnswer, CohortInstructor, Enrolment, Exam, ExamGrant, IntegrityEvent,
                     LoginAttempt, Question, Survey, SurveyResponse, User, utcnow)

EVENT_KINDS = integrity.KINDS


class AttemptClosed(DomainError):
    status = 409


class PracticePaused(DomainError):
    """A trainee with an open attempt may not practise or review: no route may
    tell them a key, an explanation or whether an answer is right meanwhile."""
    status = 409

    def __init__(self, attempt_id: int):
        super().__init__("考试进行中，练习暂停。交卷后可继续练习、复习错题和查看解析。")
        self.attempt_id = attempt_id


def open_attempt_of(db: Session, user_id: int, now: datetime | None = None) -> Attempt | None:
    """The trainee's open attempt, if any (one past its deadline is graded first)."""
    finish_expired(db, now, user_id=user_id)
    return db.exec(select(Attempt).where(Attempt.user_id == user_id, Attempt.status == "open")).first()


def pause_during_attempt(db: Session, user: User, *, except_attempt: int | None = None) -> None:
    """Raise PracticePaused while the user has an open attempt (other than ``except_attempt``)."""
    attempt = open_attempt_of(db, user.id)
    if attempt is not None and attempt.id != except_attempt:
        raise PracticePaused(attempt.id)


_MISTAKES_PENDING = (select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
                     .where(Attempt.status == "graded", Attempt.mistakes_recorded == False))  # noqa: E712


def release_exam_mistakes(db: Session, user_id: int, now: datetime | None = None) -> int:
    """Put into the mistake book the wrong answers of graded attempts whose
    review has opened since (an exam reviewed after its close); an exam
    without review never enters it. Returns how many attempts were released."""
    now = now or utcnow()
    released = 0
    for attempt, exam in db.exec(_MISTAKES_PENDING.where(Attempt.user_id == user_id)).all():
        if exam.review_mode == rules.REVIEW_NEVER or not review_open(db, exam, now):
            continue
        paper = [rules.PaperItem(**item) for item in attempt.paper]
        wrong = [i.question_id for i in paper if attempt.item_scores.get(i.question_id, 0.0) < i.points]
        mistakes.record_wrong_many(db, user_id=user_id, question_ids=practice_only(db, wrong), source="exam",
                                   now=attempt.submitted_at or now)
        attempt.mistakes_recorded = True
        db.add(attempt)
        released += 1
    if released:
        db.commit()
    return released


_EXAM_ONLY = select(Question.id).where(Question.id.in_(bindparam("ids", expanding=True)), Question.pool == "exam")


def practice_only(db: Session, question_ids: list[str]) -> list[str]:
    """The ids less the exam-only questions (which never enter the mistake book)."""
    if not question_ids:
        return []
    exam_only = set(db.connection().execute(_EXAM_ONLY, {"ids": question_ids}).scalars())
    return [q for q in question_ids if q not in exam_only]


# --- exams ----------------------------------------------------------------------

# Statements of an attempt's start, built once (an exam's start brings thousands within a minute).
_PAPER_QUESTIONS = select(Question.id, Question.type, Question.options, Question.answer, Question.parts).where(
    Question.id.in_(bindparam("ids", expanding=True)))
_NEW_ATTEMPT = insert(Attempt.__table__).returning(Attempt.__table__.c.id)


def candidates(db: Session, *, certifying: bool = True) -> list[rules.Candidate]:
    """What new papers may hold: in the bank, not suspended by an editor;
    exam-only questions only for a certifying exam."""
    return rules.usable_by(draw_pool.candidates(db.connection()), certifying=certifying)


def create_exam(db: Session, *, title: str, created_by: int | None, time_limit_minutes: int,
                question_ids: list[str] | None = None, blueprint: list[dict] | None = None,
                points: dict[str, float] | None = None, opens_at: datetime | None = None,
                closes_at: datetime | None = None, pass_percent: float = 60.0, attempts_allowed: int = 1,
                shuffle_questions: bool = False, shuffle_options: bool = False,
                multiple_rule: str = rules.ALL_OR_NOTHING, review_mode: str = rules.REVIEW_IMMEDIATE,
                focus_loss_limit: int = 0, focus_grace_seconds: int = 3, description: str = "",
                cohort_id: int | None = None, purpose: str = "exam", certifying: bool = False,
                waiting_minutes: int = waiting.DEFAULT_MINUTES, deadline_mode: str = waiting.OWN) -> Exam:
    """Validate and save an exam. A blueprint is assembled once here as a
    dry run, so an exam the bank cannot fill is refused with the cell named."""
    title = free_text.checked(title, "考试名称", free_text.TITLE)
    description = free_text.checked(description, "考试说明", free_text.TEXT)
    if not title:
        raise DomainError("请填写考试名称")
    if bool(question_ids) == bool(blueprint):
        raise DomainError("请指定固定试题或组卷规则（二者选一）")
    points = {**rules.DEFAULT_POINTS, **(points or {})}
    rules.check_settings(points=points, pass_percent=pass_percent, time_limit_minutes=time_limit_minutes,
                         attempts_allowed=attempts_allowed, focus_loss_limit=focus_loss_limit,
                         focus_grace_seconds=focus_grace_seconds)
    rules.check_window(opens_at, closes_at)
    waiting.check_settings(waiting_minutes, deadline_mode)
    if multiple_rule not in (rules.ALL_OR_NOTHING, rules.PARTIAL):
        raise DomainError("多选题计分规则无效")
    if review_mode not in (rules.REVIEW_IMMEDIATE, rules.REVIEW_AFTER_CLOSE, rules.REVIEW_NEVER):
        raise DomainError("答案解析显示方式无效")
    if purpose not in rules.PURPOSES:
        raise DomainError("考试用途无效")
    if purpose == "pretest" and cohort_id is None:
        raise DomainError("训前诊断测验须指定培训班")
    if purpose == "pretest" and certifying:
        raise DomainError("训前诊断测验不能作为结业考试")
    pool = candidates(db, certifying=certifying)
    if question_ids:
        active = {c.id for c in pool}
        missing = [q for q in question_ids if q not in active]
        if missing:
            exam_only = {c.id for c in candidates(db)} - active
            if exam_only & set(missing):
                raise DomainError(f"考试专用题只能用于结业考试：{'、'.join(q for q in missing if q in exam_only)}")
            raise DomainError(f"题目不存在或已停用：{'、'.join(missing)}")
        if len(set(question_ids)) != len(question_ids):
            raise DomainError("固定试题中有重复题目")
    cells = blueprint_cells(blueprint or [], points)
    if any(c.pool not in rules.POOLS for c in cells):
        raise DomainError("组卷规则的题目来源无效")
    if cells:
        rules.assemble(cells, pool, random.Random(0))
    exam = Exam(title=title.strip(), description=description, question_ids=list(question_ids or []),
                blueprint=[asdict(c) for c in cells], points=points, certifying=certifying,
                focus_grace_seconds=focus_grace_seconds,
                multiple_rule=multiple_rule, time_limit_minutes=time_limit_minutes, opens_at=opens_at,
                closes_at=closes_at, pass_percent=pass_percent, attempts_allowed=attempts_allowed,
                shuffle_questions=shuffle_questions, shuffle_options=shuffle_options, review_mode=review_mode,
                focus_loss_limit=focus_loss_limit, created_by=created_by, cohort_id=cohort_id,
                purpose=purpose, waiting_minutes=waiting_minutes, deadline_mode=deadline_mode)
    db.add(exam)
    db.flush()
    audit(db, created_by, "exam.create", f"exam:{exam.id}", title=exam.title, purpose=purpose, cohort_id=cohort_id)
    db.commit()
    db.refresh(exam)
    return exam


def create_pretest(db: Session, actor: User, cohort_id: int, *, per_step: int = 2, time_limit_minutes: int = 20,
                   opens_at: datetime | None = None, closes_at: datetime | None = None) -> Exam:
    """训前诊断: a short cohort test with per_step questions of every step the
    bank covers; its per-topic accuracy sits beside the needs survey."""
    blueprint = rules.diagnostic_blueprint(candidates(db, certifying=False), ALL_STEPS, per_step)
    return create_exam(db, title="训前诊断测验", created_by=actor.id, time_limit_minutes=time_limit_minutes,
                       blueprint=[asdict(c) for c in blueprint], opens_at=opens_at, closes_at=closes_at,
                       pass_percent=60.0, attempts_allowed=1, shuffle_options=True, cohort_id=cohort_id,
                       purpose="pretest", review_mode=rules.REVIEW_AFTER_CLOSE if closes_at else rules.REVIEW_NEVER,
                       description="本测验用于了解培训前的掌握情况，不计入考核，请独立作答。")


def blueprint_cells(blueprint: list[dict], points: dict[str, float]) -> list[rules.Cell]:
    """A blueprint's rows as a new exam keeps them (domain.exams.with_row_points:
    a row of any type gives each question the same points), checked."""
    cells = rules.with_row_points([rules.Cell(**c) for c in blueprint], {**rules.DEFAULT_POINTS, **points})
    rules.check_row_points(cells)
    return cells


def get_exam(db: Session, exam_id: int) -> Exam:
    exam = db.get(Exam, exam_id)
    if exam is None or not exam.active:
        raise NotFound("考试不存在")
    return exam


@dataclass
class ExamRow:
    exam: Exam
    attempts: list[Attempt]
    open_attempt: Attempt | None
    can_start: bool
    status: str
    allowed: int                        # attempts allowed, with any granted

    @property
    def best(self) -> Attempt | None:
        graded = [a for a in self.attempts if a.status == "graded"]
        return max(graded, key=lambda a: a.score or 0, default=None)


def _cohorts_of(db: Session, user: User) -> set[int]:
    return set(db.exec(enrolled_cohort_ids(user.id)).all())


def allowed_attempts(db: Session, exam: Exam, user_id: int) -> int:
    grant = db.get(ExamGrant, (exam.id, user_id))
    return exam.attempts_allowed + (grant.extra_attempts if grant else 0)


def check_eligible(db: Session, user: User, exam: Exam) -> None:
    """A cohort's exam is for that cohort's trainees; an exam without a cohort is for everyone."""
    if exam.cohort_id is not None and exam.cohort_id not in _cohorts_of(db, user):
        raise Forbidden("您不在该考试所属的培训班中")


def exams_for(db: Session, user: User, now: datetime | None = None) -> list[ExamRow]:
    now = now or utcnow()
    finish_expired(db, now, user_id=user.id)
    rows = []
    mine = _cohorts_of(db, user)
    for exam in db.exec(select(Exam).where(Exam.active == True).order_by(Exam.id.desc())):  # noqa: E712
        if exam.cohort_id is not None and exam.cohort_id not in mine:
            continue
        attempts = list(db.exec(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)
                                .order_by(Attempt.number)))
        open_attempt = next((a for a in attempts if a.status == "open"), None)
        in_window = rules.window_open(now, exam.opens_at, exam.closes_at)
        allowed = allowed_attempts(db, exam, user.id)
        can_start = in_window and open_attempt is None and len(attempts) < allowed
        if open_attempt:
            status = "作答中"
        elif exam.opens_at and now < exam.opens_at:
            status = "未开始"
        elif not in_window:
            status = "已结束"
        elif len(attempts) >= allowed:
            status = "次数已用完"
        else:
            status = "可参加"
        rows.append(ExamRow(exam, attempts, open_attempt, can_start, status, allowed))
    return rows


# --- attempts -------------------------------------------------------------------

def draw_question_ids(db: Session, exam: Exam, rng: random.Random) -> list[str]:
    """The questions of a new paper of this exam, in the exam's order (before
    any shuffling): a fixed paper less any question an editor has suspended
    since, or a fresh draw from the blueprint. Also the instructor's preview."""
    pool = candidates(db, certifying=exam.certifying)
    if exam.question_ids:
        usable = {c.id for c in pool}
        ids = [i for i in exam.question_ids if i in usable]
        if not ids:
            raise DomainError("本考试的题目均已暂停使用，请联系教员")
        return ids
    return rules.assemble([rules.Cell(**c) for c in exam.blueprint], pool, rng)


def paper_points(exam: Exam, ids: list[str], types: dict[str, str]) -> dict[str, float]:
    """What each question drawn for this exam (``ids``, as draw_question_ids
    gave them; ``types``: id -> type) is worth: its blueprint row's points, else its type's."""
    fixed = rules.row_points([rules.Cell(**c) for c in exam.blueprint], ids) if not exam.question_ids else {}
    return {i: fixed.get(i, rules.points_for(types[i], {**rules.DEFAULT_POINTS, **(exam.points or {})}))
            for i in ids}


def start_attempt(db: Session, user: User, exam_id: int, now: datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """The trainee's open attempt, or a new one if the window, the attempts
    allowed and the blueprint permit. Never two open attempts."""
    now = now or utcnow()
    exam = get_exam(db, exam_id)
    check_eligible(db, user, exam)
    attempts = [bring_up_to_date(db, a, now) for a in db.exec(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id)).all()]
    open_attempt = next((a for a in attempts if a.status == "open"), None)
    if open_attempt:
        return open_attempt
    allowed = (exam.attempts_allowed if len(attempts) < exam.attempts_allowed   # a grant only adds attempts
               else allowed_attempts(db, exam, user.id))
    rules.check_can_start(now, opens_at=exam.opens_at, closes_at=exam.closes_at, attempts_allowed=allowed,
                          attempts_used=len(attempts), waiting_minutes=exam.waiting_minutes)
    rng = rng or random.Random()
    ids = draw_question_ids(db, exam, rng)
    questions = {q.id: {"type": q.type, "options": q.options, "answer": q.answer, "parts": q.parts}
                 for q in db.connection().execute(_PAPER_QUESTIONS, {"ids": ids})}
    paper = rules.paper_for_attempt(ids, questions, exam.points, rng, shuffle_questions=exam.shuffle_questions,
                                    shuffle_options=exam.shuffle_options,
                                    fixed_points=rules.row_points([rules.Cell(**c) for c in exam.blueprint], ids)
                                    if not exam.question_ids else None)
    started_at = waiting.start_of_attempt(now, exam.opens_at, exam.waiting_minutes)   # 候考: the start second
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=len(attempts) + 1, started_at=started_at,
                      deadline=waiting.deadline(started_at, timedelta(minutes=exam.time_limit_minutes),
                                                mode=exam.deadline_mode, starts_at=exam.opens_at,
                                                closes_at=exam.closes_at),
                      paper=[dict(vars(item)) for item in paper])      # shallow: asdict's deep copy costs ms
    try:        # one INSERT, not the ORM's unit of work; the attempt is not read back
        attempt.id = db.connection().execute(_NEW_ATTEMPT, {
            c.name: getattr(attempt, c.name) for c in Attempt.__table__.columns if c.name != "id"}).scalar_one()
        commit_keeping_loaded(db)
    except IntegrityError:          # a second tab started at the same moment: use its attempt
        db.rollback()
        return db.exec(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.user_id == user.id,
                                             Attempt.status == "open")).one()
    make_transient_to_detached(attempt)             # as if loaded: the caller's session holds it as written
    db.add(attempt)
    return attempt


def own_attempt(db: Session, user: User, attempt_id: int, now: datetime | None = None, *,
                lock: bool = False) -> Attempt:
    """The attempt, if it is the user's (another's is 404, as if it did not
    exist); graded first if its time is up. ``lock`` takes the row lock for
    the rest of the transaction, so that a save and the grading of the same
    attempt never interleave (PostgreSQL: FOR UPDATE; SQLite: the write lock
    taken by BEGIN IMMEDIATE)."""
    attempt = db.get(Attempt, attempt_id, with_for_update=lock, populate_existing=lock)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("考试记录不存在")
    return bring_up_to_date(db, attempt, now or utcnow())


def bring_up_to_date(db: Session, attempt: Attempt, now: datetime) -> Attempt:
    if attempt.status == "open" and now > attempt.deadline + rules.SAVE_GRACE:
        return _grade(db, attempt, attempt.deadline, "deadline")
    return attempt


def finish_expired(db: Session, now: datetime | None = None, *, user_id: int | None = None,
                   exam_id: int | None = None) -> int:
    """Grade every open attempt whose deadline has passed; returns how many."""
    now = now or utcnow()
    query = select(Attempt).where(Attempt.status == "open", Attempt.deadline < now - rules.SAVE_GRACE)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    overdue = db.exec(query).all()
    for attempt in overdue:
        _grade(db, attempt, attempt.deadline, "deadline")
    return len(overdue)


SWEEP_LOCK = 0x7A6A5357        # the PostgreSQL advisory lock key of the background sweep
LOGIN_LOG_DAYS = 30


def sweep(engine, now: datetime | None = None) -> int | None:
    """The background sweep: grade every attempt past its deadline and drop
    old login records. One worker at a time: on PostgreSQL it holds an advisory
    lock (another worker that finds it taken skips this round and returns None);
    on SQLite the single writer lock serialises it."""
    now = now or utcnow()
    with engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres and not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK}).scalar():
            conn.rollback()
            return None
        conn.commit()           # the advisory lock is the session's: it outlives this transaction
        try:
            # each attempt graded in a transaction of its own (finish_expired -> _grade commits),
            # so a sweep of hundreds of attempts never holds their row locks all at once
            with Session(engine) as db:
                graded = finish_expired(db, now)
                db.exec(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=LOGIN_LOG_DAYS)))
                db.commit()
            return graded
        finally:
            if postgres:
                conn.rollback()                 # after a failure, an aborted transaction cannot even unlock
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK})
                conn.commit()


def _paper(attempt: Attempt) -> list[rules.PaperItem]:
    return [rules.PaperItem(**item) for item in attempt.paper]


def saved_responses(db: Session, attempt: Attempt) -> dict[str, object]:
    return {a.question_id: a.response
            for a in db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}


@dataclass
class Saved:
    """A save's acknowledgement: the answer the server keeps for the question, and its version."""
    saved_at: datetime
    applied: bool          # the server keeps this save's answer; False: another device's newer save is kept
    seq: int = 0           # the kept answer's version (write_answers)
    response: object = None     # the kept answer: the page shows it when its own save was not applied
    remaining: int | None = None    # the attempt's seconds left at the save: the page's clock resyncs on every save


def save_answer(db: Session, user: User, attempt_id: int, *, question_id: str, response,
                base: int | None = None, now: datetime | None = None) -> Saved:
    """Save (or replace) one answer of an open attempt. ``base`` is the
    version of the answer the page showed when this one was chosen: a save
    made on an answer that has since been replaced is acknowledged but not
    applied (write_answers). The attempt row is locked first, so no save
    lands after the attempt is graded."""
    now = now or utcnow()
    attempt = own_attempt(db, user, attempt_id, now, lock=True)
    if attempt.status != "open":
        raise AttemptClosed("本次考试已交卷，答案不能再修改")
    rules.check_can_save(now, attempt.deadline, attempt.started_at)
    item = next((i for i in _paper(attempt) if i.question_id == question_id), None)
    if item is None:
        raise InvalidAnswer("本题不在您的试卷中")
    chosen = rules.check_paper_response(item, response)
    [saved] = write_answers(db.connection(), [AnswerWrite(attempt.id, question_id, chosen, base)], now)
    db.commit()
    return replace(saved, remaining=rules.remaining_seconds(attempt.deadline, now))


@dataclass(frozen=True)
class AnswerWrite:
    attempt_id: int
    question_id: str
    response: object        # already checked against the question (domain.exams.check_paper_response)
    base: int | None        # the version of the answer it was chosen on; None: replace whatever is stored


def write_answers(conn: Connection, writes: list[AnswerWrite], now: datetime) -> list[Saved]:
    """Write answers in their order, each acknowledged as a Saved.

    The order of a question's saves is the server's, never a device's clock:
    each stored answer has a version (seq), 1 for the first save kept and one
    more for each save kept after it. A save carries the version of the
    answer it was chosen on (its base, which the page knows); it replaces the
    stored answer only while that is still the stored version. Otherwise
    another device has saved since: the save is not applied, and its Saved
    carries the stored answer and version, for the page to show instead. A
    save whose very answer is stored (a retry after a lost reply) is
    acknowledged as kept. A save without a base replaces whatever is stored.

    One statement inserts or replaces the answers of a round. One statement
    cannot touch a row twice, so a question saved twice in the same batch is
    written in a second round, after the first."""
    params = [{"attempt_id": w.attempt_id, "question_id": w.question_id, "response": w.response, "saved_at": now,
               "seq": (w.base or 0) + 1} for w in writes]        # a new row's version; a stored one counts on
    key = [(p["attempt_id"], p["question_id"]) for p in params]
    saved: list[Saved] = [None] * len(writes)      # type: ignore[list-item]  (each is set below)
    pending = list(range(len(writes)))
    while pending:
        seen: set[tuple[int, str]] = set()
        this_round, later = [], []
        for i in pending:
            (later if key[i] in seen else this_round).append(i)
            seen.add(key[i])
        written: dict[tuple[int, str], int] = {}
        for on_version in (True, False):
            rows = [params[i] for i in this_round if (writes[i].base is not None) == on_version]
            if rows:
                written.update(((a, q), seq) for a, q, seq in conn.execute(
                    _upsert_statement(conn.dialect.name, on_version), rows))
        for i in this_round:
            if key[i] in written:
                saved[i] = Saved(now, True, written[key[i]], writes[i].response)
            else:
                kept = conn.execute(_STORED_ANSWER, params[i]).one()
                saved[i] = Saved(kept.saved_at, kept.response == writes[i].response, kept.seq, kept.response)
        pending = later
    return saved


_answers = AttemptAnswer.__table__
_STORED_ANSWER = select(_answers.c.saved_at, _answers.c.seq, _answers.c.response).where(
    _answers.c.attempt_id == bindparam("attempt_id"), _answers.c.question_id == bindparam("question_id"))


@functools.cache
def _upsert_statement(dialect: str, on_version: bool):
    """INSERT … ON CONFLICT (attempt_id, question_id) DO UPDATE SET …, seq = seq + 1
    [WHERE stored seq < base + 1] RETURNING the key and version of each row written
    (PostgreSQL and SQLite alike), built once per dialect; values are bound at
    execution, one set or many. The base travels as the new row's seq (base + 1)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(_answers)
    return stmt.on_conflict_do_update(
        index_elements=[_answers.c.attempt_id, _answers.c.question_id],
        set_={"response": stmt.excluded.response, "saved_at": stmt.excluded.saved_at, "seq": _answers.c.seq + 1},
        where=_answers.c.seq < stmt.excluded.seq if on_version else None,
    ).returning(_answers.c.attempt_id, _answers.c.question_id, _answers.c.seq)


@dataclass
class EventOutcome:
    focus_losses: int             # absences that counted against the limit
    limit: int
    submitted: bool
    counted: bool = False         # this event counted

    @property
    def warning(self) -> str:
        return integrity.warning(self.limit, self.focus_losses)


def record_event(db: Session, user: User, attempt_id: int, *, kind: str, detail: str = "",
                 duration_ms: int | None = None, now: datetime | None = None) -> EventOutcome:
    """Log what the exam page reported; an absence longer than the exam's
    grace period counts, and one beyond the limit hands the paper in."""
    now = now or utcnow()
    if kind not in EVENT_KINDS:
        raise InvalidAnswer(f"未知的事件类型：{kind}")
    attempt = own_attempt(db, user, attempt_id, now)
    exam = db.get(Exam, attempt.exam_id)
    if attempt.status != "open":
        return EventOutcome(focus_losses(db, attempt.id), exam.focus_loss_limit, True)
    duration_ms = integrity.clamp_duration(duration_ms)
    counted = integrity.counts(kind, duration_ms, exam.focus_grace_seconds)
    db.add(IntegrityEvent(attempt_id=attempt.id, kind=kind, at=integrity.happened_at(kind, duration_ms, now),
                          detail=detail[:200], duration_ms=duration_ms, counted=counted))
    db.commit()
    losses = focus_losses(db, attempt.id)
    if counted and integrity.limit_exceeded(exam.focus_loss_limit, losses):
        _grade(db, attempt, now, "focus_limit")
        return EventOutcome(losses, exam.focus_loss_limit, True, counted)
    return EventOutcome(losses, exam.focus_loss_limit, False, counted)


def focus_losses(db: Session, attempt_id: int) -> int:
    """Absences that counted against the exam's limit."""
    return db.exec(select(func.count()).select_from(IntegrityEvent)
                   .where(IntegrityEvent.attempt_id == attempt_id, IntegrityEvent.counted == True)).one()  # noqa: E712


def events(db: Session, attempt_id: int) -> list[IntegrityEvent]:
    return list(db.exec(select(IntegrityEvent).where(IntegrityEvent.attempt_id == attempt_id)
                        .order_by(IntegrityEvent.at, IntegrityEvent.id)))


def hand_in(db: Session, user: User, attempt_id: int, now: datetime | None = None, *,
            auto: bool = False) -> Attempt:
    """交卷 as the routes take it: one row written (status ``grading``, the
    hand-in's time and how it ended) and the request answered; the score
    follows off the request (grade_handed_in, run by each worker's grader:
    quizapp/grader.py). Handing in an attempt already handed in changes
    nothing. The update waits for a save holding the attempt's row lock, so a
    save is either before the hand-in (and in the grade) or refused after it.
    The page's own hand-in when its clock runs out (``auto``) is labelled as
    the deadline's, never as the trainee's."""
    now = now or utcnow()
    attempt = own_attempt(db, user, attempt_id, now)
    if attempt.status != "open":
        commit_keeping_loaded(db)       # end the transaction here, not when the request's session closes
        return attempt
    if now < attempt.started_at:
        raise waiting.NotStarted("考试尚未开始，不能交卷")
    values = handed_in(attempt.id, now, attempt.deadline, auto=auto)
    if db.connection().execute(HANDED_IN, values).rowcount == 1:
        commit_keeping_loaded(db)
        for name in _HANDED_IN_COLUMNS:
            set_committed_value(attempt, name, values[f"new_{name}"])
        return attempt
    return _as_it_is_now(db, attempt.id)        # graded or handed in meanwhile (the deadline, another tab)


def submit(db: Session, user: User, attempt_id: int, now: datetime | None = None, *, auto: bool = False) -> Attempt:
    """Hand in and grade at once (hand_in, then grade_now)."""
    return grade_now(db, hand_in(db, user, attempt_id, now, auto=auto))


@dataclass(frozen=True)
class BeingGraded:
    """What the 正在评分 page shows of an attempt handed in and not yet scored."""
    id: int
    title: str              # the exam's
    submitted_at: datetime
    ended_by: str


_BEING_GRADED = (select(Attempt.id, Exam.title, Attempt.submitted_at, Attempt.ended_by)
                 .join(Exam, Exam.id == Attempt.exam_id)
                 .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"),
                        Attempt.status == "grading"))


def being_graded(db: Session, user: User, attempt_id: int) -> BeingGraded | None:
    """The user's attempt if it is handed in and not yet scored, in one read of a few
    columns (the result pages of a common deadline's minute); None for any other case."""
    row = db.connection().execute(_BEING_GRADED, {"attempt_id": attempt_id, "user_id": user.id}).first()
    return BeingGraded(*row) if row else None


def grade_now(db: Session, attempt: Attempt) -> Attempt:
    """Grade a handed-in attempt now, in this request (a quiet worker's hand-in
    or result page); any other attempt is returned as it is."""
    if attempt.status != "grading":
        return attempt
    return _grade(db, attempt, attempt.submitted_at, attempt.ended_by)


# The next handed-in attempt no other grader holds (PostgreSQL: SKIP LOCKED; SQLite:
# the write transaction's lock), oldest first, by the partial index ix_attempts_grading;
# only what grading needs besides what _write_grade reads (no paper: it reads it once).
_NEXT_HANDED_IN = (select(Attempt.id, Attempt.user_id, Attempt.submitted_at, Attempt.ended_by)
                   .where(Attempt.status == "grading").order_by(Attempt.id).limit(1)
                   .with_for_update(skip_locked=True))


def grade_handed_in(engine, limit: int = 20, *, failed: MutableMapping[int, bool] | None = None) -> int:
    """Grade up to ``limit`` handed-in attempts, each in a transaction of its
    own; returns how many (fewer: none is left that another grader does not
    hold). An attempt whose grading fails is logged, put in ``failed`` and
    passed over while it is there (the grader's keeps it a minute), so that
    one attempt cannot hold up the others."""
    graded, failed = 0, {} if failed is None else failed
    with Session(engine) as db:
        while graded < limit:
            query = _NEXT_HANDED_IN.where(Attempt.id.not_in(list(failed))) if failed else _NEXT_HANDED_IN
            claimed = db.connection().execute(query).first()
            if claimed is None:
                db.rollback()
                break
            try:
                _write_grade(db, *claimed)
            except Exception:  # noqa: BLE001 - logged; the others are graded, this one is tried again later
                db.rollback()
                failed[claimed.id] = True
                logging.getLogger("quizapp").exception("grading handed-in attempt %s failed", claimed.id)
                continue
            graded += 1
    return graded


_attempts, _exams = Attempt.__table__, Exam.__table__
_HANDED_IN_COLUMNS = ("status", "submitted_at", "ended_by")
# The hand-in (hand_in here, autosave.hand_in on the lean path): its parameters are handed_in's.
HANDED_IN = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.status == "open")
             .values({name: bindparam(f"new_{name}") for name in _HANDED_IN_COLUMNS}))


def handed_in(attempt_id: int, now: datetime, deadline: datetime, *, auto: bool) -> dict:
    """HANDED_IN's parameters: status grading, the time (never after the deadline) and how it ended."""
    return {"attempt_id": attempt_id, "new_status": "grading", "new_submitted_at": min(now, deadline),
            "new_ended_by": rules.ended_by(auto=auto, now=now, deadline=deadline)}


# What grading reads, the attempt's row locked first (PostgreSQL; on SQLite the
# write transaction's lock), so a save racing the submit is either in the grade or refused.
_FOR_GRADING = (select(_attempts.c.status, _attempts.c.paper, _attempts.c.deadline, _exams.c.multiple_rule,
                       _exams.c.pass_percent, _exams.c.review_mode)
                .join_from(_attempts, _exams, _exams.c.id == _attempts.c.exam_id)
                .where(_attempts.c.id == bindparam("attempt_id")).with_for_update(of=_attempts))
_ANSWERS_FOR_GRADING = select(_answers.c.question_id, _answers.c.response, _answers.c.saved_at).where(
    _answers.c.attempt_id == bindparam("attempt_id"))
_UNGRADED = ("open", "grading")
_GRADED_COLUMNS = ("status", "submitted_at", "ended_by", "score", "max_score", "passed", "item_scores",
                   "mistakes_recorded")
_GRADED = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"), _attempts.c.status.in_(_UNGRADED))
           .values({name: bindparam(f"new_{name}") for name in _GRADED_COLUMNS}))


def _grade(db: Session, attempt: Attempt, at: datetime, ended_by: str) -> Attempt:
    """Grade with what was saved; only the first of concurrent graders writes.
    Statements built once and no rows read back: an exam's last minutes bring
    thousands of submits."""
    graded = _write_grade(db, attempt.id, attempt.user_id, at, ended_by)
    if graded is not None:
        for name, value in graded.items():          # the loaded attempt as written, not read back
            set_committed_value(attempt, name, value)
        return attempt
    return _as_it_is_now(db, attempt.id)        # another grader was first: the attempt as it graded it


def _as_it_is_now(db: Session, attempt_id: int) -> Attempt:
    """The attempt read again, when another request wrote it first; the transaction ends here."""
    attempt = db.get(Attempt, attempt_id, populate_existing=True)
    commit_keeping_loaded(db)
    return attempt


def _write_grade(db: Session, attempt_id: int, user_id: int, at: datetime, ended_by: str) -> dict | None:
    """Grade and commit; the columns written, or None (nothing written: graded already)."""
    conn = db.connection()
    row = conn.execute(_FOR_GRADING, {"attempt_id": attempt_id}).one()
    if row.status in _UNGRADED:
        paper = [rules.PaperItem(**item) for item in row.paper]
        answers = conn.execute(_ANSWERS_FOR_GRADING, {"attempt_id": attempt_id}).all()
        # a save that held the lock first is in the grade: the hand-in is not earlier than it
        at = max([at, *(a.saved_at for a in answers)])
        result = rules.grade(paper, {a.question_id: a.response for a in answers}, rule=row.multiple_rule,
                             pass_percent=row.pass_percent)
        # Wrong answers enter the mistake book now only when the review shows them now
        # (release_exam_mistakes puts them in once an after-close review opens).
        immediate = row.review_mode == rules.REVIEW_IMMEDIATE
        graded = dict(status="graded", submitted_at=min(at, row.deadline), ended_by=ended_by, score=result.score,
                      max_score=result.max_score, passed=result.passed, item_scores=result.item_scores,
                      mistakes_recorded=immediate)
        if conn.execute(_GRADED, {"attempt_id": attempt_id,
                                  **{f"new_{name}": value for name, value in graded.items()}}).rowcount == 1:
            prepared_paper.forget(conn, attempt_id)
            if immediate:
                wrong = [item.question_id for item in paper if result.item_scores[item.question_id] < item.points]
                mistakes.record_wrong_many(db, user_id=user_id, question_ids=practice_only(db, wrong),
                                           source="exam", now=at)
            commit_keeping_loaded(db)
            return graded
    return None


# --- views ----------------------------------------------------------------------

@dataclass
class PaperQuestion:
    """A question as the trainee sees it during the attempt: no key, no
    explanation, options in this attempt's order."""
    number: int
    id: str
    type: str
    stem: str
    points: float
    options: list[tuple[str, str]]
    parts: list[dict]                 # {id, type, stem, options: [(key, text)]}
    response: object


def question_view(q: Question, *, number: int = 1, points: float = 0.0, option_order: list[str] | None = None,
                  part_orders: dict[str, list[str]] | None = None, response=None) -> PaperQuestion:
    """What the trainee sees of a question (practice or exam): never the key."""
    part_orders = part_orders or {}
    parts = [{"id": p["id"], "type": p["type"], "stem": p["stem"],
              "options": [(k, p["options"][k]) for k in part_orders.get(p["id"], p["options"])]}
             for p in q.parts]
    order = option_order if option_order is not None else list(q.options)
    return PaperQuestion(number, q.id, q.type, q.stem, points, [(k, q.options[k]) for k in order], parts, response)


def paper_view(db: Session, attempt: Attempt) -> list[PaperQuestion]:
    questions = {q.id: q for q in db.exec(  # what question_view reads, not the keys and explanations
        select(Question.id, Question.type, Question.stem, Question.options, Question.parts)
        .where(Question.id.in_([i["question_id"] for i in attempt.paper])))}
    saved = saved_responses(db, attempt)
    return [question_view(questions[item.question_id], number=n, points=item.points, option_order=item.option_order,
                          part_orders=item.part_option_orders, response=saved.get(item.question_id))
            for n, item in enumerate(_paper(attempt), 1)]


@dataclass
class ResultItem:
    paper: PaperQuestion
    question: Question
    score: float

    @property
    def outcome(self) -> str:
        """right, partial, wrong or unanswered (rules.outcome)."""
        return rules.outcome(self.score, self.paper.points, self.paper.response)


def review_allowed(exam: Exam, now: datetime) -> bool:
    return rules.review_visible(exam.review_mode, now, exam.closes_at)


def result_items(db: Session, attempt: Attempt) -> list[ResultItem]:
    """For the result page, only once the attempt is graded."""
    if attempt.status != "graded":
        raise AttemptClosed("考试尚未交卷")
    questions = {q.id: q for q in db.exec(select(Question).where(
        Question.id.in_([i["question_id"] for i in attempt.paper])))}
    return [ResultItem(p, questions[p.id], attempt.item_scores.get(p.id, 0.0)) for p in paper_view(db, attempt)]


def attempts_of_exam(db: Session, exam_id: int, now: datetime | None = None) -> list[tuple[Attempt, User, int]]:
    """For instructors: every attempt with its trainee and focus losses."""
    finish_expired(db, now, exam_id=exam_id)
    rows = db.exec(select(Attempt, User).join(User, User.id == Attempt.user_id)
                   .where(Attempt.exam_id == exam_id).order_by(User.username, Attempt.number)).all()
    return [(a, u, focus_losses(db, a.id)) for a, u in rows]


@dataclass
class History:
    attempts: list[tuple[Attempt, Exam]]
    certified: set[str]


def history(db: Session, user: User, now: datetime | None = None) -> History:
    """我的成绩: every graded attempt, newest first, and the volumes passed."""
    finish_expired(db, now, user_id=user.id)
    rows = db.exec(select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
                   .where(Attempt.user_id == user.id, Attempt.status == "graded")
                   .order_by(Attempt.submitted_at.desc())).all()
    volumes = dict(db.exec(select(Question.id, Question.volume)).all())
    graded = [rules.GradedAttempt(bool(a.passed), e.pass_percent,
                                  tuple((volumes.get(i["question_id"], ""), a.item_scores.get(i["question_id"], 0.0),
                                         i["points"]) for i in a.paper), certifying=e.certifying)
              for a, e in rows if e.purpose == "exam"]
    return History(list(rows), rules.certified_volumes(graded))



# --- instructors: live status, overrides, results ---------------------------------

@dataclass
class TraineeStatus:
    user: User
    attempts: list[Attempt]
    status: str                  # 未开始 | 候考中 | 作答中 | 已交卷 (domain/waiting.trainee_status)
    best: Attempt | None
    allowed: int


@dataclass
class Expected:
    """Who is expected to sit an exam (the live status lists each of them), and how that was decided."""
    users: list[User]
    basis: str                   # cohort | creator_cohorts | all_trainees
    creator: User | None


def expected_trainees(db: Session, exam: Exam) -> Expected:
    """A cohort's exam: its active members. An exam for everyone: the active
    members of the cohorts its creator teaches, or, when a supervisor (or
    nobody known) created it, every active trainee. Anyone else who has
    attempted it is listed too (cohort_status adds them)."""
    creator = db.get(User, exam.created_by) if exam.created_by is not None else None
    active_members = (select(User).join(Enrolment, Enrolment.user_id == User.id)
                      .where(Enrolment.status == "active", User.role == "trainee"))
    if exam.cohort_id is not None:
        query, basis = active_members.where(Enrolment.cohort_id == exam.cohort_id), "cohort"
    elif creator is not None and creator.role != "supervisor":
        taught = select(CohortInstructor.cohort_id).where(CohortInstructor.user_id == creator.id)
        query, basis = active_members.where(Enrolment.cohort_id.in_(taught)), "creator_cohorts"
    else:
        query, basis = select(User).where(User.role == "trainee"), "all_trainees"
    users = db.exec(query.where(User.active == True).distinct()).all()  # noqa: E712
    return Expected(sorted(users, key=lambda u: (u.unit or "", u.display_name or "", u.username)), basis, creator)


def cohort_status(db: Session, exam: Exam, now: datetime | None = None) -> list[TraineeStatus]:
    """Who is waiting, answering, has submitted or not started (domain/waiting.trainee_status): every
    expected trainee (expected_trainees), then anyone else who attempted the exam."""
    now = now or utcnow()
    finish_expired(db, now, exam_id=exam.id)
    users = expected_trainees(db, exam).users
    listed = {u.id for u in users}
    users += [u for u in db.exec(select(User).join(Attempt, Attempt.user_id == User.id)
                                 .where(Attempt.exam_id == exam.id).distinct().order_by(User.display_name))
              if u.id not in listed]
    attempts_of: dict[int, list[Attempt]] = {}
    for a in db.exec(select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.number)):
        attempts_of.setdefault(a.user_id, []).append(a)
    grants = {g.user_id: g.extra_attempts for g in db.exec(select(ExamGrant).where(ExamGrant.exam_id == exam.id))}
    out = []
    for u in users:
        attempts = attempts_of.get(u.id, [])
        graded = [a for a in attempts if a.status == "graded"]
        status = waiting.trainee_status([(a.status, a.started_at) for a in attempts], now)
        out.append(TraineeStatus(u, attempts, status, max(graded, key=lambda a: a.score or 0, default=None),
                                 exam.attempts_allowed + grants.get(u.id, 0)))
    return out


def grantee(db: Session, exam: Exam, user_id: int) -> User:
    """The trainee who may be given another attempt at this exam: any account
    for an exam open to everyone, an active member of the cohort for a cohort's."""
    trainee = db.get(User, user_id)
    enrolment = db.get(Enrolment, (exam.cohort_id, user_id)) if exam.cohort_id is not None else None
    if trainee is None or (exam.cohort_id is not None and (enrolment is None or enrolment.status != "active")):
        raise NotFound("该学员不存在，或不在本考试所属的培训班中")
    return trainee


def grant_attempt(db: Session, actor: User, exam: Exam, user_id: int) -> None:
    """One more attempt for one trainee, recorded in the audit log."""
    grantee(db, exam, user_id)
    grant = db.get(ExamGrant, (exam.id, user_id)) or ExamGrant(exam_id=exam.id, user_id=user_id)
    grant.extra_attempts += 1
    db.add(grant)
    audit(db, actor, "exam.grant_attempt", f"exam:{exam.id}", user_id=user_id, extra_attempts=grant.extra_attempts)
    db.commit()


def _extended_minutes(exam: Exam, attempt: Attempt) -> float:
    """How much an attempt has been extended so far (as extend_time counts it)."""
    natural = waiting.deadline(attempt.started_at, timedelta(minutes=exam.time_limit_minutes),
                               mode=exam.deadline_mode, starts_at=exam.opens_at, closes_at=None)
    return (attempt.deadline - natural).total_seconds() / 60


def extension_choices(exam: Exam, attempt: Attempt) -> list[int]:
    """The minutes the live status offers to extend an open attempt by (domain/custody.extension_choices)."""
    return custody_rules.extension_choices(time_limit_minutes=exam.time_limit_minutes,
                                           already_extended_minutes=_extended_minutes(exam, attempt))


def extend_time(db: Session, actor: User, attempt_id: int, minutes: int, reason: str = "",
                now: datetime | None = None) -> Attempt:
    """More time for one open attempt, with a reason, recorded in the audit log;
    nobody extends their own attempt, and all extensions of an attempt together
    stay within the exam's time limit (domain/custody.extension_allowed)."""
    now = now or utcnow()
    attempt = db.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("考试记录不存在")
    attempt = bring_up_to_date(db, attempt, now)
    if attempt.status != "open":
        raise AttemptClosed("该次作答已交卷，不能延长时间；可以改为增加一次作答机会")
    exam = db.get(Exam, attempt.exam_id)
    extended = _extended_minutes(exam, attempt)
    refusal = custody_rules.extension_allowed(minutes=minutes, already_extended_minutes=extended,
                                              time_limit_minutes=exam.time_limit_minutes, actor_id=actor.id,
                                              attempt_user_id=attempt.user_id, reason=reason)
    if refusal:
        raise DomainError(refusal)
    before = attempt.deadline
    attempt.deadline = before + timedelta(minutes=minutes)
    db.add(attempt)
    audit(db, actor, "exam.extend_time", f"attempt:{attempt.id}", user_id=attempt.user_id, minutes=minutes,
          reason=reason.strip(), deadline_before=before.isoformat(), deadline_after=attempt.deadline.isoformat())
    db.commit()
    db.refresh(attempt)
    return attempt


# --- instructors: changing an exam after it is saved ---------------------------------

def attempts_started(db: Session, exam: Exam) -> int:
    """How many attempts of the exam have started (open or graded)."""
    return db.exec(select(func.count()).select_from(Attempt).where(Attempt.exam_id == exam.id)).one()


def close_exam(db: Session, actor: User, exam: Exam, now: datetime | None = None) -> int:
    """关闭考试: the window ends now (no new attempt starts); the attempts
    already open keep their own deadlines. Audited; returns how many are open."""
    now = now or utcnow()
    refusal = rules.close_refusal(now, exam.opens_at, exam.closes_at)
    if refusal:
        raise DomainError(refusal)
    open_now = db.exec(select(func.count()).select_from(Attempt)
                       .where(Attempt.exam_id == exam.id, Attempt.status == "open")).one()
    before = exam.closes_at
    exam.closes_at = now
    db.add(exam)
    audit(db, actor, "exam.close", f"exam:{exam.id}", title=exam.title, open_attempts=open_now,
          closes_at_before=before.isoformat() if before else None, closes_at_after=now.isoformat())
    db.commit()
    return open_now


class ExamStarted(DomainError):
    status = 409


def withdraw_exam(db: Session, actor: User, exam: Exam) -> None:
    """撤回: the exam is hidden from trainees (Exam.active), only while nobody
    has started it; afterwards ExamStarted says why and what to do instead."""
    started = attempts_started(db, exam)
    if started:
        raise ExamStarted(f"已有 {started} 人次开始作答，不能撤回（撤回会使其成绩无处查看）；"
                          "如不再接受新的作答，请关闭考试")
    exam.active = False
    db.add(exam)
    audit(db, actor, "exam.withdraw", f"exam:{exam.id}", title=exam.title)
    db.commit()


def edit_exam(db: Session, actor: User, exam: Exam, *, title: str, description: str, opens_at: datetime | None,
              closes_at: datetime | None, time_limit_minutes: int, attempts_allowed: int,
              waiting_minutes: int | None = None, deadline_mode: str | None = None) -> list[str]:
    """修改考试: before anyone has started (or entered the waiting room), its title, description, window,
    time limit, attempts allowed and waiting room; afterwards only the window's end and the
    description (domain.exams.refused_changes). Audited with each change
    before and after; returns the names of the fields changed."""
    title = free_text.checked(title, "考试名称", free_text.TITLE).strip()
    description = free_text.checked(description, "考试说明", free_text.TEXT)
    if not title:
        raise DomainError("请填写考试名称")
    wanted = dict(title=title, description=description, opens_at=opens_at, closes_at=closes_at,
                  time_limit_minutes=time_limit_minutes, attempts_allowed=attempts_allowed,
                  waiting_minutes=exam.waiting_minutes if waiting_minutes is None else waiting_minutes,
                  deadline_mode=deadline_mode or exam.deadline_mode)
    waiting.check_settings(wanted["waiting_minutes"], wanted["deadline_mode"])
    changed = [name for name, value in wanted.items() if not _same(getattr(exam, name), value)]
    refused = rules.refused_changes(changed, started=attempts_started(db, exam) > 0)
    if refused:
        raise ExamStarted(f"已有学员开始作答，只能修改结束时间和说明；{'、'.join(refused)}不能再改")
    rules.check_settings(points=exam.points, pass_percent=exam.pass_percent, time_limit_minutes=time_limit_minutes,
                         attempts_allowed=attempts_allowed, focus_loss_limit=exam.focus_loss_limit,
                         focus_grace_seconds=exam.focus_grace_seconds)
    rules.check_window(opens_at, closes_at)
    if not changed:
        return []

    def shown(value):
        return value.isoformat() if isinstance(value, datetime) else value
    audit(db, actor, "exam.edit", f"exam:{exam.id}",
          **{f"{name}_{when}": shown(value) for name in changed
             for when, value in (("before", getattr(exam, name)), ("after", wanted[name]))})
    for name in changed:
        setattr(exam, name, wanted[name])
    db.add(exam)
    db.commit()
    return [rules.EDITABLE[name] for name in changed]


def _same(stored, given) -> bool:
    """A field as the form sends it back: times to the minute (the form's precision)."""
    if isinstance(stored, datetime) and isinstance(given, datetime):
        return stored.replace(second=0, microsecond=0) == given.replace(second=0, microsecond=0)
    return stored == given


def review_open(db: Session, exam: Exam, now: datetime) -> bool:
    """The review is shown (review_allowed) and, for one shown after the close,
    nobody is still answering: an exam closed early (close_exam) keeps the
    attempts then open, and their papers may hold the same questions."""
    if not review_allowed(exam, now):
        return False
    if exam.review_mode != rules.REVIEW_AFTER_CLOSE:
        return True
    return db.exec(select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.status == "open",
                                            Attempt.deadline > now)).first() is None


@dataclass
class Results:
    exam: Exam
    rows: list[tuple[User, Attempt]]          # first graded attempt of each trainee
    test: statistics.TestStats
    items: list[statistics.ItemStats]
    questions: dict[str, Question]
    pass_rate: float | None
    histogram: list[int]                       # counts per 10 % band, 0–9 … 90–100
    topics: list[TopicRow]                     # weakest first
    pretest: Exam | None                       # the cohort's diagnostic pre-test, if any


@dataclass
class TopicRow:
    """One volume or step: the cohort's accuracy on this exam, beside what
    the same cohort said (needs survey) and scored (pre-test) before training."""
    key: str                                   # "volume:v1-common" | "step:听证"
    accuracy: float
    confidence: float | None = None            # needs-survey mean confidence, 1–5
    pretest: float | None = None               # pre-test accuracy, %


def users_being_graded(db: Session, exam_id: int) -> set[int]:
    """The trainees with an attempt of the exam handed in and not yet scored (status grading)."""
    return set(db.exec(select(Attempt.user_id).where(Attempt.exam_id == exam_id, Attempt.status == "grading")))


def first_graded(db: Session, exam_id: int) -> list[tuple[User, Attempt]]:
    """Each trainee's first graded attempt (what Moodle's statistics use), best score first."""
    firsts: dict[int, tuple[User, Attempt]] = {}
    for a, u in db.exec(select(Attempt, User).join(User, User.id == Attempt.user_id)
                        .where(Attempt.exam_id == exam_id, Attempt.status == "graded").order_by(Attempt.number)):
        firsts.setdefault(u.id, (u, a))
    return sorted(firsts.values(), key=lambda r: -(r[1].score or 0))


def topic_accuracy(attempts: Iterable[Attempt], questions: dict[str, Question]) -> dict[str, float]:
    """Percent of the possible marks scored per volume and per step."""
    scored = []
    for a in attempts:
        for item in a.paper:
            q = questions.get(item["question_id"])
            if q:
                mark = a.item_scores.get(q.id, 0.0)
                scored += [(f"volume:{q.volume}", mark, item["points"]), (f"step:{q.step}", mark, item["points"])]
    return accuracy_by(scored)


def _questions_of(db: Session, attempts: Iterable[Attempt]) -> dict[str, Question]:
    ids = {i["question_id"] for a in attempts for i in a.paper}
    return {q.id: q for q in db.exec(select(Question).where(Question.id.in_(list(ids))))}


def cohort_pretest(db: Session, cohort_id: int | None, now: datetime | None = None) -> tuple[Exam | None, dict[str, float]]:
    """The cohort's latest diagnostic pre-test and its accuracy per topic."""
    if cohort_id is None:
        return None, {}
    exam = db.exec(select(Exam).where(Exam.cohort_id == cohort_id, Exam.purpose == "pretest", Exam.active == True)  # noqa: E712
                   .order_by(Exam.id.desc())).first()
    if exam is None:
        return None, {}
    finish_expired(db, now, exam_id=exam.id)
    attempts = [a for _, a in first_graded(db, exam.id)]
    return exam, topic_accuracy(attempts, _questions_of(db, attempts))


def survey_confidence(db: Session, cohort_id: int | None) -> dict[str, float]:
    """Mean self-assessed confidence per topic in the cohort's latest needs survey."""
    if cohort_id is None:
        return {}
    survey = db.exec(select(Survey).where(Survey.cohort_id == cohort_id).order_by(Survey.id.desc())).first()
    if survey is None:
        return {}
    answers = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    out = {}
    for topic in survey.topics:
        values = [r.ratings[topic][0] for r in answers if topic in r.ratings]
        if values:
            out[topic] = round(sum(values) / len(values), 1)
    return out


def marks_of(attempts: Iterable[Attempt]) -> tuple[list[dict[str, float]], dict[str, float]]:
    """Graded attempts as domain.statistics takes them: each a mapping question id -> mark,
    and each question's maximum mark (its points on the papers)."""
    attempts = list(attempts)
    max_marks: dict[str, float] = {}
    for a in attempts:
        for item in a.paper:
            max_marks.setdefault(item["question_id"], item["points"])
    return [{i["question_id"]: a.item_scores.get(i["question_id"], 0.0) for i in a.paper} for a in attempts], max_marks


def results(db: Session, exam: Exam, now: datetime | None = None) -> Results:
    """Cohort results on each trainee's first graded attempt (as Moodle's
    statistics do): the figures of the test and of every question."""
    finish_expired(db, now, exam_id=exam.id)
    rows = first_graded(db, exam.id)
    attempts, max_marks = marks_of([a for _, a in rows])
    test, items = statistics.analyse(attempts, max_marks)
    items.sort(key=lambda i: (not i.flagged, -(i.n or 0), i.question_id))     # what editors must look at first
    questions = _questions_of(db, [a for _, a in rows])
    bands = [0] * 10
    for _, a in rows:
        pct = 100 * (a.score or 0) / a.max_score if a.max_score else 0
        bands[min(9, int(pct // 10))] += 1
    pass_rate = round(100 * sum(bool(a.passed) for _, a in rows) / len(rows), 1) if rows else None
    pretest, before = (None, {}) if exam.purpose == "pretest" else cohort_pretest(db, exam.cohort_id, now)
    confidence = survey_confidence(db, exam.cohort_id)
    topics = sorted((TopicRow(k, acc, confidence.get(k), before.get(k))
                     for k, acc in topic_accuracy([a for _, a in rows], questions).items()),
                    key=lambda t: (t.accuracy, t.key))
    return Results(exam, rows, test, items, questions, pass_rate, bands, topics, pretest)
