"""The login and logout forms against request forgery, and the 继续 link of the
password page against open redirects (issue 17, findings 11 and 13; OWASP ASVS
5.0 3.5.1, 3.7.2).

Before a session exists, the login form carries a token bound to a pre-session
cookie (HttpOnly, SameSite=Lax; the token is derived from it, so another site
can neither read nor forge it): a login posted from another site, which
logs the victim into the attacker's account, is refused."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from quizapp import accounts
from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.models import LoginSession
from quizapp.web.app import create_app
from quizapp.web.csrf import FIELD, LOGIN_COOKIE, HEADER, token_for
from quizapp.web.deps import COOKIE
from tests import builders
from tests.conftest import BrowserLikeClient

REFUSED = "页面已过期或来源不明，请刷新页面后重试"


@pytest.fixture
def app(sqlite_url, engine):
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0))
    yield app
    app.state.engine.dispose()


def browser(app) -> BrowserLikeClient:
    return BrowserLikeClient(app, follow_redirects=False)


def form_token(html: str) -> str:
    return re.search(rf'name="{FIELD}" value="([^"]*)"', html).group(1)


def sessions(db) -> int:
    db.expire_all()
    return len(db.exec(select(LoginSession)).all())


def test_a_login_posted_from_another_site_is_refused(app, db):
    builders.user(db)
    attacker_page = browser(app)                 # a form on another site: no cookie of ours goes with it
    r = attacker_page.post("/login", csrf=False, data={"username": "zhangsan", "password": builders.PASSWORD})
    assert r.status_code == 403 and REFUSED in r.text
    assert COOKIE not in r.headers.get("set-cookie", "") and sessions(db) == 0
    # with a pre-session cookie, but without its token, or with the token of another cookie
    victim = browser(app)
    victim.get("/login")
    other = browser(app)
    other_token = form_token(other.get("/login").text)
    for data in ({}, {FIELD: ""}, {FIELD: "0" * 40}, {FIELD: other_token}):
        r = victim.post("/login", csrf=False, data={"username": "zhangsan", "password": builders.PASSWORD, **data})
        assert r.status_code == 403, data
    assert sessions(db) == 0


def test_the_login_form_carries_its_own_token_and_the_login_succeeds_with_it(app, db):
    builders.user(db)
    c = browser(app)
    page = c.get("/login")
    set_cookie = page.headers["set-cookie"]
    assert set_cookie.startswith(LOGIN_COOKIE + "=")
    flags = {a.strip().split("=")[0].lower(): a.strip() for a in set_cookie.split(";")[1:]}
    assert "httponly" in flags and flags["samesite"].lower() == "samesite=lax" and flags["path"] == "Path=/login"
    token = form_token(page.text)
    assert token == token_for("login:" + c.cookies.get(LOGIN_COOKIE))
    # the same pre-session cookie serves every login form the browser opens meanwhile
    assert form_token(c.get("/login").text) == token
    r = c.post("/login", csrf=False, data={"username": "zhangsan", "password": builders.PASSWORD, FIELD: token})
    assert r.status_code == 303 and c.cookies.get(COOKIE) and sessions(db) == 1
    # a wrong password shows the form again, with a token that still works
    c2 = browser(app)
    r = c2.post("/login", csrf=False, data={"username": "zhangsan", "password": "nope-nope-1",
                                            FIELD: form_token(c2.get("/login").text)})
    assert r.status_code == 401 and form_token(r.text)
    r = c2.post("/login", csrf=False, data={"username": "zhangsan", "password": builders.PASSWORD,
                                            FIELD: form_token(r.text)})
    assert r.status_code == 303


def test_with_a_session_cookie_the_login_needs_the_sessions_token(app, db):
    """A browser that already has a session (perhaps an expired one) posts the
    token derived from it, as every other form does."""
    builders.user(db)
    c = browser(app)
    builders.login(c)
    r = c.post("/login", csrf=False, data={"username": "zhangsan", "password": builders.PASSWORD})
    assert r.status_code == 403
    r = c.post("/login", csrf=False, data={"username": "zhangsan", "password": builders.PASSWORD,
                                           FIELD: form_token(c.get("/login").text)})
    assert r.status_code == 303


def test_a_logout_posted_from_another_site_is_refused_and_the_session_goes_on(app, db):
    user = builders.user(db)
    c = browser(app)
    token = accounts.start_session(db, user, days=1)
    c.cookies.set(COOKIE, token, domain="testserver.local")
    for headers in (None, {HEADER: "0" * 40}):
        r = c.post("/logout", csrf=False, headers=headers)
        assert r.status_code == 403 and REFUSED in r.text
    assert c.get("/me").status_code == 200
    r = c.post("/logout", csrf=False, data={FIELD: token_for(token)})
    assert r.status_code == 303 and c.get("/me").status_code == 303


EVIL = ["//evil.example/", "/\\evil.example/", "/\\/evil.example", "\\\\evil.example", "https://evil.example/",
        "/\t/evil.example", "javascript:alert(1)", "http:evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_the_continue_link_of_the_password_page_stays_on_the_site(app, db, target):
    builders.user(db)
    c = browser(app)
    builders.login(c)
    form = c.get("/account/password", params={"next": target})
    assert form.status_code == 200 and 'name="next" value="/practice/"' in form.text
    r = c.post("/account/password", data={"old": builders.PASSWORD, "new": "my-new-pass-42", "again": "my-new-pass-42",
                                          "next": target})
    assert r.status_code == 200 and "密码已修改" in r.text
    (continue_link,) = re.findall(r'<a class="button primary" href="([^"]*)">继续</a>', r.text)
    assert continue_link == "/practice/"


@pytest.mark.parametrize("target", EVIL)
def test_a_login_never_sends_the_browser_to_another_site(app, db, target):
    builders.user(db)
    c = browser(app)
    page = c.get("/login", params={"next": target})
    assert 'name="next" value=""' in page.text                      # none: the login lands on the user's own home
    r = c.post("/login", data={"username": "zhangsan", "password": builders.PASSWORD, "next": target})
    assert r.status_code == 303 and r.headers["location"] == "/practice/"
