"""题库浏览 and 试卷预览 for staff (instructors, supervisors, editors): the
bank searched and filtered, one question with its key and its statistics
across exams, and a preview of an exam's paper. Never for trainees (keys):
the routes (quizapp/web/routes/bank.py, exam_preview.py) require the role.

Data flow: ``bank_questions`` loads the bank's questions (retired ones left
out), which the route filters and pages with domain/bank_search.py; ``usage`` finds the exams whose papers may
hold the question (a fixed paper listing it, a blueprint with a row it
matches), reads their attempts' papers, and for each exam that used it
computes Moodle's item statistics over each trainee's first graded attempt
with domain/statistics.py (the figures of the exam's results page, from the
same exams.marks_of); ``preview`` draws a paper as a trainee's start would
(exams.draw_question_ids), stores nothing, and returns the questions with
their keys.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from . import exams
from .domain import bank_search, statistics
from .domain import exams as rules
from .domain.errors import NotFound
from .models import Attempt, Exam, Question

MAX_EXAMS_SHOWN = 50                 # the most recent exams a question's statistics list


def bank_questions(db: Session) -> list[Question]:
    """The bank as the browser searches it: every question still in the bank, suspended ones too."""
    return list(db.exec(select(Question).where(Question.active == True).order_by(Question.id)))  # noqa: E712


def statute_names(questions: list[Question]) -> list[str]:
    return sorted({name for q in questions for name in bank_search.statutes_of(q)})


def question(db: Session, question_id: str) -> Question:
    q = db.get(Question, question_id)
    if q is None or not q.active:
        raise NotFound("题目不存在或已从题库移除")
    return q


@dataclass
class ExamUse:
    exam: Exam
    visible: bool                    # the viewer may see this exam (its title and link)
    papers: int                      # attempts whose paper held the question
    item: statistics.ItemStats       # over each trainee's first graded attempt


@dataclass
class Usage:
    papers: int                      # attempts (any exam, any state) whose paper held the question
    exams: list[ExamUse]
    pooled: bank_search.Pooled


def _may_hold(exam: Exam, q: Question) -> bool:
    if exam.question_ids:
        return q.id in exam.question_ids
    candidate = rules.Candidate(q.id, q.volume, q.step, q.difficulty, q.type, q.pool, tuple(q.items or ()))
    return any(rules.Cell(**c).matches(candidate) for c in exam.blueprint)


def usage(db: Session, q: Question, may_see: Callable[[Exam], bool]) -> Usage:
    """Where the question has been used and how it fared, exam by exam (most
    recent first); ``may_see`` tells which exams the viewer may see by name."""
    candidates = [e for e in db.exec(select(Exam).order_by(Exam.id.desc())) if _may_hold(e, q)]
    total, uses = 0, []
    for exam in candidates:
        attempts = [a for a in db.exec(select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.number))
                    if any(i["question_id"] == q.id for i in a.paper)]
        if not attempts:
            continue
        total += len(attempts)
        if len(uses) >= MAX_EXAMS_SHOWN:
            continue
        firsts: dict[int, Attempt] = {}
        for a in attempts:
            if a.status == "graded":
                firsts.setdefault(a.user_id, a)
        marks, max_marks = exams.marks_of(firsts.values())
        item = next((i for i in statistics.item_stats(marks, max_marks) if i.question_id == q.id),
                    statistics.ItemStats(q.id, 0))
        uses.append(ExamUse(exam, may_see(exam), len(attempts), item))
    return Usage(total, uses, bank_search.pooled(u.item for u in uses))


@dataclass
class PreviewQuestion:
    number: int
    question: Question
    points: float


def preview(db: Session, exam: Exam, rng: random.Random | None = None) -> list[PreviewQuestion]:
    """A paper of the exam as a new attempt would draw it, saved nowhere; for a
    blueprint a new draw each call. BlueprintUnfillable (a DomainError) when the
    bank cannot fill it."""
    ids = exams.draw_question_ids(db, exam, rng or random.Random())
    found = {q.id: q for q in db.exec(select(Question).where(Question.id.in_(ids)))}
    points = exams.paper_points(exam, ids, {i: q.type for i, q in found.items()})
    return [PreviewQuestion(n, found[i], points[i]) for n, i in enumerate(ids, 1)]
