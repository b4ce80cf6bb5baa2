"""In headless Chromium, the instructor's and editor's pages at 360 and 1280 px, as a usability walk found
them wanting: what decides stays readable and in view, nothing is cut off.

- 题库分布 fits a PC's page with every volume (第一卷 … 第八卷) and, on a phone, scrolls sideways with the
  step's name kept in view;
- on a phone the roster's 检查结果, 题目分析's figures and 需求排序's 掌握/频率/优先度 are on the screen
  (cards), never off to the right;
- the new exam's 题目来源 shows its longest choice on a PC, and on a phone every field of every rule is on
  the screen;
- the report queue's 状态 and 经办 are one line each on a PC;
- a report's form is reached from the top of the page on a phone, and saving it says 已保存;
- the initial-password workbook's button gives way to a note once it is used.

Needs /usr/bin/chromium (skipped without it, except under CI=true)."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from quizapp import cohorts, exams, surveys
from quizapp.domain.procedure import VOLUMES
from quizapp.models import ContentReport, Question, Role
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import browser  # noqa: F401 (fixture)
from tests.servers import Server




roster_xlsx = builders.roster_xlsx


@pytest.fixture(scope="module")
def world(site, tmp_path_factory):
    """王老师's cohort of four who took his exam and answered his survey, a roster upload with a bad row,
    questions in all eight volumes, and two reports for 赵编辑."""
    db_path = tmp_path_factory.mktemp("staff-walk") / "walk.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
        builders.user(db, "editor", Role.editor, display_name="赵编辑")
        cohort = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
        people = []
        for i, name in enumerate(("张某", "李某", "王某某", "刘某"), 1):
            cohorts.enrol_one(db, teacher, cohort, username=f"1380000000{i}", display_name=name,
                              unit="某某镇综合行政执法队")
            people.append(db.exec(builders.select_user(f"1380000000{i}")).one())
        exam = builders.exam(db, title="第一期结业考试", created_by=teacher.id, cohort_id=cohort.id,
                             blueprint=[{"count": 6, "volume": "v1-common"}])
        for k, trainee in enumerate(people):
            attempt = exams.start_attempt(db, trainee, exam.id)
            for j, item in enumerate(attempt.paper):
                q = db.get(Question, item["question_id"])
                exams.save_answer(db, trainee, attempt.id, question_id=q.id,
                                  response=builders.response(q, (j + k) % 3 != 0))
            exams.submit(db, trainee, attempt.id)
        survey = surveys.create_survey(db, teacher, cohort, title="训前需求调查")
        for k, trainee in enumerate(people):
            surveys.answer(db, trainee, survey, answers=[], ratings={
                t: ((k + n) % 5 + 1, (2 * k + n) % 5 + 1) for n, t in enumerate(survey.topics)})
        checked = cohorts.upload_roster(db, teacher, cohort, filename="名单.xlsx", data=roster_xlsx(
            [("赵某", "某某镇综合行政执法队", "13800000021"), ("钱某", "某镇", "1380000002")]))
        to_import = cohorts.upload_roster(db, teacher, cohort, filename="名单二.xlsx",
                                          data=roster_xlsx([("孙某", "某镇", "13800000031")]))
        # every volume in the bank, as the province's will be (copies of volume 1's questions)
        for volume in VOLUMES[1:]:
            for n, q in enumerate(db.exec(select(Question).where(Question.volume == "v1-common")
                                          .order_by(Question.id).limit(20)).all()):
                db.add(Question(**{**q.model_dump(), "id": f"{volume.code[:2]}-walk-{n:03d}",
                                   "volume": volume.code, "suspended": False}))
        q = db.exec(select(Question).where(Question.volume == "v1-common").order_by(Question.id)).first()
        report = ContentReport(user_id=people[0].id, question_id=q.id, volume=q.volume,
                               page=q.anchor.partition("#")[0], section=q.anchor.partition("#")[2],
                               category="answer", text="答案似乎与法条不符，请核实。")
        db.add(ContentReport(user_id=people[1].id, page="volumes/v1-common/guide/step-06-hearing.md",
                             volume="v1-common", category="other", text="建议补充听证笔录的示例。"))
        db.add(report)
        db.commit()
        ids = {"exam": exam.id, "survey": survey.id, "checked": checked.id, "import": to_import.id,
               "report": report.id, "cohort": cohort.id}
    server = Server(url, db_path.with_suffix(".log")).start()
    try:
        yield server.wait_ready().base, ids
    finally:
        server.stop()
        engine.dispose()


def logged_in(browser, base: str, who: str, width: int, height: int = 800):  # noqa: F811 (the fixture's value)
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name='username']", who)
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def inside(box, left: float, right: float) -> bool:
    return box is not None and box["x"] >= left - 0.5 and box["x"] + box["width"] <= right + 0.5


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_bank_matrix_fits_a_pc_and_keeps_the_step_in_view_on_a_phone(world, browser):  # noqa: F811
    base, _ = world
    page = logged_in(browser, base, "teacher", 1280)
    page.goto(base + "/instructor/")
    matrix = page.locator("table.bank-matrix")
    assert matrix.locator("thead th").all_inner_texts()[1:] == [v.ordinal for v in VOLUMES] + ["合计"]
    region = matrix.locator("xpath=..")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")            # nothing cut off at 1280
    heights = [b["height"] for b in (c.bounding_box() for c in matrix.locator("th").all())]
    assert max(heights) < 1.6 * min(heights)                                  # no head or name wraps
    page.context.close()

    page = logged_in(browser, base, "teacher", 360)
    page.goto(base + "/instructor/")
    region = page.locator("table.bank-matrix").locator("xpath=..")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")              # it scrolls sideways …
    region.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    view = region.bounding_box()
    name = page.locator("table.bank-matrix tbody th", has_text="移送涉嫌犯罪")
    assert inside(name.bounding_box(), view["x"], view["x"] + view["width"])   # … with the step's name in view
    last = page.locator("table.bank-matrix tbody tr").first.locator("td").last
    assert inside(last.bounding_box(), view["x"], view["x"] + view["width"])
    assert page_width(page) <= 360
    page.context.close()


@pytest.mark.parametrize("path, deciding", [
    ("/instructor/cohorts/uploads/{checked}", "table.roster-rows td.check"),
    ("/instructor/exams/{exam}/results", "table.exam-items td[data-label='区分度']"),
    ("/instructor/exams/{exam}/results", "table.exam-items td[data-label='难易度']"),
    ("/instructor/surveys/{survey}", "table.needs td[data-label='掌握']"),
    ("/instructor/surveys/{survey}", "table.needs td[data-label='频率']"),
    ("/instructor/surveys/{survey}", "table.needs td[data-label='优先度']"),
])
def test_on_a_phone_the_deciding_column_is_on_the_screen(world, browser, path, deciding):  # noqa: F811
    base, ids = world
    page = logged_in(browser, base, "teacher", 360)
    page.goto(base + path.format(**ids))
    cells = page.locator(deciding).all()
    assert cells
    for cell in cells:
        assert cell.is_visible() and inside(cell.bounding_box(), 0, 360), cell.inner_text()
    assert page_width(page) <= 360
    if "roster" in deciding:
        assert "11 位手机号码" in page.locator(deciding).nth(1).inner_text()
    page.context.close()


def test_the_new_exams_rules_show_every_choice_on_a_pc_and_every_field_on_a_phone(world, browser):  # noqa: F811
    base, _ = world
    page = logged_in(browser, base, "teacher", 1280)
    page.goto(base + "/instructor/exams/new")
    needed, has = page.locator("select[name='pool-0']").evaluate("""s => {
        const cs = getComputedStyle(s), ctx = document.createElement('canvas').getContext('2d');
        ctx.font = cs.font;
        const text = Math.max(...[...s.options].map(o => ctx.measureText(o.text).width));
        return [text + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 16, s.clientWidth];
    }""")
    assert has >= needed                                          # 练习题与考试专用题, not 练习题·
    region = page.locator("table.blueprint").locator("xpath=..")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")
    page.context.close()

    page = logged_in(browser, base, "teacher", 360)
    page.goto(base + "/instructor/exams/new")
    fields = page.locator("table.blueprint input, table.blueprint select").all()
    assert len(fields) == 6 * 8
    for field in fields:
        assert inside(field.bounding_box(), 0, 360), field.get_attribute("name")
    assert page.locator("table.blueprint td.points").first.evaluate(
        "td => getComputedStyle(td, '::before').content") == '"每题分值"'
    assert page_width(page) <= 360
    page.fill("input[name='row-points-0']", "2")                 # reachable: filled like any field
    page.context.close()


def test_the_report_queues_status_and_assignee_are_one_line_on_a_pc(world, browser):  # noqa: F811
    base, _ = world
    page = logged_in(browser, base, "editor", 1280)
    page.goto(base + "/editor/?status=")
    for cell in page.locator("table.report-queue td.status, table.report-queue td.assignee").all():
        lines = cell.evaluate("td => { const r = document.createRange(); r.selectNodeContents(td);"
                              " return r.getClientRects().length; }")
        assert lines == 1, cell.inner_text()
    assert page.locator("table.report-queue td.object", has_text="第一卷 · 听证").count() == 1
    page.context.close()


def test_a_reports_form_is_reached_from_the_top_on_a_phone_and_saving_says_so(world, browser):  # noqa: F811
    base, ids = world
    page = logged_in(browser, base, "editor", 360)
    page.goto(f"{base}/editor/reports/{ids['report']}")
    jump = page.get_by_role("link", name="处理此报告")
    box = jump.bounding_box()
    assert box["y"] + box["height"] < 800 - 60                    # on the first screen, above the tab bar
    assert page.evaluate("document.documentElement.scrollHeight") > 2000     # the question is long below it
    jump.click()
    page.wait_for_function("location.hash === '#handle'")
    form = page.locator("form#handle")
    top = form.bounding_box()["y"]
    assert 0 <= top < 800
    form.locator("select[name='status']").select_option("in_progress")
    form.locator("textarea[name='answer']").fill("正在核实法条。")
    form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"\?saved=1$"))
    status = page.locator("main p.alert.ok[role='status']")
    assert status.is_visible() and "已保存" in status.inner_text() and "处理中" in status.inner_text()
    assert status.bounding_box()["y"] < 400
    page.context.close()


def test_the_initial_password_workbooks_button_gives_way_to_a_note(world, browser):  # noqa: F811
    base, ids = world
    page = logged_in(browser, base, "teacher", 360)
    page.goto(f"{base}/instructor/cohorts/uploads/{ids['import']}")
    page.click("main form[action$='/confirm'] button[type='submit']")
    page.wait_for_url(re.compile(r"handover="))
    button = page.get_by_role("button", name=re.compile("下载初始密码表"))
    note = page.locator("#passwords-taken")
    assert button.is_visible() and note.is_hidden()
    with page.expect_download() as taken:
        button.click()
    assert taken.value.suggested_filename.endswith(".xlsx")
    note.wait_for(state="visible")
    assert "初始密码表已下载；如需再次获取，请为学员重置密码" in note.inner_text()
    assert button.is_hidden()
    page.reload()                                                  # the server now says so too
    assert "初始密码表已于" in page.locator("main").inner_text() and button.count() == 0
    page.context.close()
