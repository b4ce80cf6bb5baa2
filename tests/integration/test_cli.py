"""`python -m quizapp setup`: idempotent, refuses bad input with one line."""
import os
import subprocess
import sys

from sqlmodel import Session, func, select

from quizapp.content import ROOT
from quizapp.db import make_engine
from quizapp.models import Question, User


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "quizapp", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_setup_twice_keeps_everything_and_prints_the_login_once(sqlite_url, site):
    env = {"DATABASE_URL": sqlite_url, "ADMIN_PASSWORD": ""}
    first = run("setup", env=env)
    assert first.returncode == 0, first.stderr
    assert f"新增 {len(site.questions)}" in first.stdout and "用户名：instructor" in first.stdout
    second = run("setup", env=env)
    assert second.returncode == 0, second.stderr
    assert "新增 0" in second.stdout and "用户名" not in second.stdout
    engine = make_engine(sqlite_url)
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Question)).one() == len(site.questions)
        assert db.exec(select(func.count()).select_from(User)).one() == 1
    engine.dispose()


def test_a_bad_database_url_is_one_line_naming_the_variable():
    r = run("setup", env={"DATABASE_URL": "mysql://nobody@nowhere/db"})
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and "Traceback" not in r.stderr


def test_an_unreachable_database_is_one_line_too():
    r = run("setup", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "DATABASE_URL" in r.stderr


def test_a_malformed_question_file_stops_setup_and_touches_nothing(sqlite_url, site, tmp_path):
    env = {"DATABASE_URL": sqlite_url}
    assert run("setup", env=env).returncode == 0
    bank = tmp_path / "bank"
    bank.mkdir()
    source = (ROOT / "question_bank" / "v1-common" / "general-procedure.yaml").read_text(encoding="utf-8")
    broken = source.replace("type: single", "type: essay", 1)
    (bank / "broken.yaml").write_text(broken, encoding="utf-8")
    r = run("setup", env={**env, "QUESTION_BANK": str(bank)})
    assert r.returncode == 1
    line = broken.splitlines().index(next(s for s in broken.splitlines() if "type: essay" in s)) + 1
    assert f"broken.yaml:{line}: type:" in r.stderr and "数据库未作任何改动" in r.stderr
    engine = make_engine(sqlite_url)
    with Session(engine) as db:
        rows = db.exec(select(Question)).all()
        assert len(rows) == len(site.questions) and all(q.active for q in rows)
    engine.dispose()


def test_end_sessions_logs_one_user_or_everyone_out_and_is_audited(sqlite_url, site):
    from quizapp import accounts
    from quizapp.models import AuditEvent, LoginSession, Role

    env = {"DATABASE_URL": sqlite_url, "ADMIN_PASSWORD": "Kq7#vLm2pX9w"}
    assert run("setup", env=env).returncode == 0
    engine = make_engine(sqlite_url)
    with Session(engine) as db:
        users = [accounts.create_user(db, username=name, password="Kq7#vLm2pX9w", display_name=name,
                                      role=Role.trainee) for name in ("zhangsan", "lisi")]
        for user in users + users:
            accounts.start_session(db, user, days=1)
        db.commit()

    def sessions_of(name):
        with Session(engine) as db:
            return db.exec(select(func.count()).select_from(LoginSession).join(User)
                           .where(User.username == name)).one()

    r = run("end-sessions", "zhangsan", env=env)
    assert r.returncode == 0, r.stderr
    assert "2 个登录会话" in r.stdout
    assert sessions_of("zhangsan") == 0 and sessions_of("lisi") == 2
    assert run("end-sessions", "nobody", env=env).returncode == 1
    assert run("end-sessions", env=env).returncode == 2          # a user or --all, never a guess
    assert run("end-sessions", "--all", env=env).returncode == 0
    assert sessions_of("lisi") == 0
    with Session(engine) as db:
        targets = [e.target for e in db.exec(select(AuditEvent).where(AuditEvent.action == "account.end_sessions"))]
    assert targets[-1] == "all" and targets[0].startswith("user:")
    engine.dispose()
