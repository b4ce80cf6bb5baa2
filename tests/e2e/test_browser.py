"""In headless Chromium: search the handbook, log in, answer a practice question.

Needs /usr/bin/chromium (Debian's package; .ci/run installs it). Without it
the test is skipped with that reason, except under CI=true, where it fails."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.content import ROOT
from tests.conftest import IN_CI
from tests.e2e.handbook_search import RESULT, search
from tests.servers import Server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(built_site, tmp_path_factory):
    """The platform as `manage.py run` starts it: setup, then uvicorn, on a free port."""
    db = tmp_path_factory.mktemp("db") / "e2e.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SITE_DIR": str(built_site),
           "ADMIN_PASSWORD": "teacher-pass-1"}
    py = [sys.executable, "-m", "quizapp"]
    subprocess.run(py + ["setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    for username, password, name in (("xueyuan", "trainee-pass-1", "李学员"), ("kaosheng", "exam-pass-1", "赵考生"),
                                     ("duzhe", "reader-pass-1", "孙读者"), ("jianding", "cert-pass-1", "钱考生")):
        subprocess.run(py + ["create-user", username, password, "--name", name], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    server = Server(env["DATABASE_URL"], db.with_suffix(".log"), sweep_seconds=30, site_dir=built_site).start()
    try:
        yield server.wait_ready().base
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


PASSWORDS = {360: "trainee-pass-1", 1280: "trainee-pass-2"}   # the second run logs in after the change


@pytest.mark.parametrize("width", [360, 1280])
def test_search_then_login_and_practise(server, browser, width):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(server + "/")
    assert "镇街综合行政执法教程" in page.title()

    # Search the handbook for 先行登记保存: the first result is the guide section that explains it.
    links = search(page, "先行登记保存")
    assert "/guide/compulsory-measures/#先行登记保存" in links[0]
    page.screenshot(path=str(ARTIFACTS / f"handbook-search-results-{width}.png"))
    page.locator(RESULT).first.click()
    page.wait_for_url("**/guide/compulsory-measures/**")
    assert "先行登记保存" in page.locator("article").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"handbook-search-{width}.png"))

    # Log in and answer one practice question.
    login(page, server, "xueyuan", PASSWORDS[width], "trainee-pass-2")
    page.goto(server + "/practice/")
    page.wait_for_url("**/practice/")
    page.click("text=随机练习")
    for fieldset in page.locator("fieldset.options").all():      # a case question has one fieldset per part
        fieldset.locator("label.option").first.click()
    page.screenshot(path=str(ARTIFACTS / f"practice-question-{width}.png"))
    page.click("text=提交答案")
    verdict = page.locator(".verdict")
    verdict.wait_for()
    assert verdict.inner_text().startswith("回答")
    assert page.locator(".explanation").first.inner_text().strip()
    assert "/volumes/" in page.locator("a.handbook-link").get_attribute("href")
    page.screenshot(path=str(ARTIFACTS / f"practice-feedback-{width}.png"), full_page=True)
    page.close()


def login(page, server, username, password, new_password):
    """Log in; on a first login change the initial password."""
    page.goto(server + "/login")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", password)
    page.click("main button[type='submit']")
    if "/account/password" in page.url:
        page.fill("input[name='old']", password)
        page.fill("input[name='new']", new_password)
        page.fill("input[name='again']", new_password)
        page.click("main button[type='submit']")
        page.click("text=继续")


def seconds_left(page) -> int:
    m = re.match(r"(\d+) 分 (\d+) 秒", page.locator("#clock").inner_text())
    return int(m.group(1)) * 60 + int(m.group(2))


def test_a_timed_exam_on_a_phone_keeps_answers_and_clock_across_a_reload(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    teacher = browser.new_page(viewport={"width": 1280, "height": 900})
    login(teacher, server, "instructor", "teacher-pass-1", "teacher-pass-2")
    teacher.goto(server + "/instructor/exams/new")
    teacher.fill("input[name='title']", "第一卷阶段测试")
    teacher.fill("input[name='count-0']", "4")
    teacher.select_option("select[name='volume-0']", "v1-common")
    teacher.fill("input[name='time_limit_minutes']", "20")
    teacher.check("input[name='shuffle_options']")
    teacher.screenshot(path=str(ARTIFACTS / "instructor-new-exam-1280.png"), full_page=True)
    teacher.click("text=创建考试")
    teacher.wait_for_url("**/instructor/exams/*")
    teacher.close()

    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    login(page, server, "kaosheng", "exam-pass-1", "exam-pass-2")
    page.goto(server + "/exams/")
    page.click("text=开始考试")                 # the list leads to 考试须知; its button starts the clock
    page.click("#start-exam")
    page.wait_for_url("**/attempts/*")
    sections = page.locator("section[data-question]")
    assert sections.count() == 4
    chosen = []
    for i in range(2):
        section = sections.nth(i)
        section.locator("label.option").first.click()
        chosen.append(section.get_attribute("data-question"))
        section.locator(".q-state[data-state='saved']").wait_for()
    assert page.locator("#save-state").inner_text() == "已保存"

    # The network drops: the third answer is kept on the page and marked 未保存 until it reaches the server.
    context.set_offline(True)
    third = sections.nth(2)
    third.locator("label.option").first.click()
    third.locator(".q-state[data-state='unsaved']").wait_for()
    assert "未保存" in page.locator("#save-state").inner_text()
    page.screenshot(path=str(ARTIFACTS / "exam-offline-360.png"))
    context.set_offline(False)
    third.locator(".q-state[data-state='saved']").wait_for(timeout=40000)
    chosen.append(third.get_attribute("data-question"))
    assert page.locator("#save-state").inner_text() == "已保存"
    before = seconds_left(page)
    assert 0 < before <= 20 * 60
    page.screenshot(path=str(ARTIFACTS / "exam-360.png"), full_page=True)

    page.wait_for_timeout(1500)
    page.reload()
    for qid in chosen:
        section = page.locator(f"section[data-question='{qid}']")
        assert section.locator("input:checked").count() == 1
        assert section.locator(".q-state").inner_text() == "已保存"
    after = seconds_left(page)
    assert after < before and after > before - 30          # the server's clock went on

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("text=交卷")
    page.wait_for_url("**/result")
    assert "成绩" in page.locator("h1").inner_text()
    assert page.locator(".explanation").count() >= 4
    page.screenshot(path=str(ARTIFACTS / "exam-result-360.png"), full_page=True)
    context.close()


def login_teacher(page, server):
    """The instructor, whether or not an earlier test has changed the initial password."""
    login(page, server, "instructor", "teacher-pass-2", "teacher-pass-3")
    if "/login" in page.url:
        login(page, server, "instructor", "teacher-pass-1", "teacher-pass-2")


def test_reloads_and_a_glance_away_count_for_nothing_in_a_certifying_exam(server, browser):
    """The reviewer's walk: a certifying exam with a limit of 2 absences; five reloads and a one-second
    switch of apps are logged but not counted; an absence of four seconds counts and the page says so."""
    teacher = browser.new_page(viewport={"width": 1280, "height": 900})
    login_teacher(teacher, server)
    teacher.goto(server + "/instructor/exams/new")
    teacher.fill("input[name='title']", "第一卷结业考试（演练）")
    teacher.check("input[name='certifying']")
    teacher.fill("input[name='count-0']", "4")
    teacher.select_option("select[name='volume-0']", "v1-common")
    teacher.fill("input[name='focus_loss_limit']", "2")
    assert teacher.locator("input[name='shuffle_options']").is_checked()          # on by default
    teacher.click("text=创建考试")
    teacher.wait_for_url("**/instructor/exams/*")
    exam_url = teacher.url

    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    login(page, server, "jianding", "cert-pass-1", "cert-pass-2")
    page.goto(server + "/exams/")
    page.locator("section.exam", has_text="演练").locator("text=开始考试").click()
    page.click("#start-exam")
    page.wait_for_url("**/attempts/*")
    assert "不作为认定作弊的证明" in page.content()
    for _ in range(5):
        page.reload()
        page.locator("section[data-question]").first.wait_for()
        page.wait_for_timeout(300)
    page.evaluate("window.dispatchEvent(new Event('blur'))")       # a notification shade: one second
    page.wait_for_timeout(1000)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_timeout(800)
    page.reload()
    page.locator("section[data-question]").first.wait_for()
    assert page.locator("#warning").is_hidden()                     # nothing counted so far
    page.evaluate("window.dispatchEvent(new Event('blur'))")       # away for four seconds: counts
    page.wait_for_timeout(4000)
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.locator("#warning:not([hidden])").wait_for()
    assert page.locator("#warning").inner_text() == "已离开考试页面 1 次，上限 2 次。"
    page.screenshot(path=str(ARTIFACTS / "exam-warning-360.png"))
    page.reload()
    assert page.locator("#warning").inner_text() == "已离开考试页面 1 次，上限 2 次。"    # still shown after a reload
    context.close()

    teacher.goto(exam_url)
    teacher.locator("a", has_text="记录").first.click()
    log = teacher.locator("section.card", has_text="页面与网络事件")
    assert log.locator("tr", has_text="重新载入页面").count() >= 6
    assert log.locator("td", has_text="是").count() == 1
    teacher.screenshot(path=str(ARTIFACTS / "instructor-integrity-log-1280.png"), full_page=True)
    teacher.close()


@pytest.mark.parametrize("case", ["volumes/v1-common/cases/case-01-unpermitted-factory-building-hearing",
                                  "volumes/v5-urban/cases/case-04-restaurant-fumes",
                                  "volumes/v2-natural-resources/cases/case-01-house-on-contracted-farmland",
                                  "volumes/v3-agriculture/cases/case-01-banned-pesticide-on-cowpeas",
                                  "volumes/v6-market/cases/case-03-expired-bread-in-small-shop",
                                  "volumes/v8-water/cases/case-05-orchard-on-steep-slope",
                                  "volumes/v7-transport/cases/case-04-village-road-junction-with-provincial-road",
                                  "volumes/v4-health/cases/case-01-unlicensed-dental-clinic"])
def test_from_a_case_pitfall_to_the_article_and_back_in_one_tap_each(server, browser, case):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto(server + f"/{case}/")
    pitfall = page.locator(".admonition.danger").first
    pitfall_id = page.locator(".pitfall-anchor").first.get_attribute("id")
    pitfall.locator(".admonition.quote .admonition-title a").first.click()        # tap 1: to the article
    page.wait_for_url("**#art-*")
    article = page.url.rsplit("#", 1)[1]
    back = page.locator(f'#{article} + .admonition.abstract a[href$="#{pitfall_id}"]').first
    back.click()                                                                   # tap 2: back to the 易错点
    page.wait_for_url(f"**/{case}/#*")
    from urllib.parse import unquote
    assert unquote(page.url.rsplit("#", 1)[1]) == pitfall_id
    page.screenshot(path=str(ARTIFACTS / f"pitfall-back-360-{case.split('/')[1]}.png"))
    page.close()


def test_the_results_page_draws_its_charts_without_the_network(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, server, "instructor", "teacher-pass-1", "teacher-pass-2")
    page.goto(server + "/instructor/exams/new")
    page.fill("input[name='title']", "图表检查")
    page.fill("input[name='count-0']", "3")
    page.click("text=创建考试")
    page.wait_for_url("**/instructor/exams/*")
    page.click("text=成绩与题目分析")
    page.wait_for_url("**/results")
    assert page.locator("svg.histogram rect").count() == 10
    assert page.locator("svg.histogram").is_visible()
    page.screenshot(path=str(ARTIFACTS / "results-1280.png"), full_page=True)
    assert all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]
    page.close()


def test_a_reader_reports_a_problem_on_the_section_being_read(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    login(page, server, "duzhe", "reader-pass-1", "reader-pass-2")
    page.goto(server + "/volumes/v1-common/cases/case-09-revoked-on-review/")
    section = page.locator("article h2[id]").nth(3)
    section_id = section.get_attribute("id")
    section.locator("a.report-section").click()               # the small 纠错 link beside the heading
    page.wait_for_url(re.compile(r"/reports/new\?page_path=.+&section="))
    assert page.locator("select[name='section'] option:checked").get_attribute("value") == section_id
    page.check("input[value='unclear']")
    page.fill("textarea[name='text']", "本节对复议决定撤销理由的分析表述不够清楚，建议补充勘验笔录的要求。")
    page.screenshot(path=str(ARTIFACTS / "report-form-360.png"), full_page=True)
    page.click("main button[type='submit']")
    page.wait_for_url(re.compile(r"/reports/\?sent=1(&back=[^&]+)?$"))
    assert "勘验" in page.locator("main").inner_text() and "新提交" in page.locator("main").inner_text()
    page.close()
