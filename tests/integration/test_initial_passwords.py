"""Initial passwords (issue 17, finding 7; OWASP ASVS 5.0 6.4.1).

- Until an initial password is changed, every page but 修改密码 and 退出 leads
  to the password form, and every JSON API answers 403 in Chinese: an exam
  cannot be started or answered with the initial password, not even on the
  exam page's lean paths.
- An initial password expires 14 days after it was set while still unchanged.
- No password is stored in plain text: the initial-password workbook is the
  answer to the import itself, and only the hashes remain.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import inspect, text
from sqlmodel import select

from quizapp import accounts, cohorts
from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.exports import XLSX
from quizapp.models import Attempt, Question, Role, User, utcnow
from quizapp.web.app import create_app
from quizapp.web.deps import COOKIE
from tests import builders
from tests.conftest import BrowserLikeClient

roster = builders.roster_xlsx


CHANGE_FIRST = "请先修改初始密码"


@pytest.fixture
def app(sqlite_url, engine):
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0))
    yield app
    app.state.engine.dispose()


def client_for(app) -> BrowserLikeClient:
    return BrowserLikeClient(app, follow_redirects=False)


def newcomer(db, username: str = "13800000001") -> User:
    return accounts.create_user(db, username=username, password="initial-pw-7k", display_name="新学员",
                                role=Role.trainee, must_change_password=True)


def test_until_the_initial_password_is_changed_every_page_leads_to_the_password_form(app, db):
    trainee = newcomer(db)
    exam = builders.exam(db, title="第一卷测验")
    c = client_for(app)
    r = builders.login(c, trainee.username, "initial-pw-7k")
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password?next=")
    for path in ("/exams/", "/practice/", "/me", "/mistakes/", "/surveys/", "/reports/new", "/practice/next"):
        r = c.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/account/password?next="), (path, r.headers["location"])
    # an exam cannot be started with the initial password
    r = c.post(f"/exams/{exam.id}/start")
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    assert db.exec(select(Attempt)).all() == []
    # the JSON APIs say so in Chinese
    for method, path, kw in (("get", "/api/attempts/1/state", {}), ("post", "/api/attempts/1/events",
                                                                   {"json": {"kind": "focus"}})):
        r = getattr(c, method)(path, **kw)
        assert r.status_code == 403 and r.json() == {"detail": CHANGE_FIRST}, path
    # the password form and logging out are open
    page = c.get("/account/password?next=/exams/")
    assert page.status_code == 200 and "这是您首次登录" in page.text
    assert "经手的人可能知道" in page.text and "只有您自己知道的密码" in page.text      # it says why
    r = c.post("/account/password", data={"old": "initial-pw-7k", "new": "my-own-pass-9", "again": "my-own-pass-9",
                                          "next": "/exams/"})
    assert r.status_code == 200 and "密码已修改" in r.text and 'href="/exams/"' in r.text
    assert c.get("/exams/").status_code == 200
    assert c.post(f"/exams/{exam.id}/start").status_code == 303
    assert len(db.exec(select(Attempt)).all()) == 1


def test_logging_out_needs_no_password_change(app, db):
    newcomer(db)
    c = client_for(app)
    builders.login(c, "13800000001", "initial-pw-7k")
    r = c.post("/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = c.get("/account/password")                                          # logged out: to /login
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_an_attempt_open_at_a_reset_goes_on_only_after_the_new_password_is_changed(app, db):
    trainee = builders.user(db, "13800000001")
    singles = db.exec(select(Question.id).where(Question.type == "single", Question.pool == "practice")
                      .order_by(Question.id).limit(5)).all()
    exam = builders.exam(db, title="第一卷测验", question_ids=list(singles))      # answers A and B exist on every one
    c = client_for(app)
    builders.login(c, trainee.username)
    attempt_id = int(c.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    q = db.get(Attempt, attempt_id).paper[0]["question_id"]
    assert c.post(f"/api/attempts/{attempt_id}/answers", json={"question_id": q, "response": ["A"]}).status_code == 200
    password = accounts.reset_password(db, db.get(User, trainee.id))         # as the instructor's reset does
    db.commit()
    c = client_for(app)
    assert builders.login(c, trainee.username, password).headers["location"].startswith("/account/password")
    # the exam page's lean paths (page, autosave, clock) refuse too
    r = c.get(f"/attempts/{attempt_id}")
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    r = c.post(f"/api/attempts/{attempt_id}/answers", json={"question_id": q, "response": ["B"]})
    assert r.status_code == 403 and r.json() == {"detail": CHANGE_FIRST}
    r = c.get(f"/api/attempts/{attempt_id}/state")
    assert r.status_code == 403 and r.json() == {"detail": CHANGE_FIRST}
    r = c.post(f"/api/attempts/{attempt_id}/submit", json={})
    assert r.status_code == 403 and db.get(Attempt, attempt_id, populate_existing=True).status == "open"
    c.post("/account/password", data={"old": password, "new": "my-own-pass-9", "again": "my-own-pass-9"})
    assert c.get(f"/api/attempts/{attempt_id}/state").json()["saved"] == [q]
    assert c.post(f"/api/attempts/{attempt_id}/answers", json={"question_id": q, "response": ["B"]}).status_code == 200


def test_an_initial_password_unused_for_14_days_is_refused_and_a_reset_gives_a_new_one(app, db):
    trainee = newcomer(db)
    trainee.password_changed_at = utcnow() - timedelta(days=14, minutes=1)
    db.add(trainee)
    db.commit()
    c = client_for(app)
    r = builders.login(c, trainee.username, "initial-pw-7k")
    assert r.status_code == 401 and COOKIE not in r.headers.get("set-cookie", "")
    assert "初始密码已超过 14 天未使用，已经失效，请联系培训教员重置密码" in r.text
    # a wrong password says only what it always says
    r = builders.login(client_for(app), trainee.username, "not-the-password")
    assert r.status_code == 401 and "用户名或密码不正确" in r.text and "失效" not in r.text
    password = accounts.reset_password(db, db.get(User, trainee.id))
    db.commit()
    r = builders.login(c, trainee.username, password)
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")


def test_a_password_of_ones_own_never_expires(app, db):
    trainee = builders.user(db, "13800000001")
    trainee.password_changed_at = utcnow() - timedelta(days=400)
    db.add(trainee)
    db.commit()
    assert builders.login(client_for(app), trainee.username).status_code == 303




def every_stored_text(engine) -> str:
    """Every value of every row of every table, as text."""
    out = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            out += [repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(out)


def test_the_initial_password_workbook_is_the_answer_to_the_import_and_only_hashes_are_stored(app, db, engine):
    teacher = builders.user(db, "teacher", Role.instructor)
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班", unit="某镇")
    c = client_for(app)
    c.cookies.set(COOKIE, accounts.start_session(db, teacher, days=1), domain="testserver.local")
    r = c.post(f"/instructor/cohorts/{cohort.id}/roster", files={"file": (
        "名单.xlsx", roster([("张某", "某镇", "13800000001"), ("李某", "某镇", "13800000002")]), XLSX)})
    upload_url = r.headers["location"]
    assert "导入后的页面提供初始密码表（Excel）下载，只能下载一次" in c.get(upload_url).text
    page, r = builders.confirm_import(c, upload_url)
    assert "新建账号 2 个" in page.text and "只能下载一次" in page.text
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert "attachment" in r.headers["content-disposition"] and r.headers["cache-control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "单位/镇街", "登录名", "初始密码", "说明")
    passwords = {row[2]: row[3] for row in rows[1:]}
    assert set(passwords) == {"13800000001", "13800000002"}
    # only the hashes are kept: no table holds an initial password, and the workbook cannot be had again
    stored = every_stored_text(engine)
    assert [p for p in passwords.values() if p in stored] == []
    assert "credentials" not in {col["name"] for col in inspect(engine).get_columns("roster_uploads")}
    assert c.get(upload_url + "/credentials.xlsx").status_code == 404
    again = c.post(upload_url + "/initial-passwords",
                   data={"handover": re.search(r'name="handover" value="([^"]*)"', page.text).group(1)})
    assert again.status_code == 410 and "已经下载过" in again.text                   # once
    page = c.get(upload_url).text
    assert "新建账号 2 个" in page and "初始密码表已于" in page and "不能再次下载" in page
    assert c.post(upload_url + "/confirm").status_code == 422                     # not twice
    # the workbook's password logs in (and must be changed)
    r = builders.login(client_for(app), "13800000002", passwords["13800000002"])
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")


def test_an_import_of_existing_accounts_only_has_no_workbook(app, db):
    teacher = builders.user(db, "teacher", Role.instructor, unit="某镇")
    builders.user(db, "13800000001", unit="某镇")
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班", unit="某镇")
    c = client_for(app)
    c.cookies.set(COOKIE, accounts.start_session(db, teacher, days=1), domain="testserver.local")
    r = c.post(f"/instructor/cohorts/{cohort.id}/roster", files={"file": (
        "名单.xlsx", roster([("张某", "某镇", "13800000001")]), XLSX)})
    page, workbook = builders.confirm_import(c, r.headers["location"])
    assert workbook is None and "新建账号 0 个，已有账号 1 个" in page.text and "下载初始密码表" not in page.text



def test_the_first_instructor_whose_initial_password_expired_gets_a_new_one_from_the_command_line(db, sqlite_url):
    """Nobody on the platform can reset the first instructor: the server's command line can (audited)."""
    import os
    import subprocess
    import sys

    from quizapp.models import AuditEvent
    admin = accounts.create_user(db, username="instructor", password="first-admin-pw-3", display_name="培训教员",
                                 role=Role.instructor, must_change_password=True)
    admin.password_changed_at = utcnow() - timedelta(days=30)
    db.add(admin)
    db.commit()
    r = subprocess.run([sys.executable, "-m", "quizapp", "reset-password", "instructor"], cwd=ROOT, text=True,
                       capture_output=True, env={**os.environ, "DATABASE_URL": sqlite_url}, timeout=120)
    assert r.returncode == 0, r.stderr
    password = r.stdout.strip().rsplit("：", 1)[1]
    db.expire_all()
    assert accounts.log_in(db.get_bind(), username="instructor", password=password)[0] == admin.id
    (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "account.reset_password")).all()
    assert event.actor_id is None and event.detail["via"] == "command line"
    r = subprocess.run([sys.executable, "-m", "quizapp", "reset-password", "nobody"], cwd=ROOT, text=True,
                       capture_output=True, env={**os.environ, "DATABASE_URL": sqlite_url}, timeout=120)
    assert r.returncode == 1 and "用户 nobody 不存在" in r.stderr
