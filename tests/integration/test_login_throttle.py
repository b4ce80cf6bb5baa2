"""The login throttle over HTTP (its rules: tests/unit/test_throttle.py).

Failed logins make the next try wait, longer with each failure, and the login
page says how long, in Chinese; nothing locks anyone out. A training room
behind one address is not held up by its neighbours' failures; a device that
logged in before (its signed device cookie) is spared the account-wide wait;
an instructor of the trainee's cohort or a supervisor lifts a throttle."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from quizapp import accounts, cohorts
from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.devices import DEVICE_COOKIE
from quizapp.models import AuditEvent, LoginAttempt, Role, User, utcnow
from quizapp.web.app import create_app
from quizapp.web.deps import COOKIE
from tests import builders
from tests.conftest import BrowserLikeClient

WRONG = "wrong-password-1"


@pytest.fixture
def app(sqlite_url, engine):
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0))
    yield app
    app.state.engine.dispose()


def from_address(app, address: str) -> BrowserLikeClient:
    return BrowserLikeClient(app, follow_redirects=False, client=(address, 123))


def failures(db, n: int, *, username: str, addresses: list[str], ago: timedelta = timedelta(0)) -> None:
    at = utcnow() - ago
    for i in range(n):
        db.add(LoginAttempt(at=at, username=username or f"guess{i}", address=addresses[i % len(addresses)],
                            succeeded=False))
    db.commit()


def age_attempts(db, by: timedelta) -> None:
    """Every recorded attempt happened ``by`` earlier (instead of waiting in the test)."""
    for attempt in db.exec(select(LoginAttempt)).all():
        attempt.at -= by
        db.add(attempt)
    db.commit()


def test_wrong_passwords_on_ones_own_device_make_the_next_try_wait_a_little_never_a_lock_out(app, db):
    builders.user(db, "trainee")
    here = from_address(app, "10.0.0.1")
    for _ in range(3):                                             # typos cost nothing
        r = builders.login(here, "trainee", WRONG)
        assert r.status_code == 401 and "用户名或密码不正确" in r.text
    r = builders.login(here, "trainee")                            # the right password, a moment too early
    assert r.status_code == 429 and r.headers["retry-after"] == "5"
    assert "登录失败次数较多，请 5 秒后再试" in r.text and COOKIE not in r.headers.get("set-cookie", "")
    age_attempts(db, timedelta(seconds=6))
    assert builders.login(here, "trainee", WRONG).status_code == 401          # the 4th failure: 10 s
    assert "请 10 秒后再试" in builders.login(here, "trainee").text
    # five failures a minute ago (the old throttle locked the account for 15 minutes): in again
    age_attempts(db, timedelta(minutes=1))
    assert builders.login(here, "trainee").status_code == 303


def test_a_long_run_of_failures_waits_at_most_the_cap(app, db):
    builders.user(db, "trainee")
    failures(db, 200, username="trainee", addresses=["10.0.0.1"], ago=timedelta(minutes=15, seconds=1))
    assert builders.login(from_address(app, "10.0.0.1"), "trainee").status_code == 303


def test_a_success_on_a_device_starts_its_count_again(app, db):
    builders.user(db, "trainee")
    here = from_address(app, "10.0.0.1")
    failures(db, 3, username="trainee", addresses=["10.0.0.1"], ago=timedelta(minutes=1))
    assert builders.login(here, "trainee").status_code == 303
    here.post("/logout")
    assert builders.login(here, "trainee", WRONG).status_code == 401          # 1 failure since the success
    assert builders.login(here, "trainee").status_code == 303


def test_a_training_room_behind_one_address_is_not_held_up_by_its_neighbours_failures(app, db):
    builders.user(db, "trainee")
    failures(db, 300, username="", addresses=["10.0.0.5"])                    # 300 accounts, one failure each
    failures(db, 2, username="trainee", addresses=["10.0.0.5"])               # and two typos of one's own
    assert builders.login(from_address(app, "10.0.0.5"), "trainee").status_code == 303


def test_failures_spread_over_addresses_make_a_new_device_wait_but_not_one_that_logged_in_before(app, db):
    builders.user(db, "trainee")
    home = from_address(app, "10.0.0.2")
    r = builders.login(home, "trainee")
    assert r.status_code == 303
    (set_device,) = [c for c in r.headers.get_list("set-cookie") if c.startswith(DEVICE_COOKIE + "=")]
    flags = {a.strip().split("=")[0].lower(): a.strip() for a in set_device.split(";")[1:]}
    assert "httponly" in flags and flags["path"] == "Path=/login" and flags["samesite"].lower() == "samesite=lax"
    assert int(flags["max-age"].split("=")[1]) == 180 * 86400
    device = home.cookies.get(DEVICE_COOKIE)
    home.post("/logout")
    failures(db, 40, username="trainee", addresses=[f"10.9.0.{i}" for i in range(40)])   # one failure per address
    r = builders.login(from_address(app, "10.0.0.7"), "trainee")             # a device never used before
    assert r.status_code == 429 and r.headers["retry-after"] == "900"
    assert "该账号近期在多处登录失败" in r.text and "请 15 分钟后再试" in r.text
    assert "在以前成功登录过的设备上可直接登录" in r.text
    # the trainee's own device, now on another network (the cookie counts, not the address)
    travelling = from_address(app, "10.0.0.8")
    travelling.cookies.set(DEVICE_COOKIE, device, domain="testserver.local", path="/login")
    assert builders.login(travelling, "trainee").status_code == 303
    # a forged or altered device cookie is no device at all
    for forged in (device[:-2] + ("AA" if not device.endswith("AA") else "BB"), "[1, 2, 3]", "x"):
        stranger = from_address(app, "10.0.0.9")
        stranger.cookies.set(DEVICE_COOKIE, forged, domain="testserver.local", path="/login")
        assert builders.login(stranger, "trainee").status_code == 429, forged


def test_another_accounts_device_cookie_does_not_spare_this_account(app, db):
    builders.user(db, "trainee")
    builders.user(db, "neighbour")
    shared_pc = from_address(app, "10.0.0.3")
    assert builders.login(shared_pc, "neighbour").status_code == 303
    failures(db, 40, username="trainee", addresses=[f"10.9.0.{i}" for i in range(40)])
    assert builders.login(shared_pc, "trainee").status_code == 429


@pytest.fixture
def cohort_world(app, db):
    teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
    stranger = builders.user(db, "stranger", Role.instructor, display_name="别班教员")
    supervisor = builders.user(db, "supervisor", Role.supervisor, display_name="监督员")
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班", unit="某镇")
    cohorts.enrol_one(db, teacher, cohort, username="13800000001", display_name="李学员", unit="某镇")
    trainee = db.exec(select(User).where(User.username == "13800000001")).one()
    trainee.password_hash, trainee.must_change_password = accounts.hash_password(builders.PASSWORD), False
    db.add(trainee)
    db.commit()
    clients = {}
    for user in (teacher, stranger, supervisor, trainee):
        client = BrowserLikeClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, accounts.start_session(db, user, days=1), domain="testserver.local")
        clients[user.username] = client
    return cohort, trainee, clients


def test_an_instructor_of_the_trainees_cohort_lifts_the_throttle_from_the_cohort_page(app, db, cohort_world):
    cohort, trainee, clients = cohort_world
    failures(db, 40, username=trainee.username, addresses=[f"10.9.0.{i}" for i in range(40)])
    assert builders.login(from_address(app, "10.0.0.7"), trainee.username).status_code == 429
    teacher = clients["teacher"]
    page = teacher.get(f"/instructor/cohorts/{cohort.id}").text
    assert "近 24 小时登录失败 40 次" in page and "解除登录限制" in page
    lift = f"/instructor/cohorts/{cohort.id}/trainees/{trainee.id}/throttle"
    assert f'action="{lift}"' in page
    # not without the page's token, not by another cohort's instructor, not by the trainee
    assert teacher.post(lift, csrf=False).status_code == 403
    assert clients["stranger"].post(lift).status_code == 404
    assert clients[trainee.username].post(lift).status_code == 403
    assert builders.login(from_address(app, "10.0.0.7"), trainee.username).status_code == 429
    r = teacher.post(lift)
    assert r.status_code == 303 and r.headers["location"] == f"/instructor/cohorts/{cohort.id}"
    assert builders.login(from_address(app, "10.0.0.7"), trainee.username).status_code == 303
    (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "account.lift_throttle")).all()
    assert event.target == f"user:{trainee.id}" and event.detail["cohort_id"] == cohort.id
    assert "近 24 小时登录失败" not in teacher.get(f"/instructor/cohorts/{cohort.id}").text
    # new failures after the lift count again
    failures(db, 40, username=trainee.username, addresses=[f"10.8.0.{i}" for i in range(40)])
    assert builders.login(from_address(app, "10.0.0.9"), trainee.username).status_code == 429
    # a supervisor may lift it too
    assert clients["supervisor"].post(lift).status_code == 303
    assert builders.login(from_address(app, "10.0.0.9"), trainee.username).status_code == 303
