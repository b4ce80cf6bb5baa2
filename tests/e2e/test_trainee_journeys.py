"""In headless Chromium, the trainee's daily work (issue 18):
redo mistakes from 错题本 by volume and by step and finish the set with a
summary; submit the needs survey, see it confirmed as success, reopen it
read-only.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser
fixture this module uses); starts its own server over a prepared database."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from quizapp import cohorts, surveys
from quizapp.models import Role
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)
from tests.servers import Server


@pytest.fixture(scope="module")
def trainee_server(site, tmp_path_factory):
    """A server with one trainee enrolled in a cohort that has a needs survey."""
    db_path = tmp_path_factory.mktemp("trainee") / "trainee.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        builders.user(db)
        teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
        cohort = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
        cohorts.enrol_one(db, teacher, cohort, username="zhangsan", display_name="张三", unit="某镇")
        builders.user(db, "lisi", display_name="李四")
        cohorts.enrol_one(db, teacher, cohort, username="lisi", display_name="李四", unit="某镇")
        surveys.create_survey(db, teacher, cohort, title="第一期训前需求调查")
    engine.dispose()
    with Server(url, db_path.with_suffix(".log")).running() as base:
        yield base


def logged_in(browser, base: str, width: int, username: str = "zhangsan"):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(base + "/login")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def answer(page, first: bool) -> None:
    """Answer the question on the page with the first (or the last) option of each group (options are shuffled)."""
    for fieldset in page.locator("fieldset.options").all():
        options = fieldset.locator("label.option")
        (options.first if first else options.last).click()
    page.click("text=提交答案")
    page.locator(".verdict").wait_for()


def progress(page) -> tuple[int, int]:
    m = re.search(r"第 (\d+) 题 / 共 (\d+) 题", page.locator(".set-progress").inner_text())
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("width", [360, 1280])
def test_redo_mistakes_by_volume_and_by_step_then_finish_with_a_summary(trainee_server, browser, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = logged_in(browser, trainee_server, width)
    # A practice set on 听证: every question answered, the set ends with a summary.
    page.goto(trainee_server + "/practice/next?step=听证")
    number, total = progress(page)
    assert number == 1 and 1 < total <= 20
    for n in range(1, total + 1):
        assert progress(page) == (n, total)
        answer(page, first=False)
        page.reload()                                    # the explanation is a GET: a refresh asks nothing
        assert page.locator(".verdict").inner_text().startswith("回答")
        page.click("a.button.primary")
    assert page.locator("h1").inner_text() == "本组练习完成"
    # 错题本: the wrong ones, by volume and step, with the next review date; no FSRS in words.
    page.click("text=查看错题本")
    page.wait_for_url("**/mistakes/")
    body = page.locator("main").inner_text()
    assert "FSRS" not in body and "按遗忘规律安排复习" in body and "下一次复习安排在" in body
    in_book = int(re.search(r"听证（(\d+) 题）", body).group(1))
    assert in_book >= 1
    page.screenshot(path=str(ARTIFACTS / f"mistakes-{width}.png"), full_page=True)
    page.click("text=练习本环节错题")
    assert progress(page) == (1, in_book) and "练习错题" in page.locator(".crumbs").inner_text()
    assert page.locator("nav .tab.active").inner_text() == "错题本"
    for _ in range(in_book):
        answer(page, first=True)
        page.click("a.button.primary")
    assert page.locator("h1").inner_text() == "本组练习完成"
    figures = page.locator("dl.figures").inner_text()
    assert re.search(rf"题数\s*{in_book}", figures) and "用时" in figures
    page.screenshot(path=str(ARTIFACTS / f"practice-summary-{width}.png"), full_page=True)
    # by volume, from the book
    page.goto(trainee_server + "/mistakes/")
    page.click("text=练习本卷错题")
    assert progress(page)[0] == 1 and "第一卷" in page.locator(".crumbs").inner_text()
    # nothing is due today: the review page says when, never 「今天的复习已全部完成」
    page.goto(trainee_server + "/mistakes/review")
    text = page.locator("main").inner_text()
    assert "今天的复习已全部完成" not in text and "下一次复习安排在" in text
    page.close()


def test_submit_the_survey_see_success_and_reopen_it_read_only(trainee_server, browser):
    page = logged_in(browser, trainee_server, 360)
    page.goto(trainee_server + "/surveys/")
    page.click("text=填写")
    for scale in page.locator("fieldset.rating .scale").all():
        scale.locator("label").nth(1).click()                   # every rating: 2
    page.fill("textarea[name='q0']", "听证程序不熟悉")
    page.click("main button[type='submit']")
    page.wait_for_url("**/surveys/*?submitted=1")
    assert page.locator("h1").inner_text() == "第一期训前需求调查"
    assert "无法完成操作" not in page.content() and page.locator(".alert.error").count() == 0
    assert "提交成功" in page.locator(".alert.ok").inner_text()
    page.reload()                                                 # a GET: no resubmission
    page.goto(trainee_server + "/surveys/")
    page.click("text=查看我的回答")
    assert page.locator("input[type='radio']").count() == 0 and page.locator("textarea").count() == 0
    assert "听证程序不熟悉" in page.locator("main").inner_text()
    assert page.locator("table.survey-given tbody tr").first.locator("td.num").all_inner_texts() == ["2", "2"]
    page.screenshot(path=str(ARTIFACTS / "survey-read-only-360.png"), full_page=True)
    page.close()


def test_every_survey_rating_is_a_tap_target_of_at_least_24_px_on_a_phone(trainee_server, browser):
    page = logged_in(browser, trainee_server, 360, "lisi")
    page.goto(trainee_server + "/surveys/")
    page.click("text=填写")
    labels = page.locator("fieldset.rating .scale label")
    assert labels.count() >= 48 * 5 // 2                         # 24 topics × 2 scales × 5 choices
    for label in labels.all()[:20] + labels.all()[-10:]:
        box, radio = label.bounding_box(), label.locator("input[type='radio']").bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box      # WCAG 2.5.8: the label is the target
        assert radio["width"] >= 24 and radio["height"] >= 24, radio
        assert label.inner_text().strip() in "12345"               # the number stays beside the button
    # a scale still fits one row at 360 px, and a tap on the label's edge chooses it
    scale = page.locator("fieldset.rating .scale").first
    tops = {round(lb.bounding_box()["y"]) for lb in scale.locator("label").all()}
    assert len(tops) == 1
    target = scale.locator("label").nth(3)
    box = target.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 3, box["y"] + box["height"] - 3)
    assert target.locator("input").is_checked()
    page.screenshot(path=str(ARTIFACTS / "survey-targets-360.png"))
    page.close()


def test_a_statute_quoted_under_an_explanation_keeps_its_items_on_their_own_lines(trainee_server, browser):
    page = logged_in(browser, trainee_server, 360, "lisi")
    page.goto(trainee_server + "/practice/next?ids=v1-st-001")       # 行政处罚的种类：（一）警告…（二）罚款…
    answer(page, first=True)
    quote = page.locator("blockquote.statute p:not(.source)").first.inner_text()
    assert "\n（二）" in quote and "\n（三）" in quote
    page.close()
