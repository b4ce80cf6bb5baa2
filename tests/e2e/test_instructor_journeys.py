"""In headless Chromium (issue 18, instructor operations): the live status
of an exam updates itself while the instructor watches, and a destructive
action (停用) asks first and does nothing when cancelled.

Needs /usr/bin/chromium (Debian's package; .ci/run installs it). Without it
the test is skipped with that reason, except under CI=true, where it fails."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from quizapp import cohorts, exams
from quizapp.content import ROOT
from quizapp.models import AuditEvent, Role, User
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import browser  # noqa: F401 (fixture)
from tests.servers import Server

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def world(site, tmp_path_factory):
    """A server over a database with 王老师, his cohort of two and his exam for everyone."""
    db_path = tmp_path_factory.mktemp("instructor") / "ops.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
        cohort = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
        for login, name in (("13800000001", "张某"), ("13800000002", "李某")):
            cohorts.enrol_one(db, teacher, cohort, username=login, display_name=name, unit="某镇")
        exam = builders.exam(db, title="全员普法考试", created_by=teacher.id)
        ids = {"exam": exam.id, "cohort": cohort.id}
    server = Server(url, db_path.with_suffix(".log")).start()
    try:
        yield server.wait_ready().base, engine, ids
    finally:
        server.stop()
        engine.dispose()


def logged_in(browser, base: str, width: int = 1280, height: int = 900):  # noqa: F811 (the fixture's value)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.clock.install()                       # the page's timers run when the test moves the clock
    page.goto(base + "/login")
    page.fill("input[name='username']", "teacher")
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_the_live_status_updates_itself_every_30_seconds(world, browser):  # noqa: F811
    base, engine, ids = world
    page = logged_in(browser, base, height=400)
    page.goto(f"{base}/instructor/exams/{ids['exam']}")
    status = page.locator("#live-status")
    assert "未开始 2" in status.inner_text() and "作答中 0" in status.inner_text()
    page.evaluate("window.scrollTo(0, 200)")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    with Session(engine) as db:                # meanwhile 张某 starts the exam
        exams.start_attempt(db, db.exec(select(User).where(User.username == "13800000001")).one(), ids["exam"])
    page.clock.run_for(29_000)
    assert "作答中 0" in status.inner_text()   # not before 30 s
    page.clock.run_for(2_000)
    expect(status).to_contain_text("作答中 1")
    assert "未开始 1" in status.inner_text()
    assert page.evaluate("window.scrollY") == scrolled              # the page kept its place
    assert page.locator("#live-status form.extend").count() == 1    # the extension form of 张某's attempt
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "instructor-live-status-1280.png"), full_page=True)
    page.close()


def test_deactivating_a_trainee_asks_first_and_cancelling_changes_nothing(world, browser):  # noqa: F811
    base, engine, ids = world
    page = logged_in(browser, base, 360)
    page.goto(f"{base}/instructor/cohorts/{ids['cohort']}")
    questions = []

    def answer(accept: bool):
        def handle(dialog):
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handle

    row = page.locator("tr", has_text="李某")
    page.once("dialog", answer(False))
    row.locator("button", has_text="停用").click()
    page.wait_for_timeout(300)
    assert questions == ["停用 李某 的账号？停用后其不能登录，直至重新启用。"]
    with Session(engine) as db:
        assert db.exec(select(User).where(User.username == "13800000002")).one().active
    page.once("dialog", answer(True))
    with page.expect_navigation():
        row.locator("button", has_text="停用").click()
    assert len(questions) == 2
    assert page.locator("tr", has_text="李某").locator("button", has_text="已停用，重新启用").count() == 1
    with Session(engine) as db:
        assert not db.exec(select(User).where(User.username == "13800000002")).one().active
    page.close()


def test_on_a_phone_the_trainees_come_first_as_cards_and_a_reset_shows_its_password_after_a_redirect(world, browser):  # noqa: F811
    base, engine, ids = world
    page = logged_in(browser, base, 360, 740)
    page.goto(f"{base}/instructor/cohorts/{ids['cohort']}")
    reset = page.locator("table.trainees button", has_text="重置密码").first
    box = reset.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360                     # in reach, no sideways scroll
    assert page.locator("h2", has_text="学员（").bounding_box()["y"] < page.locator("h2", has_text="逐个添加学员").bounding_box()["y"]
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        reset.click()
    if "handover=" not in page.url:                  # 张某 is in the exam: the page asks once more
        assert "正在考试" in page.locator("#confirm").inner_text()
        with page.expect_navigation():
            page.locator("#confirm button", has_text="确认重置密码").click()
    assert "handover=" in page.url
    password = page.locator("#result strong.secret").inner_text()
    assert password and password not in page.url
    page.reload()
    assert page.locator("#result strong.secret").inner_text() == password        # a reload resets nothing
    with Session(engine) as db:
        assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "account.reset_password")).all()) == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "instructor-cohort-reset-360.png"))
    page.close()


def test_the_weak_topics_of_the_results_are_readable_at_1280_pixels(world, browser):  # noqa: F811
    base, engine, ids = world
    with Session(engine) as db:
        zhang = db.exec(select(User).where(User.username == "13800000001")).one()
        attempt = exams.start_attempt(db, zhang, ids["exam"])          # the open one, if the live-status test began it
        exams.submit(db, zhang, attempt.id)
    page = logged_in(browser, base, 1280, 800)
    page.goto(f"{base}/instructor/exams/{ids['exam']}/results")
    table = page.locator("table.topics")
    line = table.locator("tbody td").first.evaluate("td => parseFloat(getComputedStyle(td).lineHeight) || 24")
    for heading in ("主题", "训前自评", "训前测验"):
        assert table.locator("th", has_text=heading).bounding_box()["height"] < 2 * line + 16, heading   # one line
    topic = table.locator("tbody td").first.bounding_box()
    assert topic["width"] > 200 and topic["height"] < 2 * line + 16
    bar = table.locator("tbody td:nth-child(2)").first.bounding_box()
    assert bar["width"] < 0.6 * table.bounding_box()["width"]
    page.screenshot(path=str(ARTIFACTS / "instructor-results-topics-1280.png"), full_page=True)
    page.close()
