"""执法监督: whole-force rotation training coverage and the weak-area map, over all cohorts."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from .domain import supervision as rules
from .models import Attempt, Cohort, Enrolment, Exam, Question, Role, User


def coverage(db: Session, year: int | None = None) -> list[rules.Coverage]:
    year = year or date.today().year
    this_year = {c.id for c in db.exec(select(Cohort))
                 if (c.starts_on.year if c.starts_on else c.created_at.year) == year}
    trained = {e.user_id for e in db.exec(select(Enrolment)) if e.cohort_id in this_year and e.status == "active"}
    passed = {a.user_id for a in db.exec(select(Attempt).join(Exam, Exam.id == Attempt.exam_id)
                                         .where(Attempt.passed == True, Exam.purpose == "exam",  # noqa: E712
                                                Exam.certifying == True))  # noqa: E712 - only 结业考试 certify
              if a.submitted_at and a.submitted_at.year == year}   # a pre-test never counts as passing
    officers = db.exec(select(User).where(User.role == Role.trainee.value, User.active == True)).all()  # noqa: E712
    return rules.coverage(rules.Officer(u.unit, u.id in trained, u.id in passed) for u in officers)


def weak_areas(db: Session) -> dict[str, dict[str, float]]:
    questions = {q.id: (q.volume, q.step) for q in db.exec(select(Question))}
    items = []
    for a in db.exec(select(Attempt).where(Attempt.status == "graded")):
        for item in a.paper:
            volume, step = questions.get(item["question_id"], ("", ""))
            items.append((volume, step, a.item_scores.get(item["question_id"], 0.0), item["points"]))
    return rules.accuracy_matrix(items)
