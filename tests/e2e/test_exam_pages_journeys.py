"""In headless Chromium, the trainee's exam pages (issue 18, part h3): from the
exams list to 考试须知, where nothing starts until 开始考试; answering, marking a
question for review and jumping to a question with the 答题卡, whose counts and
spoken names follow; submitting, and the result's header with 合格 and 用时.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser fixture this uses)."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from quizapp.models import Attempt, Question
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)
from tests.servers import Server


def serve_exam(site, folder, *, questions: int, env: dict | None = None, **exam):
    """A server over a database with trainees 张三, 李四 and 王五 and an exam of ``questions``
    single-choice questions (pass mark 50%): (its address, the tests' engine, each question's key)."""
    db_path = folder / "exam.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        builders.user(db)
        builders.user(db, "lisi", display_name="李四")
        builders.user(db, "wangwu", display_name="王五")
        chosen = db.exec(select(Question).where(Question.active == True, Question.volume == "v1-common",  # noqa: E712
                                                Question.type == "single").order_by(Question.id).limit(questions)).all()
        builders.exam(db, title="第一卷随堂测验", question_ids=[q.id for q in chosen], pass_percent=50,
                      time_limit_minutes=20, **exam)
        keys = {q.id: q.answer[0] for q in chosen}
    server = Server(url, db_path.with_suffix(".log"), env=env).start()
    try:
        yield server.wait_ready().base, engine, keys
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def exam_server(site, tmp_path_factory):
    """Four questions, at most 3 absences from the page."""
    yield from serve_exam(site, tmp_path_factory.mktemp("exam-pages"), questions=4, focus_loss_limit=3)


def answer(page, number: int, keys: dict[str, str]) -> None:
    section = page.locator(f"#q{number}")
    section.locator(f"input[value='{keys[section.get_attribute('data-question')]}']").check()
    section.locator(".q-state[data-state='saved']").wait_for()


def test_notice_start_answer_mark_jump_submit_and_the_verdict(exam_server, browser):
    base, engine, keys = exam_server
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name='username']", "zhangsan")
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)

    # the list leads to 考试须知; reading it starts no clock
    page.goto(base + "/exams/")
    page.locator("section.exam", has_text="第一卷随堂测验").locator("text=开始考试").click()
    page.wait_for_url("**/exams/*")
    notice = page.locator("section.exam-notice").inner_text()
    for fact in ("20 分钟", "共 4 题，满分 4 分", "得分率达到 50%（2 分）为合格", "剩余 1 次",
                 "累计超过 3 次将自动交卷", "不作为认定作弊的证明", "恢复连接后自动重新提交"):
        assert fact in notice, fact
    with Session(engine) as db:
        assert db.exec(select(Attempt)).all() == []
    page.click("#start-exam")
    page.wait_for_url("**/attempts/*")

    # answer two, mark the third, open the 答题卡
    answer(page, 1, keys)
    answer(page, 2, keys)
    page.locator("#q3 .mark-toggle").click()
    assert page.locator("#q3 .mark-toggle").get_attribute("aria-pressed") == "true"
    toggle = page.get_by_role("button", name=re.compile("答题卡"))
    assert toggle.get_attribute("aria-expanded") == "false" and page.locator("#answer-sheet").is_hidden()
    toggle.click()
    sheet = page.get_by_role("navigation", name="答题卡")
    assert sheet.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert sheet.locator("#sheet-counts").inner_text() == "已答 2 题 · 未答 2 题 · 标记 1 题"
    assert page.locator("#sheet-summary").inner_text() == "2/4"
    assert sheet.get_by_role("button", name="第 3 题，未作答，已标记").is_visible()
    assert sheet.get_by_role("button", name="第 1 题，已作答").is_visible()

    # jump by keyboard to the fourth: the sheet closes and the question has the focus
    sheet.get_by_role("button", name="第 4 题，未作答").focus()
    page.keyboard.press("Enter")
    assert page.locator("#answer-sheet").is_hidden()
    assert page.evaluate("document.activeElement.id") == "q4"
    assert page.locator("#q4").bounding_box()["y"] < 780
    answer(page, 4, keys)

    # the mark is kept in this browser across a reload
    page.reload()
    assert page.locator("#q3 .mark-toggle").get_attribute("aria-pressed") == "true"
    toggle.click()
    assert sheet.locator("#sheet-counts").inner_text() == "已答 3 题 · 未答 1 题 · 标记 1 题"
    assert sheet.get_by_role("button", name="第 4 题，已作答").is_visible()

    # hand in: the confirmation names what is left and marked; the result says 合格 and how long it took
    messages = []
    page.on("dialog", lambda d: (messages.append(d.message), d.accept()))
    page.click("#submit-form button[type='submit']")
    page.wait_for_url("**/result")
    assert "还有 1 题未作答" in messages[0] and "1 题标记待复查" in messages[0]
    header = page.locator("section.result-summary")
    assert "3 / 4 分" in header.inner_text() and "得分率 75%" in header.inner_text()
    assert page.locator("#verdict").inner_text() == "合格"
    assert re.fullmatch(r"用时 \d+ 分 \d\d 秒", page.locator("#time-used").inner_text())
    context.close()


def start_from_the_list(page, base: str) -> None:
    """考试 -> 开始考试 (考试须知) -> 开始考试: the exam page."""
    page.goto(base + "/exams/")
    page.locator("section.exam", has_text="第一卷随堂测验").locator("text=开始考试").click()
    page.wait_for_url("**/exams/*")
    page.click("#start-exam")
    page.wait_for_url("**/attempts/*")


def logged_in_page(browser, base: str, username: str, **context):
    context = browser.new_context(**{"viewport": {"width": 360, "height": 780}, **context})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def test_without_script_the_exam_page_claims_nothing_and_says_how_to_go_on(exam_server, browser):
    base, engine, keys = exam_server
    context, page = logged_in_page(browser, base, "lisi", java_script_enabled=False)
    page.goto(base + "/exams/")
    page.locator("section.exam", has_text="第一卷随堂测验").locator("text=开始考试").click()
    page.click("#start-exam")
    page.wait_for_url("**/attempts/*")
    # no 已保存, no clock that seems to run, no 答题卡 or marks that cannot work; 交卷 cannot send nothing
    assert page.locator("#save-state").is_hidden() and page.get_by_text("已保存", exact=True).count() == 0
    assert page.locator("#clock").is_hidden() and page.locator("#sheet-toggle").is_hidden()
    assert page.locator(".mark-toggle").first.is_hidden()
    assert page.locator("#submit-form button[type='submit']").is_disabled()
    notice = page.locator("#no-script").inner_text()
    assert "启用 JavaScript" in notice and "交卷按钮不可用" in notice and "刷新本页" in notice
    page.screenshot(path=str(ARTIFACTS / "exam-without-script-360.png"))
    context.close()
    with Session(engine) as db:
        assert db.exec(select(Attempt).where(Attempt.status == "open")).one().submitted_at is None
    # with script the same page shows the clock and the save state, and 交卷 works
    context, page = logged_in_page(browser, base, "lisi")
    with Session(engine) as db:
        attempt = db.exec(select(Attempt).where(Attempt.status == "open")).one()
    page.goto(f"{base}/attempts/{attempt.id}")
    page.locator("#save-state", has_text="已保存").wait_for()
    assert page.locator("#clock").is_visible() and page.locator("#sheet-toggle").is_visible()
    assert page.locator("#submit-form button[type='submit']").is_enabled()
    context.close()


def test_the_result_has_a_coloured_jump_bar_and_a_wrong_only_filter_that_works_without_script(exam_server, browser):
    base, engine, keys = exam_server
    context, page = logged_in_page(browser, base, "wangwu")
    start_from_the_list(page, base)
    answer(page, 1, keys)
    answer(page, 3, keys)
    page.on("dialog", lambda d: d.accept())
    page.click("#submit-form button[type='submit']")
    page.wait_for_url("**/result")
    result_url = page.url
    context.close()
    context, page = logged_in_page(browser, base, "wangwu", java_script_enabled=False)
    page.goto(result_url)
    bar = page.get_by_role("navigation", name="题号导航")
    assert [a.get_attribute("aria-label") for a in bar.locator("a.jump-item").all()] == [
        "第 1 题，答对", "第 2 题，未作答", "第 3 题，答对", "第 4 题，未作答"]     # 2 and 4 were left blank
    right = bar.locator("a.jump-item.right").first.evaluate("e => getComputedStyle(e).color")
    blank = bar.locator("a.jump-item.unanswered").first.evaluate("e => getComputedStyle(e).color")
    assert right != blank and blank == "rgb(198, 40, 40)"
    assert page.locator("section.result-item").count() == 4
    bar.get_by_role("link", name="只看错题（2）").click()
    assert page.url.endswith("?wrong=1")
    assert [s.get_attribute("id") for s in page.locator("section.result-item").all()] == ["r2", "r4"]
    page.screenshot(path=str(ARTIFACTS / "result-wrong-only-360.png"))
    context.close()


@pytest.fixture(scope="module")
def busy_server(site, tmp_path_factory):
    """Two questions; every hand-in left to the worker's grader (as in a common deadline's minute)."""
    yield from serve_exam(site, tmp_path_factory.mktemp("busy"), questions=2,
                          env={"GRADE_IN_REQUEST_PER_SECOND": "0"})


@pytest.mark.parametrize("width, username", [(360, "zhangsan"), (1280, "lisi")])
def test_on_a_busy_server_the_hand_in_says_it_is_being_graded_and_the_score_follows(busy_server, browser, width,
                                                                                    username):
    base, engine, keys = busy_server
    context, page = logged_in_page(browser, base, username, viewport={"width": width, "height": 780})
    start_from_the_list(page, base)
    answer(page, 1, keys)
    answer(page, 2, keys)
    page.on("dialog", lambda d: d.accept())
    page.click("#submit-form button[type='submit']")
    note = page.locator("#handed-in")
    note.wait_for()
    assert re.fullmatch(r"已交卷，正在评分。约 \d+ 秒后显示成绩；也可稍后在“我的成绩”中查看。", note.inner_text())
    assert page.locator("#q1 input").first.is_disabled()             # the paper is closed
    page.screenshot(path=str(ARTIFACTS / f"handed-in-{width}.png"))
    assert "/result" not in page.url                                 # no page load at the hand-in itself
    page.wait_for_url("**/result", timeout=20_000)                   # after the server's estimate
    assert page.locator("#verdict").inner_text() == "合格"
    assert "2 / 2 分" in page.locator("section.result-summary").inner_text()
    context.close()
