"""In headless Chromium, the instructor's journeys of issue 18 (helper h4):
find a question in the bank browser by filters and search, open it and see
its key, explanation and statistics across exams; preview a blueprint exam
twice and see two draws; on the results page, open a column's explanation
by tapping it.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser
fixture this module uses). The server runs over a database seeded here: an
instructor, a cohort of four trainees who took a fixed paper, and a
blueprint exam."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from quizapp import cohorts, exams
from quizapp.models import Enrolment, Question, Role, User
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import browser  # noqa: F401 (fixture)
from tests.servers import Server



@pytest.fixture(scope="module")
def bank_server(site, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("bank") / "bank.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        teacher = builders.user(db, "laoshi", Role.instructor, display_name="王教员")
        cohort = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
        for n in range(4):
            cohorts.enrol_one(db, teacher, cohort, username=f"xy-{n}", display_name=f"学员{n}", unit="某镇")
        trainees = list(db.exec(select(User).join(Enrolment, Enrolment.user_id == User.id)
                                .where(Enrolment.cohort_id == cohort.id).order_by(User.id)))
        singles = list(db.exec(select(Question).where(Question.active == True, Question.type == "single",  # noqa: E712
                                                      Question.pool == "practice", Question.step == "听证")
                               .order_by(Question.id)))
        target = singles[0]
        fixed = builders.exam(db, title="听证专题测验", cohort_id=cohort.id, created_by=teacher.id,
                              question_ids=[q.id for q in singles[:4]])
        for n, trainee in enumerate(trainees):          # two right on everything, two wrong: 50 %
            attempt = exams.start_attempt(db, trainee, fixed.id)
            for item in attempt.paper:
                q = db.get(Question, item["question_id"])
                exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, n < 2))
            exams.submit(db, trainee, attempt.id)
        blueprint = builders.exam(db, title="第一卷结业考试", cohort_id=cohort.id, created_by=teacher.id,
                                  blueprint=[{"count": 6, "volume": "v1-common", "type": "single"}])
        seeded = {"target": {"id": target.id, "stem": target.stem, "answer": list(target.answer),
                             "quote": target.basis[0]["quote"]},
                  "blueprint": blueprint.id, "fixed": fixed.id, "fixed_count": len(fixed.question_ids)}
    engine.dispose()
    with Server(url, db_path.with_suffix(".log")).running() as base:
        yield base, seeded


def instructor_page(browser, base, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + "/login")
    page.fill("input[name='username']", "laoshi")
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


@pytest.mark.parametrize("width", [360, 1280])
def test_an_instructor_finds_a_question_by_filters_and_search_and_sees_its_key_and_statistics(
        bank_server, browser, width):
    base, seeded = bank_server
    target = seeded["target"]
    page = instructor_page(browser, base, width)
    page.goto(base + "/instructor/")
    page.click("text=题库浏览")
    page.select_option("form.bank-filters select[name='step']", "听证")
    page.select_option("form.bank-filters select[name='type']", "single")
    page.fill("form.bank-filters input[name='q']", target['stem'][4:14])
    page.click("button:has-text('查找')")
    page.wait_for_url("**/instructor/bank/?*")
    links = page.locator("ol.bank-list li > a")
    assert links.count() >= 1
    assert page.locator("h2").first.inner_text().startswith("共 ")
    page.click(f"ol.bank-list a[href^='/instructor/bank/{target['id']}?']")
    page.wait_for_url(f"**/instructor/bank/{target['id']}*")
    body = page.locator("main").inner_text()
    assert target['stem'] in body
    assert "答案：" in body and "解析" in body and target['quote'][:20] in body
    assert page.locator("ul.options li.right").count() == len(target['answer'])
    row = page.locator("table.item-stats tbody tr").first
    assert "听证专题测验" in row.inner_text() and "\t50%\t" in row.inner_text()
    # a column's explanation opens on a tap
    help_ = page.locator("details.stat-help", has_text="难易度")
    assert not help_.locator(".stat-help-text").is_visible()
    help_.locator("summary").click()
    assert help_.locator(".stat-help-text").is_visible()
    assert "平均得分占本题满分的比例" in help_.inner_text()
    # back to the list as filtered
    page.click("p.crumbs a:has-text('题库浏览')")
    assert page.locator("form.bank-filters select[name='step']").input_value() == "听证"
    assert page.locator("form.bank-filters input[name='q']").input_value() == target['stem'][4:14]
    page.close()


def test_a_blueprint_exam_previews_a_new_draw_each_time_with_keys(bank_server, browser):
    base, seeded = bank_server
    page = instructor_page(browser, base, 1280)
    page.goto(base + f"/instructor/exams/{seeded['blueprint']}")
    page.click("text=预览试卷")
    page.wait_for_url(f"**/instructor/exams/{seeded['blueprint']}/preview")

    def draw() -> list[str]:
        assert "每位学员开考时各自抽取一份试卷" in page.locator("main").inner_text()
        assert page.locator("ol.preview-paper > li").count() == 6
        assert page.locator("ol.preview-paper p.part-key").count() == 6         # the key, no verdict (nobody answered)
        return [page.locator("ol.preview-paper > li p.stem").nth(n).inner_text() for n in range(6)]

    draws = [draw()]
    for _ in range(4):
        page.click("text=重新抽取一份样卷")
        page.wait_for_load_state()
        draws.append(draw())
        if draws[-1] != draws[0]:
            break
    assert draws[-1] != draws[0], "five draws of 6 questions were all the same"
    page.close()


def test_item_statistics_show_the_question_and_explain_a_column_on_tap(bank_server, browser):
    base, seeded = bank_server
    page = instructor_page(browser, base, 360)
    page.goto(base + f"/instructor/exams/{seeded['fixed']}/results")
    first = page.locator("table.item-stats td.item-question details").first
    first.locator("summary").click()
    assert "在题库中查看答案、解析和历次统计" in first.inner_text()
    # on a phone the table is a card per question, its heads hidden: the columns are explained above it
    glossary = page.locator("details.stat-glossary").first
    glossary.locator("summary").click()
    assert glossary.get_by_text("本题得分与其余题目总分的相关系数").is_visible()
    assert page.locator("table.item-stats td[data-label='区分度']").first.is_visible()
    assert page.locator("table.item-stats a:has-text('报告问题')").count() == seeded["fixed_count"]
    page.close()
