"""An acknowledged answer survives a power cut, not only a killed process
(issue 17, finding 16).

SQLite: every connection the service opens runs with synchronous=FULL in WAL
mode, so a commit returns only once the WAL is flushed to disk; the save
queue acknowledges a save after its batch's commit. A power cut is simulated
below with a VFS that keeps, for each file, only what was flushed (apsw: a
SQLite VFS written in Python). PostgreSQL: commits wait for the WAL flush
(synchronous_commit=on), whatever the server's or the role's default."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import apsw
import pytest
from sqlalchemy import text
from sqlmodel import select

from quizapp.db import make_engine, sqlite_pragmas
from quizapp.models import Attempt, AttemptAnswer, Question
from tests import builders
from tests.conftest import make_client

FULL = 2            # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def single_choice_exam(db):
    ids = db.exec(select(Question.id).where(Question.active == True, Question.volume == "v1-common",  # noqa: E712
                                            Question.type == "single").order_by(Question.id).limit(2)).all()
    return builders.exam(db, question_ids=list(ids))


def synchronous(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA synchronous").scalar_one()


def test_every_sqlite_connection_of_the_service_flushes_each_commit(sqlite_url, engine, db):
    """The app's two pools (writes and lock-free reads, which also write a
    session's last-seen time) and the engines of the command line."""
    builders.user(db)
    exam = single_choice_exam(db)
    with make_client(sqlite_url) as client:
        builders.login(client)
        aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        qid = db.get(Attempt, aid).paper[0]["question_id"]
        assert client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": ["A"]}).is_success
        app = client.app
        assert synchronous(app.state.engine) == FULL          # the save queue's writer uses this pool
        assert synchronous(app.state.read_engine) == FULL
        with app.state.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    for immediate in (True, False):
        cli = make_engine(sqlite_url, immediate=immediate)
        try:
            assert synchronous(cli) == FULL
        finally:
            cli.dispose()


class PowerCut(apsw.VFS):
    """The OS's file system, remembering each file as it was at its last flush
    (xSync): what a disk holds after the power goes, with no write-back cache
    that outlives it. Files deleted are gone from it too."""

    def __init__(self, name: str):
        self.flushed: dict[str, bytes] = {}
        super().__init__(name, base="")

    def xOpen(self, name, flags):
        return _Flushed(self, name, flags)

    def xDelete(self, name, syncdir):
        self.flushed.pop(name, None)
        return super().xDelete(name, syncdir)

    def disk_after_the_cut(self, into: Path) -> None:
        into.mkdir()
        for path, content in self.flushed.items():
            (into / Path(path).name).write_bytes(content)


class _Flushed(apsw.VFSFile):
    def __init__(self, vfs: PowerCut, name, flags):
        self.vfs, self.path = vfs, name.filename() if isinstance(name, apsw.URIFilename) else name
        super().__init__("", name, flags)

    def xSync(self, flags):
        super().xSync(flags)
        if self.path:
            self.vfs.flushed[self.path] = Path(self.path).read_bytes()


@pytest.fixture
def power_cut():
    vfs = PowerCut("power-cut")
    yield vfs
    vfs.unregister()


def test_a_committed_batch_of_saves_survives_a_power_cut_with_the_services_pragmas(tmp_path, power_cut):
    conn = apsw.Connection(str(tmp_path / "exam.db"), vfs="power-cut")
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")   # WAL without shared memory: the Python VFS has none
    sqlite_pragmas(conn, None)                        # what quizapp.db runs on each new connection
    assert conn.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
    conn.execute("CREATE TABLE answers (question_id TEXT PRIMARY KEY, response TEXT NOT NULL)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table is in the database file, flushed
    conn.execute("BEGIN IMMEDIATE")                  # one batch of the save queue: one commit
    conn.executemany("INSERT INTO answers VALUES (?, ?)", [(f"q{n}", '["A"]') for n in range(20)])
    conn.execute("COMMIT")                           # the batch is acknowledged after this returns
    power_cut.disk_after_the_cut(tmp_path / "after")  # the power goes now, before any checkpoint
    conn.close()

    recovered = sqlite3.connect(tmp_path / "after" / "exam.db")
    try:
        assert recovered.execute("SELECT count(*) FROM answers").fetchone() == (20,)
    finally:
        recovered.close()


def test_an_acknowledged_save_is_in_the_database_files_when_its_reply_is_sent(sqlite_url, tmp_path, engine, db):
    """The files copied right after the reply, as a killed process leaves them
    (WAL included, the shared-memory index not): the copy holds the answer."""
    builders.user(db)
    exam = single_choice_exam(db)
    live = Path(sqlite_url.removeprefix("sqlite:///"))
    copy = tmp_path / "copy"
    copy.mkdir()
    with make_client(sqlite_url) as client:
        builders.login(client)
        aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        qid = db.get(Attempt, aid).paper[0]["question_id"]
        r = client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": ["A"], "base": 0})
        assert r.json()["applied"] is True
        for suffix in ("-wal", ""):                  # the WAL first: a checkpoint meanwhile only adds to the file
            if Path(f"{live}{suffix}").exists():
                shutil.copyfile(f"{live}{suffix}", copy / f"exam.db{suffix}")
    recovered = make_engine(f"sqlite:///{copy / 'exam.db'}", immediate=False)
    try:
        with recovered.connect() as conn:
            rows = conn.execute(select(AttemptAnswer.response).where(AttemptAnswer.attempt_id == aid,
                                                                     AttemptAnswer.question_id == qid)).all()
        assert [r.response for r in rows] == [["A"]]
    finally:
        recovered.dispose()


def test_postgresql_commits_wait_for_the_flush_even_where_the_default_is_off(pg_url, monkeypatch):
    """libpq's PGOPTIONS stands in for a server, database or role configured
    with synchronous_commit=off: the service's connections turn it back on."""
    monkeypatch.setenv("PGOPTIONS", "-c synchronous_commit=off")
    engine = make_engine(pg_url)
    try:
        for _ in range(2):                           # a new connection, then one from the pool
            with engine.connect() as conn:
                assert conn.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
                conn.rollback()
    finally:
        engine.dispose()
