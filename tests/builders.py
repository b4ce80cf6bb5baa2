"""Test data builders: users and logged-in clients."""
from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from quizapp import accounts  # noqa: F401  (used by tests through builders)
from quizapp.models import Role, User  # noqa: F401  (Role is used by tests through builders)

PASSWORD = "correct-horse-1"


def user(db: Session, username: str = "zhangsan", role: Role = Role.trainee, **kw) -> User:
    return accounts.create_user(db, username=username, password=kw.pop("password", PASSWORD),
                                display_name=kw.pop("display_name", "张三"), role=role, **kw)


def login(client: TestClient, username: str = "zhangsan", password: str = PASSWORD):
    """Open the login page and post its form (with the form's CSRF token), as a browser does."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', form).group(1)
    return client.post("/login", data={"username": username, "password": password, "next": "/practice/",
                                       "csrf_token": token})


def exam(db: Session, **kw):
    """An exam over the real bank; by default 5 questions of volume 1, 30 minutes."""
    from quizapp import exams
    kw.setdefault("title", "第一卷结业考试")
    kw.setdefault("time_limit_minutes", 30)
    if "question_ids" not in kw:
        kw.setdefault("blueprint", [{"count": 5, "volume": "v1-common"}])
    kw.setdefault("created_by", None)
    return exams.create_exam(db, **kw)


def response(q, right: bool = True):
    """A right or wrong response to a question: a list of option keys, or part -> keys for a case question."""
    def pick(options, key):
        return key if right else [k for k in options if k not in key][:1]
    if q.type == "case":
        return {p["id"]: pick(p["options"], p["answer"]) for p in q.parts}
    return pick(q.options, q.answer)


def form_response(q, right: bool = True) -> dict:
    """The same response as the practice form posts it."""
    r = response(q, right)
    return {f"part-{pid}": keys for pid, keys in r.items()} if isinstance(r, dict) else {"choice": r}


def select_user(username: str):
    from sqlmodel import select
    return select(User).where(User.username == username)


def confirm_import(client: TestClient, upload_url: str, **data):
    """Confirm a roster upload as the instructor's browser does: the confirmation
    redirects to the page of what was imported (POST-redirect-GET), whose form
    downloads the initial-password workbook once. Returns (that page, the
    workbook's response, or None when the import made no account)."""
    done = client.post(upload_url + "/confirm", data=data)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    token = re.search(r'name="handover" value="([^"]*)"', page.text)
    if token is None:
        return page, None
    return page, client.post(upload_url + "/initial-passwords", data={"handover": token.group(1)})


def handed_over_password(html: str) -> str:
    """The initial password the cohort page shows after a reset or an addition."""
    return re.search(r'<strong class="secret">([^<]+)</strong>', html).group(1)


ROSTER_HEADER = ("姓名", "单位/镇街", "手机号", "工号", "执法证号")


def roster_xlsx(rows, header=ROSTER_HEADER) -> bytes:
    """A roster workbook (the cohort's and the units' officer roster share the format); every text
    cell is stored as text (openpyxl would make '=…' a formula)."""
    import io

    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
