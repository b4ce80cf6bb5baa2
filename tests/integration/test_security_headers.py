"""Security headers, caching and cookies (quizapp/web/headers.py).

1. Every response, page, API answer, export, redirect or refusal, carries the
   Content-Security-Policy, nosniff, the Referrer-Policy and X-Frame-Options;
   everything of the platform is ``no-store``; the handbook and the static
   assets may be cached.
2. HSTS and Secure cookies when the request came over HTTPS, which is taken
   from X-Forwarded-Proto only when a trusted proxy (TRUSTED_PROXIES) sent it.
3. No page of the platform needs what the policy forbids: no inline script,
   event handler attribute, javascript: URL, style element or attribute, on
   any page any role reaches. (The handbook: tests/e2e/test_csp.py; both in a
   browser that reports violations: the same file.)
"""
from __future__ import annotations

import re

import pytest

from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.web.app import create_app
from quizapp.web.deps import COOKIE
from quizapp.web.headers import CSP
from tests import builders
from tests.conftest import BrowserLikeClient
from tests.integration.test_security import (ACTORS, app, app_routes, request_data, walk_order,  # noqa: F401 (fixtures)
                                             world)

TEMPLATES = ROOT / "quizapp" / "web" / "templates"
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style element": re.compile(r"<style", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
}


def assert_secured(r, *, cacheable: bool = False) -> None:
    where = f"{r.request.method} {r.request.url} -> {r.status_code}"
    h = r.headers
    assert h.get("content-security-policy") == CSP, where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert h.get("x-frame-options") == "DENY", where
    assert "strict-transport-security" not in h, where          # plain HTTP here
    if cacheable:
        assert "no-store" not in h.get("cache-control", ""), where
    else:
        assert h.get("cache-control") == "no-store", where


def test_the_policy_is_strict():
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe" not in CSP and "*" not in CSP


def test_every_route_as_every_role_answers_with_the_headers_and_no_store(world):
    """The route matrix's walk (tests/integration/test_security.py), headers checked on each answer:
    pages, API answers, exports, redirects to the login, 403/404 refusals."""
    w = world
    for method, path in walk_order(app_routes(w.app)):
        for actor in ACTORS:
            r = w.client(actor).request(method, w.url(path), **request_data(w, actor, method, path))
            assert_secured(r)


def test_refusals_and_errors_carry_the_headers_too(world):
    w = world
    trainee = w.client("trainee")
    for r in (trainee.get("/no-such-page"), trainee.put("/login"), trainee.get("/login?next=%00"),
              trainee.post(w.url("/api/attempts/{attempt_id}/events"), content=b"x" * 100_000,
                           headers={"content-type": "application/json"}),
              trainee.post("/reports/new", csrf=False, data={"text": "x"}),
              w.client("anonymous").get("/api/attempts/1/state")):
        assert r.status_code >= 400
        assert_secured(r)


def fake_site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>手册</title><p>首页</p>", encoding="utf-8")
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "index.html").write_text("<!doctype html><title>指南</title>", encoding="utf-8")
    return tmp_path


def test_the_handbook_and_the_static_assets_may_be_cached_with_the_same_policy(sqlite_url, engine, tmp_path):
    app = create_app(Settings(database_url=sqlite_url, site_dir=fake_site(tmp_path), sweep_seconds=0))
    try:
        client = BrowserLikeClient(app, follow_redirects=False)
        for url, cache in (("/", "no-cache"), ("/guide/", "no-cache"),
                           ("/static/app.css", "no-cache"), ("/static/exam.js", "no-cache")):
            r = client.get(url)
            assert r.status_code == 200, url
            assert_secured(r, cacheable=True)
            assert r.headers["cache-control"] == cache, url
        assert_secured(client.get("/login"))                # the platform beside it: no-store
    finally:
        app.state.engine.dispose()


def client_from(app, address: str) -> BrowserLikeClient:
    return BrowserLikeClient(app, follow_redirects=False, client=(address, 50123))


@pytest.mark.parametrize("trusted", ["127.0.0.1", "10.0.0.5, 127.0.0.1"])
def test_hsts_and_secure_cookies_when_a_trusted_proxy_says_https(sqlite_url, engine, db, trusted):
    builders.user(db)
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0,
                              trusted_proxies=trusted))
    https = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7"}
    try:
        proxy = client_from(app, "10.0.0.5" if "10.0.0.5" in trusted else "127.0.0.1")
        r = proxy.post("/login", headers=https, data={"username": "zhangsan", "password": builders.PASSWORD})
        assert r.status_code == 303
        assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and re.search(r";\s*Secure\b", cookie, re.I)
        assert "strict-transport-security" in proxy.get("/login", headers=https).headers
        # the same headers from anyone else are not believed: plain HTTP, no HSTS, no Secure
        for address in ("10.9.9.9", "203.0.113.7"):
            r = client_from(app, address).post("/login", headers=https,
                                               data={"username": "zhangsan", "password": builders.PASSWORD})
            assert r.status_code == 303 and "strict-transport-security" not in r.headers, address
            assert not re.search(r";\s*Secure\b", r.headers["set-cookie"], re.I), address
    finally:
        app.state.engine.dispose()


def test_the_platforms_templates_need_nothing_the_policy_forbids():
    found = [(path.name, kind, m.group(0)[:80]) for path in sorted(TEMPLATES.glob("*.html"))
             for kind, pattern in INLINE.items() for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert not found, found


def test_no_page_any_role_reaches_needs_what_the_policy_forbids(world):
    w = world
    for method, path in walk_order(app_routes(w.app)):
        for actor in ACTORS:
            r = w.client(actor).request(method, w.url(path), **request_data(w, actor, method, path))
            if not r.headers.get("content-type", "").startswith("text/html"):
                continue
            found = [(kind, m.group(0)[:80]) for kind, pattern in INLINE.items() for m in pattern.finditer(r.text)]
            assert not found, (actor, method, path, found)
