"""Exam rules: assembling a paper from a blueprint, shuffling it for one
attempt, the server's clock, scoring (with partial credit) and when a review
may be shown. Plain functions over plain data; no database, no web.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .answers import normalise_case_response, normalise_response
from . import waiting
from .errors import DomainError

TYPE_NAMES = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "case": "案例分析题"}
DIFFICULTY_NAMES = {1: "基础", 2: "进阶", 3: "综合"}          # the bank's difficulty levels (content/questions.py)
DEFAULT_POINTS = {"single": 1.0, "multiple": 2.0, "judge": 1.0, "case": 4.0}
ALL_OR_NOTHING, PARTIAL = "all_or_nothing", "partial"
REVIEW_IMMEDIATE, REVIEW_AFTER_CLOSE, REVIEW_NEVER = "immediate", "after_close", "never"
# A pre-test (训前诊断) measures where a cohort stands before training; it is
# graded like an exam but never counts as passing (certificates, coverage).
PURPOSES = {"exam": "训后考试", "pretest": "训前诊断测验"}
# Bounds of an exam's settings (refused in Chinese outside them).
POINTS_RANGE = (0.5, 100.0)           # points per question type
PASS_RANGE = (1.0, 100.0)             # pass mark, per cent
TIME_LIMIT_RANGE = (1, 600)           # minutes
ATTEMPTS_RANGE = (1, 20)
FOCUS_LIMIT_RANGE = (0, 50)           # 0: no limit
GRACE_RANGE = (0, 60)                 # seconds an absence may last without counting
# 结业考试: only a certifying exam counts toward 分卷合格, and for a volume only
# when its paper held at least this many questions of that volume.
MIN_CERTIFYING_ITEMS = 30
# Blueprint rows may draw from the whole bank or from the exam-only questions.
POOLS = {"": "练习题与考试专用题", "exam": "仅考试专用题"}
# A save that reaches the server this long after the deadline still counts:
# the page sends it the moment the trainee clicks, network delay is not theirs.
SAVE_GRACE = timedelta(seconds=3)


class BlueprintUnfillable(DomainError):
    status = 422


class ExamClosed(DomainError):
    status = 409


class AttemptsUsedUp(DomainError):
    status = 409


class DeadlinePassed(DomainError):
    status = 409


# --- assembly -----------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One row of a blueprint: how many questions of which kind. Empty
    criteria match anything, except that a row of any type draws no
    案例分析 question: a case of several parts worth a choice question's
    points would be a trap, so cases come only from a row typed 案例分析."""
    count: int
    volume: str = ""
    step: str = ""
    difficulty: int | None = None
    type: str = ""
    pool: str = ""                    # '' any question the exam may use; 'exam' exam-only questions
    points: float | None = None       # each question of the row is worth this; None: its type's points
    item: str = ""                    # a 赋权事项 id (handbook/items/): questions tagged with it

    def matches(self, q: "Candidate") -> bool:
        return ((not self.volume or q.volume == self.volume) and (not self.step or q.step == self.step)
                and (self.difficulty is None or q.difficulty == self.difficulty)
                and (q.type == self.type if self.type else q.type != "case")
                and (not self.pool or q.pool == self.pool)
                and (not self.item or self.item in q.items))

    def describe(self) -> str:
        parts = [self.volume or "任意分卷", self.step or "任意环节",
                 DIFFICULTY_NAMES.get(self.difficulty, f"难度{self.difficulty}") if self.difficulty else "任意难度",
                 TYPE_NAMES.get(self.type, "任意题型（不含案例分析）")]
        if self.pool:
            parts.append(POOLS.get(self.pool, self.pool))
        if self.item:
            parts.append(f"赋权事项 {self.item}")
        if self.points is not None:
            parts.append(f"每题 {self.points:g} 分")
        return "、".join(parts)


def with_row_points(cells: Sequence[Cell], points: dict[str, float]) -> list[Cell]:
    """The blueprint as an exam keeps it: a row whose type is open (不限) gives
    every question it draws the same points, its own or, left blank, the
    exam's single-choice points, so that every trainee's paper has the same
    full mark whatever types the draw brings. A row of one type keeps its
    type's points unless it names its own."""
    return [c if c.type or c.points is not None else replace(c, points=points_for("single", points))
            for c in cells]


def points_for(qtype: str, points: dict[str, float]) -> float:
    """The points a question of ``qtype`` is worth in an exam with these points per type."""
    return float(points.get(qtype, DEFAULT_POINTS[qtype]))


def row_points(cells: Sequence[Cell], ids: Sequence[str]) -> dict[str, float]:
    """The points that the rows of a blueprint set for the questions assemble
    drew (``ids``, in the rows' order): those of rows with points of their own."""
    out: dict[str, float] = {}
    start = 0
    for cell in cells:
        if cell.points is not None:
            out.update((qid, float(cell.points)) for qid in ids[start:start + cell.count])
        start += cell.count
    return out


def check_row_points(cells: Sequence[Cell]) -> None:
    for n, cell in enumerate(cells, 1):
        if cell.points is not None and not _within(cell.points, POINTS_RANGE):
            raise DomainError(f"组卷规则第 {n} 行的每题分值应在 {POINTS_RANGE[0]:g} 至 {POINTS_RANGE[1]:g} 分之间")


@dataclass(frozen=True)
class Candidate:
    id: str
    volume: str
    step: str
    difficulty: int
    type: str
    pool: str = "practice"
    items: tuple[str, ...] = ()       # the 赋权事项 it teaches


def usable_by(pool: Sequence[Candidate], *, certifying: bool) -> list[Candidate]:
    """What an exam may draw: exam-only questions are kept for certifying
    exams, so that quizzes with an immediate review never show their keys."""
    return [q for q in pool if certifying or q.pool != "exam"]


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def check_settings(*, points: dict[str, float], pass_percent: float, time_limit_minutes: int,
                   attempts_allowed: int, focus_loss_limit: int, focus_grace_seconds: int) -> None:
    """Refuse settings outside their bounds, naming the field and the range."""
    for qtype, value in points.items():
        if qtype not in TYPE_NAMES:
            raise DomainError(f"未知题型 {qtype}")
        if not (isinstance(value, (int, float)) and _within(value, POINTS_RANGE)):
            raise DomainError(f"{TYPE_NAMES[qtype]}每题分值应在 {POINTS_RANGE[0]:g} 至 {POINTS_RANGE[1]:g} 分之间")
    if not _within(pass_percent, PASS_RANGE):
        raise DomainError(f"及格线应在 {PASS_RANGE[0]:g}% 至 {PASS_RANGE[1]:g}% 之间")
    if not _within(time_limit_minutes, TIME_LIMIT_RANGE):
        raise DomainError(f"考试时长应在 {TIME_LIMIT_RANGE[0]} 至 {TIME_LIMIT_RANGE[1]} 分钟之间")
    if not _within(attempts_allowed, ATTEMPTS_RANGE):
        raise DomainError(f"允许作答次数应在 {ATTEMPTS_RANGE[0]} 至 {ATTEMPTS_RANGE[1]} 次之间")
    if not _within(focus_loss_limit, FOCUS_LIMIT_RANGE):
        raise DomainError(f"离开页面次数上限应在 {FOCUS_LIMIT_RANGE[0]} 至 {FOCUS_LIMIT_RANGE[1]} 次之间（0 为不限）")
    if not _within(focus_grace_seconds, GRACE_RANGE):
        raise DomainError(f"离开页面的宽限时间应在 {GRACE_RANGE[0]} 至 {GRACE_RANGE[1]} 秒之间")


# 修改考试: what an exam's page may change. Before anyone has started, every
# field of the form; once an attempt has started (papers drawn, clocks running)
# only the end of the window and the description, so that no trainee's paper,
# time or number of attempts differs from another's.
EDITABLE = {"title": "考试名称", "description": "说明", "opens_at": "开放时间", "closes_at": "结束时间",
            "time_limit_minutes": "考试时长", "attempts_allowed": "允许作答次数", "waiting_minutes": "候考时间",
            "deadline_mode": "截止方式"}
EDITABLE_ONCE_STARTED = ("description", "closes_at")


def refused_changes(changed: Iterable[str], *, started: bool) -> list[str]:
    """The names (Chinese) of ``changed`` fields that may not change now."""
    return [EDITABLE.get(name, name) for name in changed
            if name not in EDITABLE or (started and name not in EDITABLE_ONCE_STARTED)]


def check_window(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise DomainError("结束时间应晚于开始时间")


def close_refusal(now: datetime, opens_at: datetime | None, closes_at: datetime | None) -> str:
    """Why an exam's window cannot be ended now ('' when it can): it has ended, or not yet begun."""
    if closes_at is not None and closes_at <= now:
        return "考试已经结束"
    if opens_at is not None and now < opens_at:
        return "考试尚未开放，无需关闭；不再举行的，请撤回，或修改开放和结束时间"
    return ""


def assemble(blueprint: Sequence[Cell], pool: Sequence[Candidate], rng: random.Random) -> list[str]:
    """Question ids meeting every cell's count exactly, none twice. Cells are
    filled in order; a cell the bank cannot fill raises BlueprintUnfillable
    naming the row, what it needs and what is left."""
    used: set[str] = set()
    paper: list[str] = []
    for n, cell in enumerate(blueprint, 1):
        if cell.count <= 0:
            raise BlueprintUnfillable(f"组卷规则第 {n} 行（{cell.describe()}）的题量应为正整数")
        available = [q.id for q in pool if q.id not in used and cell.matches(q)]
        if len(available) < cell.count:
            raise BlueprintUnfillable(
                f"组卷规则第 {n} 行（{cell.describe()}）需要 {cell.count} 题，"
                f"题库中符合条件且未被前面各行选用的只有 {len(available)} 题")
        chosen = rng.sample(available, cell.count)
        used.update(chosen)
        paper.extend(chosen)
    return paper


def diagnostic_blueprint(pool: Sequence[Candidate], steps: Sequence[str], per_step: int = 2) -> list[Cell]:
    """A short pre-test: per_step questions of each procedure step the bank
    holds questions for (fewer where it holds fewer), in the order of steps,
    so that every step gets an accuracy beside the needs survey's figure."""
    if per_step <= 0:
        raise DomainError("每个环节的题量应为正整数")
    available: dict[str, int] = {}
    for q in pool:
        available[q.step] = available.get(q.step, 0) + 1
    cells = [Cell(count=min(per_step, available[s]), step=s) for s in steps if available.get(s)]
    if not cells:
        raise BlueprintUnfillable("题库中没有可用于训前诊断的题目")
    return cells


@dataclass
class PaperItem:
    """One question as it stands in one attempt's paper (server side only)."""
    question_id: str
    type: str
    points: float
    key: list[str] | dict[str, list[str]]          # list; or part id -> list for a case question
    option_order: list[str] = field(default_factory=list)
    part_option_orders: dict[str, list[str]] = field(default_factory=dict)
    part_types: dict[str, str] = field(default_factory=dict)


def check_paper_response(item: PaperItem, response) -> list[str] | dict[str, list[str]]:
    """A response to a question of this paper, normalised (sorted distinct
    option keys; per part for a case question; empty allowed: an exam answer
    may be cleared), or InvalidAnswer. Checked against the paper itself,
    which holds each question's option keys and types as drawn."""
    if item.type == "case":
        parts = [{"id": pid, "type": item.part_types[pid], "options": dict.fromkeys(order)}
                 for pid, order in item.part_option_orders.items()]
        return normalise_case_response(parts, response if isinstance(response, dict) else {}, allow_empty=True)
    return normalise_response(item.type, item.option_order, response if isinstance(response, list) else [],
                              allow_empty=True)


def shuffled_order(keys: Sequence[str], rng: random.Random, shuffle: bool) -> list[str]:
    order = list(keys)
    if shuffle:
        rng.shuffle(order)
    return order


def paper_for_attempt(question_ids: Sequence[str], questions: dict[str, dict], points: dict[str, float],
                      rng: random.Random, *, shuffle_questions: bool, shuffle_options: bool,
                      fixed_points: dict[str, float] | None = None) -> list[PaperItem]:
    """The paper of one attempt: question order and each question's option
    order are drawn once here and stored with the attempt, so they survive
    reloads, reconnects and a change of device. True/false options are never
    shuffled (正确 stays before 错误). ``questions`` maps id -> {type, options,
    answer, parts}; ``fixed_points``: the points a blueprint's rows set for
    some questions (row_points), else each is worth its type's points."""
    fixed_points = fixed_points or {}
    ids = list(question_ids)
    if shuffle_questions:
        rng.shuffle(ids)
    items = []
    for qid in ids:
        q = questions[qid]
        shuffle = shuffle_options and q["type"] != "judge"
        item = PaperItem(qid, q["type"], fixed_points.get(qid, points_for(q["type"], points)),
                         key=q["answer"] if q["type"] != "case" else {p["id"]: p["answer"] for p in q["parts"]})
        if q["type"] == "case":
            item.part_option_orders = {p["id"]: shuffled_order(p["options"], rng, shuffle_options and p["type"] != "judge")
                                       for p in q["parts"]}
            item.part_types = {p["id"]: p["type"] for p in q["parts"]}
        else:
            item.option_order = shuffled_order(q["options"], rng, shuffle)
        items.append(item)
    return items


# --- the clock ----------------------------------------------------------------

def window_open(now: datetime, opens_at: datetime | None, closes_at: datetime | None) -> bool:
    return (opens_at is None or now >= opens_at) and (closes_at is None or now < closes_at)


def window_state(now: datetime, opens_at: datetime | None, closes_at: datetime | None) -> str:
    """未开始, 开放中 or 已结束."""
    if opens_at is not None and now < opens_at:
        return "未开始"
    return "开放中" if closes_at is None or now < closes_at else "已结束"


def absent_label(now: datetime, closes_at: datetime | None, *, grading: bool = False) -> str:
    """How the results name an expected trainee without a graded attempt:
    评分中 when one is handed in and still being scored (the grader's backlog
    at a common deadline), else 未参加 while the exam may still be taken and
    缺考 once it has closed."""
    if grading:
        return "评分中"
    return "缺考" if closes_at is not None and now >= closes_at else "未参加"


def check_can_start(now: datetime, *, opens_at: datetime | None, closes_at: datetime | None,
                    attempts_allowed: int, attempts_used: int, waiting_minutes: int = 0) -> None:
    """May the trainee begin an attempt now: at or after the start, or in the
    waiting room before it (domain/waiting.py)."""
    state = waiting.room_state(now, opens_at, waiting_minutes)
    if state == waiting.EARLY:
        raise ExamClosed(f"考试尚未开始：候考室将于开考前 {waiting_minutes} 分钟开放，请届时进入")
    if opens_at is not None and now < opens_at and state != waiting.WAITING:
        raise ExamClosed("考试尚未开始，请在开考时间后进入")
    if closes_at is not None and now >= closes_at:
        raise ExamClosed("考试已结束，不能再开始作答")
    if attempts_used >= attempts_allowed:
        raise AttemptsUsedUp(f"本考试允许作答 {attempts_allowed} 次，您已用完")


def remaining_seconds(deadline: datetime, now: datetime) -> int:
    return max(0, int((deadline - now).total_seconds()))


def check_can_save(now: datetime, deadline: datetime, started_at: datetime | None = None) -> None:
    if started_at is not None and now < started_at:
        raise waiting.NotStarted("考试尚未开始，开考后才能作答")
    if now > deadline + SAVE_GRACE:
        raise DeadlinePassed("考试时间已到，本题答案未能保存；已保存的答案将用于评分")


# --- scoring ------------------------------------------------------------------

def score_choice(qtype: str, key: Sequence[str], response: Sequence[str] | None, points: float, rule: str) -> float:
    """Single and true/false: all or nothing. Multiple: all or nothing, or
    under the partial rule any wrong option scores 0 and a right but
    incomplete answer scores in proportion to the right options chosen."""
    chosen = set(response or ())
    right = set(key)
    if not chosen:
        return 0.0
    if chosen == right:
        return points
    if qtype == "multiple" and rule == PARTIAL and chosen < right:
        return round(points * len(chosen) / len(right), 2)
    return 0.0


def score_item(item: PaperItem, response, rule: str) -> float:
    """One paper item; a case question's points are shared equally by its parts."""
    if item.type != "case":
        return score_choice(item.type, item.key, response if isinstance(response, list) else None,
                            item.points, rule)
    parts = item.key
    share = item.points / len(parts)
    given = response if isinstance(response, dict) else {}
    return round(sum(score_choice(item.part_types.get(pid, "single"), k, given.get(pid), share, rule)
                     for pid, k in parts.items()), 2)


@dataclass
class Grade:
    score: float
    max_score: float
    passed: bool
    item_scores: dict[str, float]

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0


def grade(paper: Sequence[PaperItem], responses: dict[str, object], *, rule: str, pass_percent: float) -> Grade:
    scores = {item.question_id: score_item(item, responses.get(item.question_id), rule) for item in paper}
    total = round(sum(scores.values()), 2)
    maximum = round(sum(item.points for item in paper), 2)
    return Grade(total, maximum, maximum > 0 and total * 100 >= pass_percent * maximum - 1e-9, scores)


def review_visible(mode: str, now: datetime, closes_at: datetime | None) -> bool:
    if mode == REVIEW_IMMEDIATE:
        return True
    if mode == REVIEW_AFTER_CLOSE:
        return closes_at is None or now >= closes_at
    return False


OUTCOMES = {"right": "答对", "partial": "部分得分", "wrong": "答错", "unanswered": "未作答"}


def answered(response: object) -> bool:
    """Whether a saved response holds any answer: a choice, a judgement, or
    any part of a case-analysis question answered."""
    if isinstance(response, dict):
        return any(answered(v) for v in response.values())
    if isinstance(response, (list, tuple, str)):
        return len(response) > 0
    return response is not None


def outcome(score: float, points: float, response: object = True) -> str:
    """How one graded question went, as the result page colours it: full marks
    are right, some marks partial, none wrong, nothing chosen unanswered (OUTCOMES)."""
    if points > 0 and score >= points - 1e-9:
        return "right"
    if score > 1e-9:
        return "partial"
    return "wrong" if answered(response) else "unanswered"


ENDED_BY = {"trainee": "本人交卷", "deadline": "时间到自动交卷", "focus_limit": "离开页面超过上限自动交卷"}


def ended_by(*, auto: bool, now: datetime, deadline: datetime) -> str:
    """How a hand-in is labelled: the page's clock running out, or any hand-in
    at or after the deadline, is the deadline's."""
    return "deadline" if auto or now >= deadline else "trainee"


@dataclass(frozen=True)
class GradedAttempt:
    passed: bool
    pass_percent: float
    items: tuple[tuple[str, float, float], ...]     # (volume, score, points) per question
    certifying: bool = True


def certified_volumes(attempts: Sequence[GradedAttempt]) -> set[str]:
    """Volumes a trainee has passed (分卷合格): in some passed attempt of a
    certifying exam, the paper held at least MIN_CERTIFYING_ITEMS questions of
    that volume and they scored at least the exam's pass mark. A quiz or a
    pre-test never certifies."""
    out: set[str] = set()
    for a in attempts:
        if not (a.passed and a.certifying):
            continue
        per_volume: dict[str, list[float]] = {}
        for volume, score, points in a.items:
            acc = per_volume.setdefault(volume, [0.0, 0.0, 0])
            acc[0] += score
            acc[1] += points
            acc[2] += 1
        out |= {v for v, (score, points, n) in per_volume.items()
                if n >= MIN_CERTIFYING_ITEMS and points and score * 100 >= a.pass_percent * points - 1e-9}
    return out
