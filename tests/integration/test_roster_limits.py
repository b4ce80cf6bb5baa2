"""A roster upload or import never holds up an exam (issue 17, finding 2).

- Uploading: the workbook is read in a process of its own (roster.read_apart)
  while the request holds no transaction, so the service answers and another
  session writes meanwhile; a crafted workbook (16,384 declared columns, more
  than 2,000 rows, a zip bomb) is refused with 413 and a Chinese message that
  names the limit, and nothing is saved; a reader that does not finish in
  time is stopped.
- Confirming: initial passwords are hashed while no transaction is open, and
  the rows are written in batches of cohorts.IMPORT_BATCH, each its own
  transaction, so an exam's save waits for one batch at most.

How long any of this takes is measured by bench/roster_during_exam.py, not here.
"""
from __future__ import annotations

import io
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import event
from sqlmodel import Session, func, select

from quizapp import accounts, cohorts, roster
from quizapp.exports import XLSX
from quizapp.models import Enrolment, Role, RosterUpload
from tests import builders
from tests.integration.test_cohorts import make_cohort
from tests.unit.test_roster_limits import HEADER, trainees, with_part, workbook


def db_file(sqlite_url: str) -> str:
    return sqlite_url.removeprefix("sqlite:///")


def another_writer_gets_in(sqlite_url: str) -> bool:
    """Whether a second connection takes SQLite's write lock at once (no waiting at all)."""
    conn = sqlite3.connect(db_file(sqlite_url), timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:          # database is locked
        return False
    finally:
        conn.close()


@pytest.fixture
def teacher(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    return make_cohort(client)


def upload(client, cohort_url: str, data: bytes):
    return client.post(f"{cohort_url}/roster", files={"file": ("名单.xlsx", data, XLSX)})


def uploads_saved(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(RosterUpload)).one()


# --- uploading ------------------------------------------------------------------------------------

def test_a_sheet_declaring_16384_columns_is_refused_and_nothing_is_saved(client, db, teacher):
    wb = Workbook()
    for row in trainees(3):
        wb.active.append(row)
    wb.active.cell(1, 16384, "x")
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(client, teacher, buf.getvalue())
    assert r.status_code == 413 and f"名单最多 {roster.MAX_COLUMNS} 列" in r.text
    assert uploads_saved(db) == 0


def test_a_roster_of_more_than_2000_rows_is_refused_and_nothing_is_saved(client, db, teacher):
    r = upload(client, teacher, workbook(trainees(roster.MAX_ROWS + 1), write_only=True))
    assert r.status_code == 413 and f"名单最多 {roster.MAX_ROWS} 行" in r.text
    assert uploads_saved(db) == 0


def test_a_zip_bomb_is_refused_and_nothing_is_saved(client, db, teacher):
    bomb = with_part(workbook(trainees(3)), "xl/media/image1.png", 128 * 1024 * 1024)
    r = upload(client, teacher, bomb)
    assert r.status_code == 413 and "解压后" in r.text and f"{roster.MAX_UNPACKED_BYTES // 2**20} MB" in r.text
    assert uploads_saved(db) == 0


READER_WAITING = """
import pathlib, runpy, sys, time
started, release = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
started.write_text("reading")
while not release.exists():
    time.sleep(0.01)
del sys.argv[1:]
runpy.run_module("quizapp.roster", run_name="__main__", alter_sys=True)
"""


def wait_for(path: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.01)


def test_while_a_workbook_is_read_the_service_answers_and_no_transaction_is_held(client, db, teacher, sqlite_url,
                                                                                tmp_path, monkeypatch):
    script, started, release = tmp_path / "reader.py", tmp_path / "started", tmp_path / "release"
    script.write_text(READER_WAITING)
    monkeypatch.setattr(roster, "READER", [sys.executable, str(script), str(started), str(release)])
    result = {}
    uploading = threading.Thread(target=lambda: result.update(r=upload(client, teacher, workbook(trainees(3)))))
    uploading.start()
    try:
        wait_for(started, "the reader process starting")
        assert client.get("/healthz").status_code == 200                     # the event loop is free
        assert another_writer_gets_in(sqlite_url)                            # and so is the write lock
        assert uploading.is_alive()                                          # the upload is still being read
    finally:
        release.write_text("go")
        uploading.join()
    assert result["r"].status_code == 303
    assert uploads_saved(db) == 1


READER_STUCK = """
import os, pathlib, sys, time
pathlib.Path(sys.argv[1]).write_text(str(os.getpid()))
time.sleep(600)
"""


def test_a_reader_that_does_not_finish_in_time_is_stopped_and_the_upload_refused(client, db, teacher, tmp_path,
                                                                                  monkeypatch):
    script, pid_file = tmp_path / "stuck.py", tmp_path / "pid"
    script.write_text(READER_STUCK)
    monkeypatch.setattr(roster, "READER", [sys.executable, str(script), str(pid_file)])
    monkeypatch.setattr(roster, "READ_SECONDS", 1)
    r = upload(client, teacher, workbook(trainees(3)))
    assert r.status_code == 413 and "秒内未能读完" in r.text
    assert uploads_saved(db) == 0
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)                                                      # killed and reaped


# --- confirming -----------------------------------------------------------------------------------

def test_an_import_is_written_in_batches_with_the_write_lock_free_between_them(client, db, teacher, sqlite_url,
                                                                               monkeypatch):
    monkeypatch.setattr(cohorts, "IMPORT_BATCH", 3)
    rows = [HEADER] + [[f"学员{i}", "某镇综合行政执法办公室", f"1380000{i:04d}", "", ""] for i in range(1, 8)]
    r = upload(client, teacher, workbook(rows))
    assert r.status_code == 303
    cohort_id = int(teacher.rsplit("/", 1)[1])
    app_engine = client.app.state.engine
    enrolled_after_each_commit, lock_free_after_each_commit, lock_free_while_hashing = [], [], []

    def after_commit(session):
        if session.get_bind() is app_engine:
            with sqlite3.connect(db_file(sqlite_url)) as conn:
                enrolled_after_each_commit.append(conn.execute(
                    "SELECT count(*) FROM enrolments WHERE cohort_id = ?", (cohort_id,)).fetchone()[0])
            lock_free_after_each_commit.append(another_writer_gets_in(sqlite_url))

    real_hash = accounts.hash_password

    def hash_password(password):
        lock_free_while_hashing.append(another_writer_gets_in(sqlite_url))
        return real_hash(password)

    monkeypatch.setattr(accounts, "hash_password", hash_password)
    event.listen(Session, "after_commit", after_commit)
    try:
        done = client.post(r.headers["location"] + "/confirm")      # then the page of what was imported
    finally:
        event.remove(Session, "after_commit", after_commit)
    assert done.status_code == 303 and "handover=" in done.headers["location"]    # the workbook: from that page
    assert len(lock_free_while_hashing) == 7 and all(lock_free_while_hashing)
    growth = [b - a for a, b in zip([0] + enrolled_after_each_commit, enrolled_after_each_commit)]
    assert enrolled_after_each_commit[-1] == 7
    assert max(growth) <= 3 and sum(1 for g in growth if g) == 3              # 3 + 3 + 1, each its own transaction
    assert all(lock_free_after_each_commit)
    db.expire_all()
    assert db.exec(select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort_id)).one() == 7
    assert client.post(r.headers["location"] + "/confirm").status_code == 422          # not twice
