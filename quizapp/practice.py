"""Practice: choose questions by volume, module, step, statute or an explicit
list (the handbook's 练一练 links), answer one at a time, see progress."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session, select

from .domain import practice as rules
from . import mistakes
from .content.items import catalogue
from .domain.answers import case_correct, is_correct, normalise_case_response, normalise_response
from .domain.errors import InvalidAnswer, NotFound
from .domain.procedure import ALL_STEPS, VOLUMES, module_of
from .models import PracticeAnswer, Question, User


@dataclass(frozen=True)
class PracticeFilter:
    volume: str = ""
    module: str = ""
    step: str = ""
    statute: str = ""
    ids: tuple[str, ...] = ()
    item: str = ""                   # a 赋权事项 id (handbook/items/)

    @classmethod
    def from_query(cls, *, volume: str = "", module: str = "", step: str = "", statute: str = "",
                   ids: str = "", item: str = "") -> "PracticeFilter":
        return cls(volume.strip(), module.strip(), step.strip(), statute.strip(),
                   tuple(i for i in (s.strip() for s in ids.split(",")) if i), item.strip())

    def matches(self, q: Question) -> bool:
        return ((not self.ids or q.id in self.ids)
                and (not self.volume or q.volume == self.volume)
                and (not self.module or module_of(q.anchor.partition("#")[0]) == self.module)
                and (not self.step or q.step == self.step)
                and (not self.statute or any(b["statute"] == self.statute for b in q.basis))
                and (not self.item or self.item in (q.items or [])))

    def query(self) -> str:
        data = {k: v for k, v in (("volume", self.volume), ("module", self.module), ("step", self.step),
                                  ("statute", self.statute), ("ids", ",".join(self.ids)), ("item", self.item)) if v}
        return urlencode(data)

    def describe(self) -> str:
        parts = []
        if self.ids:
            parts.append(f"指定的 {len(self.ids)} 道题")
        names = {v.code: v.title for v in VOLUMES}
        if self.volume:
            parts.append(names.get(self.volume, self.volume))
        if self.module:
            parts.append({"laws": "法律法规", "guide": "工作指南", "cases": "典型案例"}.get(self.module, self.module))
        if self.step:
            parts.append(self.step)
        if self.statute:
            parts.append(f"《{self.statute}》")
        if self.item:
            item = catalogue().get(self.item)
            parts.append(f"赋权事项“{item.name}”" if item else f"赋权事项 {self.item}")
        return "、".join(parts) or "随机练习（全部题目）"


@dataclass
class Feedback:
    question: Question
    response: list[str] | dict[str, list[str]]
    correct: bool
    left_book: bool = False


IN_BANK = (Question.active == True) & (Question.suspended == False)  # noqa: E712 - what exams may draw
IN_POOL = IN_BANK & (Question.pool == "practice")                   # the practice pool: no exam-only question


def active_questions(db: Session) -> list[Question]:
    """The practice pool: in the bank, not suspended by an editor, not exam-only."""
    return list(db.exec(select(Question).where(IN_POOL).order_by(Question.id)))


def candidates(db: Session, flt: PracticeFilter) -> list[Question]:
    return [q for q in active_questions(db) if flt.matches(q)]


def history(db: Session, user: User) -> dict[str, rules.Seen]:
    seen: dict[str, rules.Seen] = {}
    rows = db.exec(select(PracticeAnswer).where(PracticeAnswer.user_id == user.id)
                   .order_by(PracticeAnswer.answered_at, PracticeAnswer.id))
    for a in rows:
        seen[a.question_id] = rules.Seen(a.answered_at, a.correct)
    return seen


def next_question(db: Session, user: User, flt: PracticeFilter, *, exclude: str | None = None) -> Question | None:
    pool = candidates(db, flt)
    chosen = rules.pick_next([q.id for q in pool], history(db, user), exclude=exclude)
    return next((q for q in pool if q.id == chosen), None)


def get_question(db: Session, question_id: str) -> Question:
    """A question of the practice pool (an exam-only one is as if it did not exist)."""
    q = db.get(Question, question_id)
    if q is None or not q.active or q.pool != "practice":
        raise NotFound("题目不存在或已停用")
    return q


def check_response(q: Question, response: list[str] | dict[str, list[str]], *,
                   allow_empty: bool = False) -> tuple[list | dict, bool]:
    """The normalised response and whether it is right (a case question:
    every part right). Raises InvalidAnswer for options that do not exist."""
    if q.type == "case":
        chosen = normalise_case_response(q.parts, response if isinstance(response, dict) else {},
                                         allow_empty=allow_empty)
        return chosen, case_correct(q.parts, chosen)
    chosen = normalise_response(q.type, q.options.keys(), response if isinstance(response, list) else [],
                                allow_empty=allow_empty)
    return chosen, is_correct(q.answer, chosen)


def answer_problem(q: Question, response) -> str:
    """Why ``response`` cannot be recorded (请先选择答案 …), or '' when it can;
    never whether it is right."""
    try:
        check_response(q, response)
    except InvalidAnswer as e:
        return e.message
    return ""


def answer(db: Session, user: User, *, question_id: str, response, review: bool = False) -> Feedback:
    """Record a practice (or mistake-book review) answer. A wrong answer goes
    into the mistake book; a right one in review moves it along its schedule."""
    q = get_question(db, question_id)
    chosen, correct = check_response(q, response)
    db.add(PracticeAnswer(user_id=user.id, question_id=q.id, response=chosen, correct=correct))
    left = False
    if not correct:
        mistakes.record_wrong(db, user_id=user.id, question_id=q.id, source="review" if review else "practice")
    elif review:
        left = mistakes.record_review_right(db, user_id=user.id, question_id=q.id)
    db.commit()
    return Feedback(q, chosen, correct, left)


@dataclass
class Progress:
    by_volume: dict[str, rules.Tally]
    by_step: dict[str, rules.Tally]
    total: rules.Tally
    bank_by_volume: dict[str, int]


def progress(db: Session, user: User) -> Progress:
    """Per volume and per step: questions answered (each counted once, by its
    latest answer) and accuracy; every volume and step the practice bank has
    questions of is listed, an untouched one with nothing answered (未作答)."""
    latest: dict[str, bool] = {qid: seen.last_correct for qid, seen in history(db, user).items()}
    questions = {q.id: q for q in db.exec(select(Question))}
    rows = [(questions[qid], ok) for qid, ok in latest.items() if qid in questions]
    by_volume = rules.tally_by((q.volume, ok) for q, ok in rows)
    by_step = rules.tally_by((q.step, ok) for q, ok in rows)
    total = rules.tally_by(("all", ok) for _, ok in rows).get("all", rules.Tally())
    order_v = [v.code for v in VOLUMES]
    bank = rules.tally_by((q.volume, True) for q in questions.values() if q.active)
    practised = [q for q in questions.values() if q.active and q.pool == "practice"]
    bank_volumes, bank_steps = {q.volume for q in practised}, {q.step for q in practised}
    return Progress(
        by_volume={v: by_volume.get(v, rules.Tally()) for v in order_v if v in by_volume or v in bank_volumes},
        by_step={s: by_step.get(s, rules.Tally()) for s in ALL_STEPS if s in by_step or s in bank_steps},
        total=total,
        bank_by_volume={v: bank[v].answered for v in order_v if v in bank},
    )
