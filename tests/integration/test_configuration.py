"""What a production configuration must not leak (OWASP ASVS 5.0 V13.4; SECURITY.md).

The service answers only for its routes and the built handbook: no API
documentation or schema, no TRACE, no directory listing, and nothing of the
checkout around the handbook (source, settings, database, .git).
"""
from __future__ import annotations

import pytest

from quizapp.config import Settings
from quizapp.web.app import create_app
from tests.conftest import BrowserLikeClient


@pytest.fixture
def client(sqlite_url, engine, tmp_path):
    checkout = tmp_path / "checkout"
    site = checkout / "site"
    (site / "volumes" / "no-index").mkdir(parents=True)
    (site / "index.html").write_text("<h1>手册</h1>", encoding="utf-8")
    (site / "volumes" / "no-index" / "page.txt").write_text("x", encoding="utf-8")
    (checkout / ".git").mkdir()
    (checkout / ".git" / "config").write_text("[core]", encoding="utf-8")
    (checkout / ".env").write_text("DATABASE_URL=secret", encoding="utf-8")
    app = create_app(Settings(database_url=sqlite_url, site_dir=site, sweep_seconds=0))
    yield BrowserLikeClient(app, follow_redirects=False)
    app.state.engine.dispose()


def test_the_handbook_is_served_and_nothing_beside_it(client):
    assert client.get("/").status_code == 200
    for path in ("/../.git/config", "/%2e%2e/.git/config", "/..%2f.env", "/.git/config", "/.env",
                 "/quizapp/config.py", "/pyproject.toml", "/var/zhenjie.db", "/mkdocs.yml"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "[core]" not in r.text and "secret" not in r.text, path


def test_a_folder_without_an_index_page_is_not_listed(client):
    r = client.get("/volumes/no-index/")
    assert r.status_code == 404
    assert "page.txt" not in r.text


def test_no_api_documentation_or_schema_is_published(client):
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404, path


def test_trace_is_not_supported(client):
    for path in ("/", "/login", "/practice/"):
        r = client.request("TRACE", path)
        assert r.status_code == 405, path
        assert "TRACE" not in r.text
