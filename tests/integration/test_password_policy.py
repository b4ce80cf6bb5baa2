"""The password policy at the password form and wherever an account gets a chosen
password (its rules: tests/unit/test_password_policy.py; OWASP ASVS 5.0 V6.2)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from quizapp import accounts
from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.domain.errors import DomainError
from quizapp.models import Role, User
from quizapp.web.app import create_app
from tests import builders
from tests.conftest import BrowserLikeClient


@pytest.fixture
def app(sqlite_url, engine):
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0))
    yield app
    app.state.engine.dispose()


def change(client, old: str, new: str):
    return client.post("/account/password", data={"old": old, "new": new, "again": new})


@pytest.mark.parametrize("new, message", [
    ("12345678", "这个密码太常见，很容易被猜中，请换一个"),
    ("password", "这个密码太常见，很容易被猜中，请换一个"),
    ("        ", "密码不能全是空格"),
    ("1234567", "密码至少需要 8 位"),
    ("13800000001", "密码不能与登录名、手机号或执法证号相同"),
    ("13800000001abc", None),
    (builders.PASSWORD, "新密码不能与原密码相同"),
])
def test_a_weak_or_reused_new_password_is_refused_in_chinese_and_nothing_changes(app, db, new, message):
    trainee = builders.user(db, "13800000001")
    c = BrowserLikeClient(app, follow_redirects=False)
    builders.login(c, "13800000001")
    r = change(c, builders.PASSWORD, new)
    if message is None:
        assert r.status_code == 200 and "密码已修改" in r.text
        return
    assert r.status_code == 422 and message in r.text
    db.expire_all()
    assert accounts.hasher.verify(builders.PASSWORD, db.get(User, trainee.id).password_hash)


def test_after_a_reset_the_password_before_it_cannot_be_set_again(app, db):
    trainee = builders.user(db, "13800000001")
    initial = accounts.reset_password(db, trainee)                  # e.g. it was seen by someone else
    db.commit()
    c = BrowserLikeClient(app, follow_redirects=False)
    builders.login(c, "13800000001", initial)
    r = change(c, initial, builders.PASSWORD)
    assert r.status_code == 422 and "新密码不能与上一次使用的密码相同" in r.text
    r = change(c, initial, initial)
    assert r.status_code == 422 and "新密码不能与原密码相同" in r.text
    assert change(c, initial, "a-brand-new-pass-5").status_code == 200
    # the initial password in between does not count: the one before the reset is still the previous one
    r = change(c, "a-brand-new-pass-5", builders.PASSWORD)
    assert r.status_code == 422 and "新密码不能与上一次使用的密码相同" in r.text
    # a later change may not go back to the one it replaced
    assert change(c, "a-brand-new-pass-5", "third-pass-77").status_code == 200
    r = change(c, "third-pass-77", "a-brand-new-pass-5")
    assert r.status_code == 422 and "新密码不能与上一次使用的密码相同" in r.text


def test_accounts_made_with_a_chosen_password_follow_the_policy_too(db):
    for password in ("password1", "        ", "short"):
        with pytest.raises(DomainError):
            accounts.create_user(db, username="instructor2", password=password, display_name="教员",
                                 role=Role.instructor)
    with pytest.raises(DomainError, match="登录名"):
        accounts.create_user(db, username="instructor2", password="instructor2", display_name="教员",
                             role=Role.instructor)
    assert db.exec(select(User).where(User.username == "instructor2")).first() is None
