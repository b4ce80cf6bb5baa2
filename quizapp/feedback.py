"""训中问质: after each teaching session its trainees rate content fit,
clarity and usefulness (1–5) and may comment, once each; instructors see the
summary per session."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .cohorts import enrolled_cohort_ids, enrolled_item
from .domain import text as free_text
from .domain.errors import DomainError
from .domain.surveys import validate_rating
from .models import Cohort, SessionFeedback, TeachingSession, User

DIMENSIONS = {"content_fit": "内容切合实际", "clarity": "讲解清楚", "usefulness": "对工作有用"}


class AlreadyRated(DomainError):
    status = 409


def add_session(db: Session, cohort: Cohort, *, title: str, held_on: date | None, teacher: str) -> TeachingSession:
    title = free_text.checked(title, "课程名称", free_text.TITLE)
    teacher = free_text.checked(teacher, "授课教师", free_text.NAME)
    if not title:
        raise DomainError("请填写课程名称")
    session = TeachingSession(cohort_id=cohort.id, title=title, held_on=held_on, teacher=teacher)
    db.add(session)
    db.commit()
    db.refresh(session)
    return session


def sessions_for_trainee(db: Session, user: User) -> list[tuple[TeachingSession, bool]]:
    rated = set(db.exec(select(SessionFeedback.session_id).where(SessionFeedback.user_id == user.id)).all())
    return [(s, s.id in rated) for s in db.exec(select(TeachingSession).where(TeachingSession.cohort_id.in_(enrolled_cohort_ids(user.id)))
                                                .order_by(TeachingSession.held_on.desc(), TeachingSession.id.desc()))]


def my_ratings(db: Session, user: User) -> dict[int, SessionFeedback]:
    """The trainee's own ratings, by session (shown back read-only)."""
    return {f.session_id: f for f in db.exec(select(SessionFeedback).where(SessionFeedback.user_id == user.id))}


def session_for_trainee(db: Session, user: User, session_id: int) -> TeachingSession:
    return enrolled_item(db, user, TeachingSession, session_id, missing="课程不存在",
                         foreign="这不是您所在培训班的课程")


def rate(db: Session, user: User, session: TeachingSession, *, ratings: dict[str, object], comment: str) -> None:
    try:
        values = {k: validate_rating(ratings.get(k), f"“{label}”") for k, label in DIMENSIONS.items()}
    except ValueError as e:
        raise DomainError(str(e)) from None
    comment = free_text.checked(comment, "意见和建议", free_text.TEXT)
    db.add(SessionFeedback(session_id=session.id, user_id=user.id, comment=comment, **values))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise AlreadyRated("您已经评价过这节课，每人只能评价一次") from None


@dataclass
class SessionSummary:
    session: TeachingSession
    n: int
    means: dict[str, float | None]
    comments: list[str]


def summaries(db: Session, cohort: Cohort) -> list[SessionSummary]:
    out = []
    for s in db.exec(select(TeachingSession).where(TeachingSession.cohort_id == cohort.id)
                     .order_by(TeachingSession.held_on, TeachingSession.id)):
        rows = db.exec(select(SessionFeedback).where(SessionFeedback.session_id == s.id)).all()
        means = {k: round(sum(getattr(r, k) for r in rows) / len(rows), 2) if rows else None for k in DIMENSIONS}
        out.append(SessionSummary(s, len(rows), means, [r.comment for r in rows if r.comment]))
    return out
