"""The handbook as the platform's own server sends it (quizapp/web/handbook_files.py):
the build's .br or .gz when the browser accepts them, fingerprinted files kept
for a year, pages revalidated, a 304 for what the browser already has."""
from __future__ import annotations

import pytest

from quizapp.config import Settings
from quizapp.content.precompress import compress_tree
from quizapp.web.app import create_app
from quizapp.web.handbook_files import accepted, cache_control
from tests.integration.test_security_headers import BrowserLikeClient

PAGE = "<!doctype html><title>手册</title>" + "<p>先行登记保存的条件和程序。</p>" * 200


@pytest.fixture
def client(sqlite_url, engine, tmp_path):
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    (site / "assets" / "javascripts").mkdir(parents=True)
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "guide" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "assets" / "javascripts" / "bundle.a5f9d56c.min.js").write_text("var x = 1;" * 200)
    (site / "tiny.css").write_text("a{}")
    compress_tree(site)
    app = create_app(Settings(database_url=sqlite_url, site_dir=site, sweep_seconds=0))
    yield BrowserLikeClient(app, follow_redirects=False)
    app.state.engine.dispose()


def test_brotli_first_then_gzip_then_the_page_as_it_is(client):
    br = client.get("/guide/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["content-encoding"] == "br" and br.headers["vary"] == "Accept-Encoding"
    assert br.headers["content-type"] == "text/html; charset=utf-8"
    assert int(br.headers["content-length"]) < len(PAGE.encode()) / 10
    assert br.text == PAGE                                          # httpx decodes it: the same page
    gz = client.get("/guide/", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.text == PAGE
    plain = client.get("/guide/", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == PAGE
    refused = client.get("/guide/", headers={"Accept-Encoding": "br;q=0, gzip"})
    assert refused.headers["content-encoding"] == "gzip"


def test_a_file_too_small_to_gain_is_sent_as_it_is(client):
    r = client.get("/tiny.css", headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and "content-encoding" not in r.headers and r.text == "a{}"


def test_fingerprinted_assets_are_kept_for_a_year_and_pages_revalidated(client):
    asset = client.get("/assets/javascripts/bundle.a5f9d56c.min.js", headers={"Accept-Encoding": "br"})
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert client.get("/").headers["cache-control"] == "no-cache"


def test_a_page_the_browser_has_costs_a_304(client):
    first = client.get("/guide/", headers={"Accept-Encoding": "br"})
    again = client.get("/guide/", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "no-cache"


def test_which_encodings_a_request_accepts():
    def scope(value):
        return {"headers": [(b"accept-encoding", value.encode())]}
    assert accepted(scope("gzip, deflate, br, zstd")) == ["br", "gzip"]
    assert accepted(scope("gzip;q=0.5")) == ["gzip"]
    assert accepted(scope("br;q=0")) == []
    assert accepted({"headers": []}) == []


@pytest.mark.parametrize("path, forever", [
    ("assets/javascripts/bundle.a5f9d56c.min.js", True), ("assets/stylesheets/main.57a0d79d.min.css", True),
    ("search/0123456789/t/4.json", True), ("search/meta.json", False), ("javascripts/search.js", False),
    ("volumes/v1-common/guide/step-06-hearing", False), ("stylesheets/extra.css", False),
])
def test_what_is_kept_for_good(path, forever):
    assert (cache_control(path) == "public, max-age=31536000, immutable") is forever
