"""deploy/nginx.conf, run for real (tests/e2e/test_deploy.py's layout): the
proxy refuses bodies over the app's limits with a Chinese 413, sends the
platform's security headers with the handbook it serves from disk, and the
handbook's 404 page is Chinese."""
from __future__ import annotations

import re

import httpx

from quizapp.web import limits
from quizapp.web.headers import CSP
from tests.e2e.test_deploy import CONFIG, layout  # noqa: F401 (fixture)


def test_the_proxy_sends_the_apps_content_security_policy_with_the_handbook():
    assert f'add_header Content-Security-Policy "{CSP}" always;' in CONFIG.read_text()


def test_the_proxy_refuses_what_the_app_would_and_sends_the_same_headers(layout):
    base, _ = layout
    with httpx.Client(base_url=base) as client:
        page = client.get("/volumes/v1-common/")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CSP
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "no-store" not in page.headers.get("cache-control", "")             # the handbook may be cached
        login = client.get("/login")                                                # a worker's page: its headers
        assert login.headers["content-security-policy"] == CSP and login.headers["cache-control"] == "no-store"
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404 and "页面不存在" in missing.text

        # over nginx's limits: refused at the proxy, in Chinese
        r = client.post("/reports/new", content=b"text=" + b"x" * (limits.FORM_BODY + 1024),
                        headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413 and "提交的内容过大" in r.text and r.headers["server"] == "nginx"
        r = client.post("/api/attempts/1/answers", content=b"{" + b" " * 10_000 + b"}",
                        headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json() == {"detail": "提交的数据过大，已拒收"}
        r = client.post("/instructor/cohorts/1/roster", files={"file": ("r.xlsx", b"\0" * (7 * 1024 * 1024))})
        assert r.status_code == 413
        # within nginx's limits but over the app's: the worker's own answer
        r = client.post("/api/attempts/1/answers", content=b"{" + b" " * 5_000 + b"}",
                        headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json() == {"detail": limits.TOO_LARGE_JSON}
        assert r.headers["content-security-policy"] == CSP
        # a roster of a few MB passes the proxy (the worker then asks for a login)
        r = client.post("/instructor/cohorts/1/roster", files={"file": ("r.xlsx", b"\0" * (3 * 1024 * 1024))})
        assert r.status_code == 303 and re.match(r"/login\?next=", r.headers["location"])
