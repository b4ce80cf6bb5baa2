"""The audit log: who did what to whom (overrides, imports, suspensions)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from .models import AuditEvent, User


def record(db: Session, actor: User | int | None, action: str, target: str, **detail) -> None:
    """Add an entry; the caller commits it together with the change it records."""
    actor_id = actor.id if isinstance(actor, User) else actor
    db.add(AuditEvent(actor_id=actor_id, action=action, target=target, detail=detail))


ACTIONS = {"cohort.create": "新建培训班", "cohort.enrol": "添加学员", "cohort.enrol_existing": "按登录名加入已有账号",
           "cohort.enrol_approve": "批准加入培训班", "cohort.enrol_refuse": "拒绝加入培训班", "roster.import": "导入名单",
           "survey.create": "发出需求调查", "exam.create": "新建考试", "exam.edit": "修改考试", "exam.close": "关闭考试", "exam.withdraw": "撤回考试",
           "roster.passwords_download": "下载初始密码表", "exam.extend_time": "延长考试时间", "exam.grant_attempt": "增加作答机会",
           "account.reset_password": "重置密码", "account.lift_throttle": "解除登录限制", "account.disable": "停用账号", "account.enable": "启用账号",
           "question.suspend": "暂停使用题目", "question.restore": "恢复使用题目",
           "account.end_sessions": "结束登录会话", "account.set_unit": "填写学员单位",
           "unit.create": "新增单位", "unit.edit": "修改单位", "unit.delete": "删除单位",
           "officer.add": "名册添加人员", "officer.edit": "名册修改人员", "officer.remove": "名册移除人员",
           "officer.import": "导入人员名册",
           "county_list.correct": "更正赋权事项清单的对应", "county_list.confirm": "确认赋权事项清单"}


def recent(db: Session, limit: int = 200) -> list[tuple[AuditEvent, User | None]]:
    """The newest entries first, with who made them."""
    return entries(db, limit=limit)


SYSTEM = "system"                # the actor filter's value for entries made by no one (the command line)
EXPORT_LIMIT = 10_000            # entries in one export at most


def entries(db: Session, *, actor: str = "", action: str = "", start: datetime | None = None,
            end: datetime | None = None, limit: int = 200) -> list[tuple[AuditEvent, User | None]]:
    """The newest entries first, with who made them, filtered: ``actor`` a user id (or SYSTEM), ``action``
    one of ACTIONS, made at or after ``start`` and before ``end`` (aware datetimes); at most ``limit``."""
    query = select(AuditEvent)
    if actor == SYSTEM:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif actor.isdigit():
        query = query.where(AuditEvent.actor_id == int(actor))
    if action:
        query = query.where(AuditEvent.action == action)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    rows = db.exec(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
    users = {u.id: u for u in db.exec(select(User).where(User.id.in_({e.actor_id for e in rows if e.actor_id})))}
    return [(e, users.get(e.actor_id)) for e in rows]


def actors(db: Session) -> list[User]:
    """Everyone who has an entry in the log, by name (the actor filter's choices)."""
    ids = select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct()
    return list(db.exec(select(User).where(User.id.in_(ids)).order_by(User.display_name, User.username)))
