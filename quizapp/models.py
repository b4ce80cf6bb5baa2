"""Database tables. Changing one means adding an Alembic migration
(quizapp/migrations/versions/)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Role(str, Enum):
    trainee = "trainee"
    instructor = "instructor"
    editor = "editor"
    supervisor = "supervisor"


ROLE_NAMES = {Role.trainee: "学员", Role.instructor: "教员", Role.editor: "编辑", Role.supervisor: "执法监督"}


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=64)
    unit: str = Field(default="", max_length=128)           # 单位/镇街
    role: str = Field(default=Role.trainee.value, max_length=16)
    password_hash: str = Field(max_length=256)
    must_change_password: bool = False
    active: bool = True
    cert_no: str = Field(default="", max_length=64)          # 执法证号
    created_at: datetime = Field(default_factory=utcnow)
    # When the current password was set: an initial one (must_change_password)
    # expires 14 days after it (domain/password_policy.py).
    password_changed_at: datetime | None = Field(default_factory=utcnow)
    # The hash of the password before the current one (the user's own, not an
    # initial one): a new password may not repeat it.
    previous_password_hash: str | None = Field(default=None, max_length=256)
    # An instructor or supervisor lifted the login throttle: failures before this no longer count.
    throttle_cleared_at: datetime | None = None


class LoginSession(SQLModel, table=True):
    """A server-side login session; the cookie carries a random token whose
    SHA-256 is the key here."""
    __tablename__ = "login_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime                                  # absolute time-out
    last_seen_at: datetime | None = None                  # idle time-out counts from here (None: created_at)


class LoginAttempt(SQLModel, table=True):
    """Each login attempt, for the throttle that every worker shares."""
    __tablename__ = "login_attempts"
    # The throttle counts recent failures per account and per address: indexes of
    # the failures only, so that an exam's start (thousands of successful logins,
    # often from one training room's address) does not make each count longer.
    __table_args__ = tuple(
        Index(f"ix_login_failures_{column}", column, "at", postgresql_where=text("NOT succeeded"),
              sqlite_where=text("succeeded = 0"))
        for column in ("username", "address"))
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    username: str = Field(max_length=128, index=True)
    address: str = Field(max_length=64, index=True)
    succeeded: bool = False


class Question(SQLModel, table=True):
    """A question of the bank, mirrored from question_bank/*.yaml by `setup`.
    Questions removed from the bank are kept (answers refer to them) but
    marked inactive."""
    __tablename__ = "questions"
    id: str = Field(primary_key=True, max_length=64)
    type: str = Field(max_length=16)
    difficulty: int
    volume: str = Field(max_length=32, index=True)
    step: str = Field(max_length=16, index=True)
    stem: str
    options: dict = Field(sa_column=Column(JSON, nullable=False))
    answer: list = Field(sa_column=Column(JSON, nullable=False))
    explanation: str
    anchor: str = Field(max_length=512)
    basis: list = Field(sa_column=Column(JSON, nullable=False))
    parts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    source: str = Field(max_length=256)           # file:line in the repository
    content_hash: str = Field(max_length=16)
    active: bool = True                           # in the bank (managed by `setup`)
    suspended: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})   # by an editor
    pool: str = Field(default="practice", max_length=16, sa_column_kwargs={"server_default": "practice"})  # practice | exam (exam-only)
    items: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))  # 赋权事项 ids
    updated_at: datetime = Field(default_factory=utcnow, index=True)    # the bank's last change: draw_pool


class PracticeAnswer(SQLModel, table=True):
    __tablename__ = "practice_answers"
    __table_args__ = (Index("ix_practice_user_question", "user_id", "question_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    question_id: str = Field(foreign_key="questions.id")
    response: list = Field(sa_column=Column(JSON, nullable=False))
    correct: bool
    answered_at: datetime = Field(default_factory=utcnow)


class Exam(SQLModel, table=True):
    """An exam: a fixed paper or a blueprint, a time limit and a window."""
    __tablename__ = "exams"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=128)
    description: str = ""
    question_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))   # fixed paper
    blueprint: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))      # [{count, volume, step, difficulty, type}]
    points: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))         # type -> points
    multiple_rule: str = Field(default="all_or_nothing", max_length=16)
    time_limit_minutes: int
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    pass_percent: float = 60.0
    attempts_allowed: int = 1
    shuffle_questions: bool = False
    shuffle_options: bool = False
    review_mode: str = Field(default="immediate", max_length=16)
    focus_loss_limit: int = 0                                   # 0: off; leaves tolerated, the next one submits
    focus_grace_seconds: int = Field(default=3, sa_column_kwargs={"server_default": "3"})  # shorter absences never count
    certifying: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})      # 结业考试: counts toward 分卷合格
    cohort_id: int | None = Field(default=None, foreign_key="cohorts.id", index=True)   # None: every trainee
    # 候考 (domain/waiting.py): the waiting room opens this many minutes before opens_at (0: none);
    # the deadline is each attempt's own (own) or the same for everyone (common: opens_at + time limit)
    waiting_minutes: int = Field(default=30, sa_column_kwargs={"server_default": "0"})
    deadline_mode: str = Field(default="own", max_length=8, sa_column_kwargs={"server_default": "own"})
    purpose: str = Field(default="exam", max_length=16)        # exam (训后考试) | pretest (训前诊断, never certifies)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    active: bool = True


class Attempt(SQLModel, table=True):
    """One trainee's attempt at an exam. The paper (order, option order, key
    and points) is drawn at the start and stored here; it never leaves the
    server. At most one open attempt per trainee and exam."""
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "user_id", "number", name="uq_attempt_number"),
        Index("uq_one_open_attempt", "exam_id", "user_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        # the grader's queue: attempts handed in and not yet scored (exams.grade_handed_in)
        Index("ix_attempts_grading", "id", sqlite_where=text("status = 'grading'"),
              postgresql_where=text("status = 'grading'")),
    )
    id: int | None = Field(default=None, primary_key=True)
    exam_id: int = Field(foreign_key="exams.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    number: int
    status: str = Field(default="open", max_length=8)            # open | grading (handed in) | graded
    started_at: datetime
    deadline: datetime
    submitted_at: datetime | None = None
    ended_by: str = Field(default="", max_length=16)              # trainee | deadline | focus_limit
    paper: list = Field(sa_column=Column(JSON, nullable=False))
    score: float | None = None
    max_score: float | None = None
    passed: bool | None = None
    item_scores: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Its wrong answers are in the mistake book: at grading when the exam's review is
    # immediate, once the review opens when it is after_close, never when it is never.
    mistakes_recorded: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class PreparedPaper(SQLModel, table=True):
    """The exam page of an attempt in its waiting room (候考), rendered and
    gzipped while the candidate waits, for the session it was rendered for
    (its CSRF token is in the page): at the start second it is sent as it is
    (quizapp/prepared_paper.py). Dropped at grading and when the bank changes."""
    __tablename__ = "prepared_papers"
    attempt_id: int = Field(sa_column=Column(Integer, ForeignKey("attempts.id", ondelete="CASCADE"),
                                             primary_key=True))
    session_hash: str = Field(max_length=64)
    page: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    prepared_at: datetime = Field(default_factory=utcnow)


class AttemptAnswer(SQLModel, table=True):
    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_answer_per_question"),)
    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    question_id: str = Field(max_length=64)
    response: list | dict = Field(sa_column=Column(JSON, nullable=False))
    saved_at: datetime = Field(default_factory=utcnow)
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))  # newest save wins


class IntegrityEvent(SQLModel, table=True):
    """What the exam page reported (domain.integrity.KINDS): leaving and
    returning, reloads, losing and regaining the connection."""
    __tablename__ = "integrity_events"
    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempts.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)
    detail: str = Field(default="", max_length=200)
    duration_ms: int | None = None             # how long the page was left, or the connection lost
    counted: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})   # against the exam's limit


class MistakeEntry(SQLModel, table=True):
    """A question in a trainee's mistake book, with its FSRS review schedule."""
    __tablename__ = "mistake_entries"
    __table_args__ = (UniqueConstraint("user_id", "question_id", name="uq_mistake_per_question"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    question_id: str = Field(foreign_key="questions.id")
    card: dict = Field(sa_column=Column(JSON, nullable=False))
    due: datetime = Field(index=True)
    streak: int = 0
    cleared: bool = False
    wrong_count: int = 1
    last_source: str = Field(default="practice", max_length=16)   # practice | exam | review
    added_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Cohort(SQLModel, table=True):
    """培训班: a group of trainees with its instructors and dates."""
    __tablename__ = "cohorts"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    unit: str = Field(default="", max_length=128)            # 组织单位/镇街
    starts_on: date | None = None
    ends_on: date | None = None
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)


class CohortInstructor(SQLModel, table=True):
    __tablename__ = "cohort_instructors"
    cohort_id: int = Field(foreign_key="cohorts.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)


class Enrolment(SQLModel, table=True):
    __tablename__ = "enrolments"
    cohort_id: int = Field(foreign_key="cohorts.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    enrolled_at: datetime = Field(default_factory=utcnow)
    # domain/custody.py: 'pending' waits for a supervisor and gives nothing; custody gives the
    # cohort's instructors power over the account (reset, disable, results).
    status: str = Field(default="active", max_length=16, sa_column_kwargs={"server_default": "active"})
    custody: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})
    added_by: int | None = Field(default=None, foreign_key="users.id")


class RosterUpload(SQLModel, table=True):
    """An uploaded roster, checked row by row, waiting for the instructor to
    confirm; kept in the database so any worker can finish the import."""
    __tablename__ = "roster_uploads"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", index=True)
    uploaded_by: int = Field(foreign_key="users.id")
    filename: str = Field(default="", max_length=256)
    rows: list = Field(sa_column=Column(JSON, nullable=False))          # [{row, data, errors, existing}]
    imported_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # No initial passwords here: their workbook is the answer to the import itself (cohorts.confirm_upload).


class SigningKey(SQLModel, table=True):
    """Random keys that sign cookies the app must recognise again (the known-device
    cookie, quizapp/devices.py); made by migration 0013, shared by every worker."""
    __tablename__ = "signing_keys"
    name: str = Field(primary_key=True, max_length=32)
    key: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what to whom: overrides, imports, suspensions."""
    __tablename__ = "audit_events"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=128)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ExamGrant(SQLModel, table=True):
    """Extra attempts an instructor granted one trainee (recorded in the audit log)."""
    __tablename__ = "exam_grants"
    exam_id: int = Field(foreign_key="exams.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    extra_attempts: int = 0


class Survey(SQLModel, table=True):
    """训前问需: a needs survey sent to one cohort."""
    __tablename__ = "surveys"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", index=True)
    title: str = Field(max_length=128)
    topics: list = Field(sa_column=Column(JSON, nullable=False))            # topic keys, see quizapp.surveys
    questions: list = Field(sa_column=Column(JSON, nullable=False))         # free-text questions
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)


class SurveyResponse(SQLModel, table=True):
    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "user_id", name="uq_one_response_per_trainee"),)
    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="surveys.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    ratings: dict = Field(sa_column=Column(JSON, nullable=False))           # topic -> [confidence, frequency]
    answers: list = Field(sa_column=Column(JSON, nullable=False))           # free text, in question order
    submitted_at: datetime = Field(default_factory=utcnow)


class TeachingSession(SQLModel, table=True):
    """训中问质: one teaching session of a cohort, rated by its trainees."""
    __tablename__ = "teaching_sessions"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohorts.id", index=True)
    title: str = Field(max_length=128)
    held_on: date | None = None
    teacher: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class SessionFeedback(SQLModel, table=True):
    __tablename__ = "session_feedback"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_one_feedback_per_trainee"),)
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="teaching_sessions.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    content_fit: int
    clarity: int
    usefulness: int
    comment: str = ""
    submitted_at: datetime = Field(default_factory=utcnow)


class ContentReport(SQLModel, table=True):
    """纠错与建议: a reader's report on a handbook section or a question, and
    the editors' handling of it. ``version`` grows with every change, so an
    editor acting on a stale view is told instead of overwriting."""
    __tablename__ = "content_reports"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    page: str = Field(default="", max_length=256)          # handbook source path, e.g. volumes/v1-common/guide/step-01-filing.md
    section: str = Field(default="", max_length=128)       # heading anchor on that page
    question_id: str | None = Field(default=None, foreign_key="questions.id", index=True)
    volume: str = Field(default="", max_length=32, index=True)
    category: str = Field(max_length=16)
    text: str = Field(max_length=2000)
    status: str = Field(default="new", max_length=16, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    answer: str = Field(default="", max_length=2000)
    answered_by: int | None = Field(default=None, foreign_key="users.id")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # the option order the reporter saw (shuffled per trainee): {"order": "CABD", "parts": {"1": "BA"}}; {} unknown
    shown_order: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))


class Unit(SQLModel, table=True):
    """执法监督 · 单位（镇街）: the units whose officers rotation training must cover.
    ``aliases`` are other spellings of the name (东山镇人民政府, 东山) that
    trainees' free-text units and roster rows are matched by (domain/supervision.py)."""
    __tablename__ = "units"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    aliases: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Officer(SQLModel, table=True):
    """An officer on a unit's full roster (执法人员名册), matched to an account by
    login name (phone, else staff number) or by 执法证号."""
    __tablename__ = "officers"
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="units.id", index=True)
    name: str = Field(max_length=64)
    login: str = Field(max_length=64, unique=True)          # phone number, else staff number
    cert_no: str = Field(default="", max_length=64)         # 执法证号
    created_at: datetime = Field(default_factory=utcnow)


class CountyList(SQLModel, table=True):
    """A county's list of delegated items (赋权事项清单), uploaded by a
    supervisor: ``rows`` as read, checked and matched (quizapp/county_list.py).
    ``status``: pending (uploaded, not yet confirmed), active (the county's
    list: at most one), replaced (an earlier active list, kept)."""
    __tablename__ = "county_lists"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=128)
    file_name: str = Field(max_length=200)
    rows: list = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    uploaded_by: int | None = Field(default=None, foreign_key="users.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    confirmed_by: int | None = Field(default=None, foreign_key="users.id")
    confirmed_at: datetime | None = None
