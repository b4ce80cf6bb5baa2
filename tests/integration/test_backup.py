"""Backup and restore: a backup taken while the service runs, restored into an
emptied database, gives back every attempt and its answers (SQLite online
backup; PostgreSQL pg_dump/pg_restore), through the documented commands."""
import os
import subprocess
import sys

import psycopg
from sqlmodel import Session, select

from quizapp import exams
from quizapp.content import ROOT
from quizapp.models import Attempt, AttemptAnswer, Question
from tests import builders
from tests.conftest import prepared_engine


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quizapp", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url})


def sit_exams(db: Session) -> dict[int, tuple[float, int]]:
    """Three trainees: two submitted, one still answering. attempt id -> (score, answers)."""
    exam = builders.exam(db)
    for n, submit in (("a1", True), ("a2", True), ("a3", False)):
        trainee = builders.user(db, n, display_name=n)
        attempt = exams.start_attempt(db, trainee, exam.id)
        for item in attempt.paper[:3]:
            q = db.get(Question, item["question_id"])
            exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q))
        if submit:
            exams.submit(db, trainee, attempt.id)
    return snapshot(db)


def snapshot(db: Session) -> dict[int, tuple[float | None, str, int]]:
    db.expire_all()
    return {a.id: (a.score, a.status, len(db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == a.id)).all()))
            for a in db.exec(select(Attempt))}


def test_a_sqlite_backup_restores_every_attempt(tmp_path, site):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        before = sit_exams(db)
    assert len(before) == 3
    result = cli(url, "backup", str(tmp_path / "backup.db"))
    assert result.returncode == 0, result.stderr
    with Session(engine) as db:                     # the data is lost after the backup
        for row in db.exec(select(AttemptAnswer)):
            db.delete(row)
        db.commit()
        assert all(n == 0 for _, _, n in snapshot(db).values())
    engine.dispose()
    result = cli(url, "restore", str(tmp_path / "backup.db"))
    assert result.returncode == 0, result.stderr
    with Session(prepared_engine(url, site)) as db:
        assert snapshot(db) == before


def test_restoring_a_missing_or_damaged_file_says_so_and_changes_nothing(tmp_path, site):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        before = sit_exams(db)
    result = cli(url, "restore", str(tmp_path / "nope.db"))
    assert result.returncode == 1 and "备份文件不存在" in result.stderr
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    result = cli(url, "restore", str(tmp_path / "junk.db"))
    assert result.returncode == 1 and "备份文件已损坏" in result.stderr and "Traceback" not in result.stderr
    with Session(engine) as db:
        assert snapshot(db) == before


def test_a_postgresql_backup_restores_every_attempt(tmp_path, pg_url, site):
    engine = prepared_engine(pg_url, site)
    with Session(engine) as db:
        before = sit_exams(db)
    result = cli(pg_url, "backup", str(tmp_path / "backup.dump"))
    assert result.returncode == 0, result.stderr
    engine.dispose()
    with psycopg.connect(pg_url, autocommit=True) as conn:      # the database is lost
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    result = cli(pg_url, "restore", str(tmp_path / "backup.dump"))
    assert result.returncode == 0, result.stderr
    with Session(prepared_engine(pg_url, site)) as db:
        assert snapshot(db) == before
