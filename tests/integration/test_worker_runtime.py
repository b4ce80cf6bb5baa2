"""A served worker's runtime: its garbage collector is set for thousands of
examinees (quizapp.web.main), and on SQLite the WAL is checkpointed by the
service in the background, not by a request's commit (quizapp.db)."""
import json
import os
import subprocess
import sys
import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from quizapp.config import Settings
from quizapp.db import WAL_BACKSTOP_PAGES, checkpoint_wal, make_engine
from quizapp.web import app as web_app
from quizapp.web.app import create_app
from tests.conftest import ROOT


def test_a_served_worker_freezes_what_it_built_at_start_and_collects_garbage_less_often(tmp_path):
    probe = "import gc, json, quizapp.web.main as m; print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "SITE_DIR": str(tmp_path / "no-site")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    thresholds, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert tuple(thresholds) == (2_000, 10, 100) and frozen > 50_000


def test_sqlite_leaves_the_wal_to_the_checkpointer_which_copies_it_back_without_blocking(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_BACKSTOP_PAGES
            conn.execute(text("CREATE TABLE scratch (n INTEGER, pad TEXT)"))
        for n in range(50):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO scratch VALUES (:n, :pad)"), {"n": n, "pad": "x" * 4000})
        in_wal, copied = checkpoint_wal(engine)
        assert in_wal > 50 and copied == in_wal
        with engine.begin() as conn:                 # the pool's connections are usable afterwards, as before
            assert conn.execute(text("SELECT count(*) FROM scratch")).scalar() == 50
    finally:
        engine.dispose()


def test_the_service_checkpoints_sqlite_every_second_and_postgresql_not_at_all(sqlite_url, pg_url, monkeypatch):
    calls = []
    monkeypatch.setattr(web_app, "checkpoint_wal", lambda engine: calls.append(engine.dialect.name))
    for url in (sqlite_url, pg_url):
        with TestClient(create_app(Settings(database_url=url, sweep_seconds=0, site_dir="/nonexistent"))):
            time.sleep(2.5)
    assert calls.count("sqlite") >= 2 and "postgresql" not in calls
