"""Logging in, in two steps (accounts.check_login, then accounts.record_login):
every attempt is recorded, a right password opens a new session in place of
the old one, and a hash made with older parameters is replaced."""
import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from quizapp import accounts
from quizapp.domain.errors import LoginFailed
from quizapp.models import LoginAttempt, LoginSession, User
from tests import builders
from tests.builders import PASSWORD


def attempts(db):
    db.expire_all()
    return [(a.username, a.address, a.succeeded) for a in db.exec(select(LoginAttempt).order_by(LoginAttempt.id))]


def sessions_of(db, user_id):
    db.expire_all()
    return set(db.exec(select(LoginSession.token_hash).where(LoginSession.user_id == user_id)))


def test_a_wrong_password_is_recorded_and_opens_no_session(db, engine):
    user = builders.user(db)
    checked = accounts.check_login(engine, username=" zhangsan ", password="not-the-password", address="10.0.0.7")
    assert checked.user_id is None
    with pytest.raises(LoginFailed, match="用户名或密码不正确"):
        accounts.record_login(engine, checked, days=1)
    with pytest.raises(LoginFailed):               # no such user: the same answer, and recorded too
        accounts.log_in(engine, username="nobody", password=PASSWORD)
    assert attempts(db) == [("zhangsan", "10.0.0.7", False), ("nobody", "", False)]
    assert sessions_of(db, user.id) == set()


def test_a_right_password_opens_a_new_session_in_place_of_the_one_it_replaces(db, engine):
    user = builders.user(db)
    old = accounts.start_session(db, user, days=1)
    other_device = accounts.start_session(db, user, days=1)
    checked = accounts.check_login(engine, username="zhangsan", password=PASSWORD, address="10.0.0.7")
    assert (checked.user_id, checked.must_change_password, checked.new_hash) == (user.id, False, None)
    token = accounts.record_login(engine, checked, days=1, replacing=old)
    assert sessions_of(db, user.id) == {accounts.token_hash(token), accounts.token_hash(other_device)}
    assert accounts.user_for_token(db, token).id == user.id
    assert attempts(db) == [("zhangsan", "10.0.0.7", True)]


def test_a_hash_made_with_other_parameters_is_replaced_at_the_next_login(db, engine):
    user = builders.user(db)
    user.password_hash = PasswordHasher(memory_cost=8 * 1024, time_cost=1, parallelism=1).hash(PASSWORD)
    db.add(user)
    db.commit()
    accounts.log_in(engine, username="zhangsan", password=PASSWORD)
    db.expire_all()
    stored = db.get(User, user.id).password_hash
    assert "m=7168,t=5,p=1" in stored and accounts.log_in(engine, username="zhangsan", password=PASSWORD)


def test_a_disabled_account_cannot_log_in_even_with_its_password(db, engine):
    user = builders.user(db)
    accounts.set_active(db, user, False)
    db.commit()
    with pytest.raises(LoginFailed):
        accounts.log_in(engine, username="zhangsan", password=PASSWORD)
    assert attempts(db) == [("zhangsan", "", False)]


def test_a_login_whose_client_has_gone_while_it_queued_costs_no_argon2(engine, monkeypatch):
    """At an exam's start logins queue for the hashing thread; one whose browser
    gave up meanwhile (closed the connection) is dropped, not hashed."""
    import asyncio

    from quizapp.config import Settings
    from quizapp.web.app import create_app
    checked = []
    monkeypatch.setattr(accounts, "check_password", lambda *a, **kw: checked.append(a) or None)
    app = create_app(Settings(database_url=str(engine.url), sweep_seconds=0), engine=engine)
    from quizapp.web.csrf import LOGIN_COOKIE, login_token
    nonce = "n" * 43                                    # the login page's pre-session cookie, and its token
    body = f"username=zhangsan&password=x&next=%2Fexams%2F&csrf_token={login_token(nonce)}".encode()
    messages = [{"type": "http.request", "body": body, "more_body": False}, {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/login", "raw_path": b"/login", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"cookie", f"{LOGIN_COOKIE}={nonce}".encode()),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 499 and checked == []


@pytest.mark.parametrize("target, said", [("/reports/new?page_path=x.md", "纠错/建议需要登录"),
                                          ("/practice/start?ids=a", "练习需要登录"),
                                          ("/exams/", "考试需要登录")])
def test_the_login_page_says_what_the_visitor_was_about_to_do(client, target, said):
    page = client.get("/login", params={"next": target}).text
    assert said in page and "登录后将直接回到您刚才要打开的页面" in page
    assert "需要登录。" not in client.get("/login").text
    assert "需要登录。" not in client.get("/login", params={"next": "https://evil.example/"}).text
