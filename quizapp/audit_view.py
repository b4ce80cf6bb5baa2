"""The audit log as the supervisor reads it: names and titles, never raw ids.

Data flow: ``audit.record`` stores ``target`` as "kind:id" ("user:12",
"cohort:3", "exam:7", "attempt:40", "question:v1-gp-014", "unit:5", "units" or "all"; a unit's entry keeps the
unit's name in its details, as the unit may be deleted later) and the
details as a JSON dict. :func:`readable` loads, in one query per kind, the
users, cohorts, exams, attempts and questions the given entries name, and
turns each entry into an :class:`AuditLine`: the target as a Chinese phrase
(学员 张三, 培训班「…」, 考试「…」, 题目「题干开头…」) and the details as
「label：value」 pairs; keys without a label (internal ones such as the roster
upload's id) are left out. The audit page (templates/audit.html) shows these.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlmodel import Session, select

from .domain import custody as custody_rules
from .domain.exams import EDITABLE, PURPOSES
from .models import Attempt, AuditEvent, Cohort, Exam, Question, User

STEM_CHARS = 24          # a question is named by the start of its stem
EXAM_FIELDS = {**EDITABLE, "time_limit_minutes": "考试时长（分钟）"}

# detail keys -> their Chinese labels (in this order); unlisted keys are not shown
LABELS = {"username": "登录名", "user_id": "学员", "cohort_id": "培训班", "title": "标题", "name": "名称",
          "purpose": "类型", "minutes": "延长（分钟）", "extra_attempts": "增加次数", "deadline_before": "原截止时间",
          "deadline_after": "新截止时间", "enrolled": "加入人数", "created": "新建账号", "skipped": "跳过行数",
          "status": "状态", "custody": "账号管理", "ended": "结束登录数", "reason": "原因", "via": "方式",
          "officer": "执法人员", "before": "原名称", "unit_was": "原单位（修改前）", "unit_now": "现单位", "moved_from": "原单位", "aliases": "别名", "added": "新增人数",
          "updated": "更新人数",
          # an exam changed after it was saved (exams.edit_exam, close_exam): each field before and after
          **{f"{field}_{when}": f"{'原' if when == 'before' else '新'}{label}"
             for field, label in EXAM_FIELDS.items() for when in ("before", "after")},
          "open_attempts": "正在作答人数", "accounts": "账号数"}
VIA = {"command line": "服务器命令行"}


@dataclass
class AuditLine:
    event: AuditEvent
    actor: User | None
    target: str                      # e.g. 学员 张三（zhangsan）
    details: list[tuple[str, str | datetime]]   # (label, value); a datetime is a UTC time


def _split(target: str) -> tuple[str, str]:
    kind, _, key = target.partition(":")
    return kind, key


def _ints(keys) -> set[int]:
    return {int(k) for k in keys if str(k).isdigit()}


def _person(user: User | None) -> str:
    if user is None:
        return "（已删除的账号）"
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


def _stem(question: Question | None) -> str:
    if question is None:
        return "（已删除的题目）"
    stem = " ".join(question.stem.split())
    return stem if len(stem) <= STEM_CHARS else stem[:STEM_CHARS] + "…"


def readable(db: Session, rows: list[tuple[AuditEvent, User | None]]) -> list[AuditLine]:
    """Each entry with its target and details in words (see the module's note)."""
    by_kind: dict[str, set[str]] = {}
    for e, _ in rows:
        kind, key = _split(e.target)
        by_kind.setdefault(kind, set()).add(key)
    attempts = {a.id: a for a in db.exec(select(Attempt).where(Attempt.id.in_(_ints(by_kind.get("attempt", ())))))}
    user_ids = _ints(by_kind.get("user", ())) | {a.user_id for a in attempts.values()}
    cohort_ids = _ints(by_kind.get("cohort", ()))
    exam_ids = _ints(by_kind.get("exam", ())) | {a.exam_id for a in attempts.values()}
    for e, _ in rows:
        user_ids |= _ints([e.detail.get("user_id", "")])
        cohort_ids |= _ints([e.detail.get("cohort_id", "")])
    users = {u.id: u for u in db.exec(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    cohorts = {c.id: c for c in db.exec(select(Cohort).where(Cohort.id.in_(cohort_ids)))} if cohort_ids else {}
    exams = {x.id: x for x in db.exec(select(Exam).where(Exam.id.in_(exam_ids)))} if exam_ids else {}
    qids = by_kind.get("question", set())
    questions = {q.id: q for q in db.exec(select(Question).where(Question.id.in_(qids)))} if qids else {}

    def cohort_name(cid) -> str:
        c = cohorts.get(int(cid)) if str(cid).isdigit() else None
        return f"「{c.name}」" if c else "（已删除的培训班）"

    def exam_title(xid) -> str:
        x = exams.get(int(xid)) if str(xid).isdigit() else None
        return f"「{x.title}」" if x else "（已删除的考试）"

    def target_of(target: str, event_unit: str = "") -> str:
        kind, key = _split(target)
        if kind == "user":
            return "账号 " + _person(users.get(int(key)) if key.isdigit() else None)
        if kind == "cohort":
            return "培训班" + cohort_name(key)
        if kind == "exam":
            return "考试" + exam_title(key)
        if kind == "attempt":
            a = attempts.get(int(key)) if key.isdigit() else None
            if a is None:
                return "（已删除的答卷）"
            return f"{_person(users.get(a.user_id))} 在考试{exam_title(a.exam_id)}中的答卷"
        if kind == "question":
            return f"题目「{_stem(questions.get(key))}」"
        if kind == "all":
            return "全部账号"
        if kind == "unit":
            return "单位「" + (event_unit or "（已删除的单位）") + "」"
        if kind == "units":
            return "单位人员名册"
        return "—"

    def value_of(key: str, value) -> str | datetime:
        if key == "user_id":
            return _person(users.get(int(value))) if str(value).isdigit() else "—"
        if key == "cohort_id":
            return cohort_name(value) if value is not None else "—"
        if key == "purpose":
            return PURPOSES.get(value, "—")
        if key == "status":
            return custody_rules.STATUS_NAMES.get(value, "—")
        if key == "custody":
            return "由本班教员管理" if value else "仍由原培训班教员管理"
        if key == "via":
            return VIA.get(value, "—")
        if key.startswith("deadline_") or key.endswith(("_at_before", "_at_after")):
            try:
                moment = datetime.fromisoformat(value)      # the page shows it in local time
                return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
            except (TypeError, ValueError):
                return "—"
        return str(value)

    return [AuditLine(e, actor, target_of(e.target, e.detail.get("unit", "")),
                      [(label, value_of(key, e.detail[key])) for key, label in LABELS.items()
                       if key in e.detail and e.detail[key] not in (None, "")])
            for e, actor in rows]
