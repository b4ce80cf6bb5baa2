"""Custody of trainee accounts (rules: domain/custody.py).

Data flow: cohorts.enrol_one and the roster import call :func:`enrol` for
every account they put into a cohort; the cohort routes call
:func:`managed_trainee` before a reset or a disable; overview and exam pages
ask :func:`held_by` which trainees' results an instructor may see beyond
their own exams; supervisors approve or refuse :func:`pending` enrolments.
Every enrolment of an existing account is audited and listed on the cohort
pages of the account's other instructors (:func:`joined_elsewhere`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from .audit import record as audit
from .domain import custody as rules
from .domain import text as free_text
from .domain.errors import DomainError, NotFound
from .models import Attempt, Cohort, CohortInstructor, Enrolment, Exam, Role, User

ACTIVE_ENROLMENT = Enrolment.status == rules.ACTIVE


def _held_elsewhere(db: Session, user_id: int, cohort_id: int) -> bool:
    return db.exec(select(Enrolment.cohort_id).where(Enrolment.user_id == user_id, Enrolment.cohort_id != cohort_id,
                                                     Enrolment.custody == True, ACTIVE_ENROLMENT)).first() is not None  # noqa: E712


def enrol(db: Session, actor: User, cohort: Cohort, user: User, *, created: bool) -> Enrolment | None:
    """Put the account into the cohort on the terms of domain/custody.py;
    None when it is there already. The caller commits.

    An account ``created`` by this enrolment is in no cohort yet: it is
    enrolled without a query (a roster import creates hundreds per batch)."""
    if not created and db.get(Enrolment, (cohort.id, user.id)):
        return None
    if user.role != Role.trainee.value:
        raise DomainError(f"{user.username} 不是学员账号，不能加入培训班")
    terms = rules.enrolment_terms(created=created,
                                  held_elsewhere=not created and _held_elsewhere(db, user.id, cohort.id),
                                  held_by_actor=not created and holds(db, actor, user.id)
                                  and actor.role != Role.supervisor.value,
                                  actor_is_supervisor=actor.role == Role.supervisor.value,
                                  actor_unit=actor.unit or "", trainee_unit=user.unit or "")
    enrolment = Enrolment(cohort_id=cohort.id, user_id=user.id, status=terms.status, custody=terms.custody,
                          added_by=actor.id)
    db.add(enrolment)
    if not created:
        audit(db, actor, "cohort.enrol_existing", f"user:{user.id}", username=user.username, cohort_id=cohort.id,
              status=terms.status, custody=terms.custody)
    return enrolment


def holds(db: Session, actor: User, user_id: int) -> bool:
    """Whether ``actor`` has power over the trainee's account: a supervisor,
    or an instructor of a cohort with custody of it."""
    if actor.role == Role.supervisor.value:
        return True
    if actor.role != Role.instructor.value:
        return False
    return db.exec(select(Enrolment.cohort_id)
                   .join(CohortInstructor, CohortInstructor.cohort_id == Enrolment.cohort_id)
                   .where(Enrolment.user_id == user_id, Enrolment.custody == True, ACTIVE_ENROLMENT,  # noqa: E712
                          CohortInstructor.user_id == actor.id)).first() is not None


def held_by(actor: User):
    """A query of the ids of the trainees ``actor`` (an instructor) holds."""
    return (select(Enrolment.user_id).join(CohortInstructor, CohortInstructor.cohort_id == Enrolment.cohort_id)
            .where(CohortInstructor.user_id == actor.id, Enrolment.custody == True, ACTIVE_ENROLMENT))  # noqa: E712


def managed_trainee(db: Session, actor: User, cohort: Cohort, user_id: int) -> User:
    """A trainee of the cohort over whose account ``actor`` has power;
    NotFound for one not in the cohort, DomainError for one held by others."""
    user = db.get(User, user_id)
    if user is None or user.role != Role.trainee.value or not db.exec(
            select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user_id,
                                    ACTIVE_ENROLMENT)).first():
        raise NotFound("该学员不在本培训班中")
    if not holds(db, actor, user_id):
        raise DomainError(f"{user.display_name or user.username} 的账号由其原培训班的教员管理；"
                          "重置密码、停用账号请联系原培训班教员或监督员")
    return user


class AttemptInProgress(DomainError):
    """A reset or a disable of a trainee who is taking an exam: the instructor
    confirms first (the attempt itself never ends because of it)."""
    status = 409

    def __init__(self, user: User, attempt: Attempt, exam: Exam, action: str):
        super().__init__(f"{user.display_name or user.username} 正在考试，请确认后再操作")
        self.user, self.attempt, self.exam, self.action = user, attempt, exam, action


def confirm_during_attempt(db: Session, user: User, action: str, confirmed: bool) -> None:
    """Raise AttemptInProgress when the trainee has an open attempt and the
    action (``password`` or ``active``) is not confirmed yet."""
    if confirmed:
        return
    row = db.exec(select(Attempt, Exam).join(Exam, Exam.id == Attempt.exam_id)
                  .where(Attempt.user_id == user.id, Attempt.status == "open")).first()
    if row is not None:
        raise AttemptInProgress(user, row[0], row[1], action)


@dataclass
class PendingRow:
    enrolment: Enrolment
    cohort: Cohort
    user: User
    added_by: User | None


def pending(db: Session) -> list[PendingRow]:
    """Enrolments waiting for a supervisor, oldest first."""
    rows = db.exec(select(Enrolment, Cohort, User).join(Cohort, Cohort.id == Enrolment.cohort_id)
                   .join(User, User.id == Enrolment.user_id)
                   .where(Enrolment.status == rules.PENDING).order_by(Enrolment.enrolled_at)).all()
    adders = {u.id: u for u in db.exec(select(User).where(User.id.in_({e.added_by for e, _, _ in rows if e.added_by})))}
    return [PendingRow(e, c, u, adders.get(e.added_by)) for e, c, u in rows]


def decide(db: Session, supervisor: User, cohort_id: int, user_id: int, *, approve: bool, reason: str = "") -> None:
    """Approve (the enrolment becomes active) or refuse (it is removed) a pending enrolment; a refusal's
    reason, if given, is in the audit entry."""
    reason = free_text.checked(reason, "拒绝理由", free_text.REASON) if not approve else ""
    enrolment = db.get(Enrolment, (cohort_id, user_id))
    if enrolment is None or enrolment.status != rules.PENDING:
        raise NotFound("该加入申请不存在或已处理")
    if approve:
        enrolment.status, enrolment.custody = rules.APPROVED.status, rules.APPROVED.custody
        db.add(enrolment)
    else:
        db.delete(enrolment)
    audit(db, supervisor, "cohort.enrol_approve" if approve else "cohort.enrol_refuse", f"user:{user_id}",
          cohort_id=cohort_id, **({"reason": reason} if reason else {}))
    db.commit()


def decision_notice(db: Session, decided: str, cohort_id: int, user_id: int) -> str:
    """What the supervisor just did, in words (the page after 批准 or 拒绝): '' for anything unknown."""
    cohort, user = db.get(Cohort, cohort_id), db.get(User, user_id)
    if cohort is None or user is None or decided not in ("approve", "refuse"):
        return ""
    if decided == "approve":
        return f"已批准 {user.display_name}（{user.username}）加入“{cohort.name}”，已记入操作日志。"
    return f"已拒绝 {user.display_name}（{user.username}）加入“{cohort.name}”，已记入操作日志。"


@dataclass
class JoinedRow:
    user: User
    cohort: Cohort
    enrolment: Enrolment
    added_by: User | None


def joined_elsewhere(db: Session, cohort: Cohort) -> list[JoinedRow]:
    """For the instructors of ``cohort``: the trainees it holds that another
    cohort has since taken in by login name (newest first)."""
    held = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id, Enrolment.custody == True,  # noqa: E712
                                           ACTIVE_ENROLMENT)
    rows = db.exec(select(Enrolment, Cohort, User).join(Cohort, Cohort.id == Enrolment.cohort_id)
                   .join(User, User.id == Enrolment.user_id)
                   .where(Enrolment.user_id.in_(held), Enrolment.cohort_id != cohort.id,
                          Enrolment.custody == False)  # noqa: E712
                   .order_by(Enrolment.enrolled_at.desc())).all()
    adders = {u.id: u for u in db.exec(select(User).where(User.id.in_({e.added_by for e, _, _ in rows if e.added_by})))}
    return [JoinedRow(u, c, e, adders.get(e.added_by)) for e, c, u in rows]


