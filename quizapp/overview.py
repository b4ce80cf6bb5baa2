"""What an instructor sees first: the bank by volume and step, and how each
trainee's practice is going."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer
from sqlmodel import Session, func, select

from . import custody
from .domain import practice as rules
from .domain.procedure import ALL_STEPS, VOLUMES, Volume
from .models import PracticeAnswer, Question, Role, User


@dataclass
class TraineeRow:
    """A trainee's practice as the trainee's own page (我的成绩, practice.progress)
    counts it: ``tally`` is questions practised, each counted once with its
    latest answer right or wrong; ``answers`` every answer given (作答次数)."""
    user: User
    tally: rules.Tally
    answers: int = 0


@dataclass
class BankMatrix:
    """Active questions per step (a row each, in the procedure's order) and volume
    (a column each, only the volumes that have questions, in order)."""
    volumes: list[Volume]
    steps: tuple[str, ...]
    counts: dict[tuple[str, str], int]

    def count(self, volume: str, step: str) -> int:
        return self.counts.get((volume, step), 0)

    def step_total(self, step: str) -> int:
        return sum(self.count(v.code, step) for v in self.volumes)

    def volume_total(self, volume: str) -> int:
        return sum(self.count(volume, s) for s in self.steps)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def bank_matrix(db: Session) -> BankMatrix:
    """The bank's active questions by step and volume (volumes without any left out)."""
    rows = db.exec(select(Question.volume, Question.step, func.count()).where(Question.active == True)  # noqa: E712
                   .group_by(Question.volume, Question.step)).all()
    counts = {(v, s): n for v, s, n in rows if s in ALL_STEPS}
    return BankMatrix([v for v in VOLUMES if any(counts.get((v.code, s)) for s in ALL_STEPS)], ALL_STEPS, counts)


def visible_trainee_ids(db: Session, viewer: User) -> set[int] | None:
    """The trainees whose results an instructor may see: those their cohorts
    hold (custody.held_by; an account another cohort took in by name stays
    with its holders). None for a supervisor, who sees everyone."""
    if viewer.role == Role.supervisor.value:
        return None
    return set(db.exec(custody.held_by(viewer)).all())


def trainees(db: Session, viewer: User) -> list[TraineeRow]:
    query = select(User).where(User.role == Role.trainee.value).order_by(User.unit, User.username)
    visible = visible_trainee_ids(db, viewer)
    if visible is not None:
        query = query.where(User.id.in_(visible))
    users = db.exec(query).all()
    answers = select(PracticeAnswer.user_id, PracticeAnswer.correct, func.row_number().over(
        partition_by=(PracticeAnswer.user_id, PracticeAnswer.question_id),
        order_by=(PracticeAnswer.answered_at.desc(), PracticeAnswer.id.desc())).label("newest_first"))
    if visible is not None:
        answers = answers.where(PracticeAnswer.user_id.in_(visible))
    answers = answers.subquery()
    latest = {uid: (n, ok or 0) for uid, n, ok in db.exec(
        select(answers.c.user_id, func.count(), func.sum(func.cast(answers.c.correct, Integer())))
        .where(answers.c.newest_first == 1).group_by(answers.c.user_id)).all()}
    given = dict(db.exec(select(answers.c.user_id, func.count()).group_by(answers.c.user_id)).all())
    return [TraineeRow(u, rules.Tally(*latest.get(u.id, (0, 0))), given.get(u.id, 0)) for u in users]


def weak_steps(db: Session, viewer: User) -> dict[str, rules.Tally]:
    """Accuracy of the visible trainees' practice answers per step, weakest first."""
    query = select(Question.step, PracticeAnswer.correct).join(Question, Question.id == PracticeAnswer.question_id)
    visible = visible_trainee_ids(db, viewer)
    if visible is not None:
        query = query.where(PracticeAnswer.user_id.in_(visible))
    rows = db.exec(query).all()
    tallies = rules.tally_by(rows)
    return dict(sorted(tallies.items(), key=lambda kv: kv[1].accuracy))



