"""The audit log: who did what to whom (overrides, imports, suspensions)."""
from __future__ import annotations

from sqlmodel import Session

from .models import AuditEvent, User


def record(db: Session, actor: User | None, action: str, target: str, **detail) -> None:
    """Add an entry; the caller commits it together with the change it records."""
    db.add(AuditEvent(actor_id=actor.id if actor else None, action=action, target=target, detail=detail))
