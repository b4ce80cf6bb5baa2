"""Test data builders: users and logged-in clients."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from quizapp import accounts
from quizapp.models import Role, User

PASSWORD = "correct-horse-1"


def user(db: Session, username: str = "zhangsan", role: Role = Role.trainee, **kw) -> User:
    return accounts.create_user(db, username=username, password=kw.pop("password", PASSWORD),
                                display_name=kw.pop("display_name", "张三"), role=role, **kw)


def login(client: TestClient, username: str = "zhangsan", password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "next": "/practice/"})
