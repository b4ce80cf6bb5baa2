"""Database tables. Changing one means adding an Alembic migration
(quizapp/migrations/versions/)."""
from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Role(str, Enum):
    trainee = "trainee"
    instructor = "instructor"
    editor = "editor"
    supervisor = "supervisor"


ROLE_NAMES = {Role.trainee: "学员", Role.instructor: "教员", Role.editor: "编辑", Role.supervisor: "执法监督"}


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=64)
    unit: str = Field(default="", max_length=128)           # 单位/镇街
    role: str = Field(default=Role.trainee.value, max_length=16)
    password_hash: str = Field(max_length=256)
    must_change_password: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A server-side login session; the cookie carries a random token whose
    SHA-256 is the key here."""
    __tablename__ = "login_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Question(SQLModel, table=True):
    """A question of the bank, mirrored from question_bank/*.yaml by `setup`.
    Questions removed from the bank are kept (answers refer to them) but
    marked inactive."""
    __tablename__ = "questions"
    id: str = Field(primary_key=True, max_length=64)
    type: str = Field(max_length=16)
    difficulty: int
    volume: str = Field(max_length=32, index=True)
    step: str = Field(max_length=16, index=True)
    stem: str
    options: dict = Field(sa_column=Column(JSON, nullable=False))
    answer: list = Field(sa_column=Column(JSON, nullable=False))
    explanation: str
    anchor: str = Field(max_length=512)
    basis: list = Field(sa_column=Column(JSON, nullable=False))
    source: str = Field(max_length=256)           # file:line in the repository
    content_hash: str = Field(max_length=16)
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


class PracticeAnswer(SQLModel, table=True):
    __tablename__ = "practice_answers"
    __table_args__ = (Index("ix_practice_user_question", "user_id", "question_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    question_id: str = Field(foreign_key="questions.id")
    response: list = Field(sa_column=Column(JSON, nullable=False))
    correct: bool
    answered_at: datetime = Field(default_factory=utcnow)
