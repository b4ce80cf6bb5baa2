"""Shared fixtures. Test data builders live in tests/builders.py.

Databases: every test that needs one gets a fresh SQLite file, migrated with
Alembic. PostgreSQL tests read TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test); they skip with the reason when it
is unreachable, except under CI=true, where they fail.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from quizapp import migrate
from quizapp.bank import sync_bank
from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.content.site import Site
from quizapp.db import make_engine
from quizapp.web.app import create_app
from quizapp.web.csrf import HEADER, LOGIN_COOKIE, LOGIN_PATH, SAFE_METHODS, login_token, token_for
from quizapp.web.deps import COOKIE

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def site() -> Site:
    """The real handbook, corpus and question bank, read once."""
    return Site()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def prepared_engine(url: str, site: Site):
    """The tests' own engine. On SQLite its transactions begin deferred, so a
    test's open session reads beside the app without taking the write lock."""
    migrate.upgrade(url)
    engine = make_engine(url, immediate=False)
    with Session(engine) as db:
        sync_bank(db, site.questions, site.corpus)
    return engine


@pytest.fixture
def engine(sqlite_url, site):
    engine = prepared_engine(sqlite_url, site)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine):
    with Session(engine) as session:
        yield session


class BrowserLikeClient(TestClient):
    """Sends the CSRF token with every state change, as the platform's pages
    and script do (hidden form field / X-CSRF-Token header); before a login it
    opens the login page first, as a browser does, for the form's pre-session
    token. Tests of the protection itself pass ``csrf=False``."""

    def request(self, method, url, *args, csrf: bool = True, headers=None, **kwargs):
        if csrf and method.upper() not in SAFE_METHODS:
            cookie = self.cookies.get(COOKIE)
            if not cookie and str(url).split("?")[0].endswith(LOGIN_PATH):
                if not self.cookies.get(LOGIN_COOKIE):
                    super().request("GET", LOGIN_PATH)
                nonce = self.cookies.get(LOGIN_COOKIE)
                if nonce:
                    headers = {HEADER: login_token(nonce), **(headers or {})}
            elif cookie:
                headers = {HEADER: token_for(cookie), **(headers or {})}
        return super().request(method, url, *args, headers=headers, **kwargs)

    def post(self, url, *args, csrf: bool = True, **kwargs):
        return self.request("POST", url, *args, csrf=csrf, **kwargs)


def make_client(url: str, site_dir: Path | None = None) -> TestClient:
    """The app as a worker runs it, with its own engine on the database at ``url``."""
    settings = Settings(database_url=url, site_dir=site_dir or ROOT / "no-site")
    return BrowserLikeClient(create_app(settings), follow_redirects=False)


@pytest.fixture
def client(sqlite_url, engine) -> TestClient:
    with make_client(sqlite_url) as c:
        yield c


def postgres_reachable(url: str) -> str:
    """'' when reachable, else the reason."""
    import psycopg
    try:
        with psycopg.connect(url, connect_timeout=3):
            return ""
    except Exception as e:  # noqa: BLE001 - any failure means unreachable
        return str(e).strip().splitlines()[0]


@pytest.fixture
def pg_url() -> str:
    """A clean PostgreSQL database (all tables dropped) at TEST_DATABASE_URL."""
    reason = postgres_reachable(PG_URL)
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL at TEST_DATABASE_URL={PG_URL} is unreachable: {reason}")
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL={PG_URL} is unreachable: {reason}")
    import psycopg
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return PG_URL


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The handbook built once with mkdocs build --strict."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out
