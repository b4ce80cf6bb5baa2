"""Practice sets: a bounded run of questions with progress and a summary.

Data flow: a filter (volume, module, step, statute, ids; or the mistake book
by volume and step, or its due reviews) -> ``start`` picks the questions
(domain.practice.choose_set, at most SET_SIZE) -> a ``PracticeSet`` that
travels in the URL as a signed token (``set=``; itsdangerous, the platform's
signing key from ``signing_keys`` with a salt of its own), so nothing is
stored and a refresh or another worker loses nothing. The token names its
owner: another user's token is refused. Progress and the summary are derived
from the owner's PracticeAnswer rows since the set began (``started``): the
next question is the first of the set not yet answered since then.

Kinds: ``practice`` (the practice pool) and ``review`` (the mistake book:
answers are recorded as reviews; only a due question's right answer moves it
along its schedule, domain.review).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

from itsdangerous import BadData, URLSafeTimedSerializer
from sqlmodel import Session, select

from . import practice
from .domain import practice as rules
from .domain.errors import DomainError, Forbidden
from .domain.procedure import ALL_STEPS, VOLUMES
from .models import MistakeEntry, PracticeAnswer, Question, User, utcnow

_SALT = "zj-practice-set"
MAX_AGE_DAYS = 7
MAX_TOKEN = 2048
KINDS = ("practice", "review", "mistakes")     # mistakes: 练习错题 (the book by volume/step, due or not)


class SetExpired(DomainError):
    status = 410


@dataclass(frozen=True)
class PracticeSet:
    user_id: int
    kind: str
    question_ids: tuple[str, ...]
    started: datetime
    filter_query: str        # the practice filter (practice) or volume/step (mistakes), for 再练一组 and the title
    title: str

    @property
    def review(self) -> bool:
        return self.kind in ("review", "mistakes")


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SALT)


def encode(ps: PracticeSet, key: str) -> str:
    return _serializer(key).dumps({"u": ps.user_id, "k": ps.kind, "q": list(ps.question_ids),
                                   "t": int(ps.started.timestamp() * 1000), "f": ps.filter_query, "n": ps.title})


def decode(token: str, key: str, user: User) -> PracticeSet:
    """The set a token carries; SetExpired if it is altered, too old or not
    well formed, Forbidden if it is another user's."""
    if not token or len(token) > MAX_TOKEN:
        raise SetExpired("这组练习已失效，请重新开始")
    try:
        data = _serializer(key).loads(token, max_age=MAX_AGE_DAYS * 86400)
        ps = PracticeSet(int(data["u"]), str(data["k"]), tuple(str(q) for q in data["q"]),
                         datetime.fromtimestamp(int(data["t"]) / 1000, tz=timezone.utc), str(data["f"]),
                         str(data["n"]))
    except (BadData, KeyError, TypeError, ValueError):
        raise SetExpired("这组练习已失效，请重新开始") from None
    if ps.kind not in KINDS:
        raise SetExpired("这组练习已失效，请重新开始")
    if ps.user_id != user.id:
        raise Forbidden("这组练习不是您的")
    return ps


def start_practice(db: Session, user: User, flt: practice.PracticeFilter) -> PracticeSet | None:
    """A practice set for the filter, or None when no question matches."""
    ids = rules.choose_set([q.id for q in practice.candidates(db, flt)], practice.history(db, user))
    if not ids:
        return None
    return PracticeSet(user.id, "practice", tuple(ids), utcnow(), flt.query(), flt.describe())


def _volume_step(volume: str, step: str) -> tuple[str, str]:
    codes = {v.code for v in VOLUMES}
    return (volume if volume in codes else ""), (step if step in ALL_STEPS else "")


def mistakes_title(volume: str, step: str, due_only: bool) -> str:
    names = {v.code: v.title for v in VOLUMES}
    parts = [p for p in (names.get(volume, ""), step) if p]
    return ("今日复习" if due_only else "练习错题") + (f"：{'、'.join(parts)}" if parts else "")


def start_mistakes(db: Session, user: User, *, volume: str = "", step: str = "", due_only: bool = False) -> PracticeSet | None:
    """A set from the mistake book: its questions of a volume and/or step (or
    all), due ones first; ``due_only``: today's reviews."""
    volume, step = _volume_step(volume, step)
    now = utcnow()
    rows = db.exec(select(MistakeEntry, Question).join(Question, Question.id == MistakeEntry.question_id)
                   .where(MistakeEntry.user_id == user.id, MistakeEntry.cleared == False,  # noqa: E712
                          Question.active == True, Question.suspended == False,            # noqa: E712
                          Question.pool == "practice")
                   .order_by(MistakeEntry.due)).all()
    ids = [q.id for e, q in rows if (not volume or q.volume == volume) and (not step or q.step == step)
           and (not due_only or e.due <= now)]
    if not ids:
        return None
    query = urlencode({k: v for k, v in (("volume", volume), ("step", step)) if v})
    return PracticeSet(user.id, "review" if due_only else "mistakes", tuple(ids[:rules.SET_SIZE]), now, query,
                       mistakes_title(volume, step, due_only))


def answers_since(db: Session, user: User, ps: PracticeSet) -> list[PracticeAnswer]:
    return list(db.exec(select(PracticeAnswer).where(PracticeAnswer.user_id == user.id,
                                                     PracticeAnswer.question_id.in_(ps.question_ids),
                                                     PracticeAnswer.answered_at >= ps.started)
                        .order_by(PracticeAnswer.answered_at, PracticeAnswer.id)))


@dataclass(frozen=True)
class Position:
    number: int              # 第 number 题
    total: int
    question: Question | None     # None: the set is finished
    summary: rules.SetSummary


def position(db: Session, user: User, ps: PracticeSet) -> Position:
    answers = answers_since(db, user, ps)
    summary = rules.summarise_set(ps.question_ids, ((a.question_id, a.correct, a.answered_at) for a in answers),
                                  ps.started)
    answered = {a.question_id for a in answers}
    for qid in ps.question_ids:
        if qid in answered:
            continue
        try:
            return Position(summary.answered + 1, summary.total, practice.get_question(db, qid), summary)
        except DomainError:         # retired or suspended since the set began: skipped
            continue
    return Position(summary.total, summary.total, None, summary)


def latest_answer(db: Session, user: User, question_id: str, since: datetime | None = None) -> PracticeAnswer | None:
    """The user's own latest practice answer to a question (the feedback page shows it)."""
    stmt = select(PracticeAnswer).where(PracticeAnswer.user_id == user.id, PracticeAnswer.question_id == question_id)
    if since is not None:
        stmt = stmt.where(PracticeAnswer.answered_at >= since)
    return db.exec(stmt.order_by(PracticeAnswer.answered_at.desc(), PracticeAnswer.id.desc())).first()


def left_book(db: Session, user: User, question_id: str) -> bool:
    entry = db.exec(select(MistakeEntry).where(MistakeEntry.user_id == user.id,
                                               MistakeEntry.question_id == question_id)).first()
    return bool(entry and entry.cleared)
