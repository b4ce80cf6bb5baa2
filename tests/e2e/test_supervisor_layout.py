"""The supervisor's wide tables in headless Chromium, at 1280 px and 360 px
(the browser walk's findings): at 1280 the weak-area map's section takes the
window's width instead of scrolling in the 60rem column, and the short
columns of a county list's rows (行号, 职权类型, 可信度) and of 赋权事项评估
stay on one line; at 360 the rows are cards, the correction's select fits,
and no page scrolls sideways.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser fixture this uses)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlmodel import Session, select

from quizapp import cohorts, county_list, surveys
from quizapp.content.items import catalogue
from quizapp.content.statutes import Corpus
from quizapp.domain.procedure import ALL_STEPS
from quizapp.models import Attempt, PracticeAnswer, Question, Role, SurveyResponse
from tests import builders
from tests.conftest import prepared_engine
from tests.data import county_list_sample as sample
from tests.e2e.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)
from tests.integration.test_county_lists import walked_list
from tests.servers import Server

NOW = datetime.now(timezone.utc)


def seed(db) -> int:
    """A weak-area map over every volume and step, the sample list confirmed with answers and a survey behind
    赋权事项评估, and the walked list waiting on its preview (its id returned)."""
    chief = builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
    trainees = [builders.user(db, f"1390000000{n}", display_name=f"学员{n}") for n in range(1, 4)]
    picked: dict[tuple[str, str], str] = {}
    for q in db.exec(select(Question).order_by(Question.id)):
        if q.step in ALL_STEPS and q.pool != "exam":         # a plain exam: no exam-only question
            picked.setdefault((q.volume, q.step), q.id)
    ids = list(picked.values())
    exam = builders.exam(db, title="结业考试", question_ids=ids)
    for n, trainee in enumerate(trainees):
        db.add(Attempt(exam_id=exam.id, user_id=trainee.id, number=1, status="graded", started_at=NOW, deadline=NOW,
                       submitted_at=NOW, score=1.0, max_score=float(len(ids)),
                       paper=[{"question_id": q, "points": 1} for q in ids],
                       item_scores={q: float((i + n) % 2) for i, q in enumerate(ids)}))
    for trainee in trainees:
        for correct in (True, False, True):
            db.add(PracticeAnswer(user_id=trainee.id, question_id="v1-di-003", response=[], correct=correct,
                                  answered_at=NOW))
    cohort = cohorts.create_cohort(db, creator=teacher, name="第一期")
    survey = surveys.create_survey(db, teacher, cohort, title="训前调查")
    for trainee, confidence in zip(trainees, (4, 3, 2)):
        db.add(SurveyResponse(survey_id=survey.id, user_id=trainee.id, answers=[],
                              ratings={"volume:v3-agriculture": [confidence, 3], "volume:v5-urban": [confidence, 2]}))
    db.commit()
    items, corpus = list(catalogue().values()), Corpus()
    rows = county_list.check_and_match(county_list.read_list(sample.workbook()), items, corpus)
    county_list.confirm(db, chief, county_list.save_pending(db, chief, sample.TITLE, "清单.xlsx", rows).id)
    rows = county_list.check_and_match(county_list.read_list(walked_list()), items, corpus)
    return county_list.save_pending(db, chief, "青禾县清单（走查）", "走查.xlsx", rows).id


@pytest.fixture(scope="module")
def layout_server(site, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("layout") / "layout.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        pending = seed(db)
    engine.dispose()
    with Server(url, db_path.with_suffix(".log")).running() as base:
        yield base, pending


LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  const tops = Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => x.top).sort((a, b) => a - b);
  return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length; }"""     # a smaller font: the same line


def lines(locator) -> int:
    """How many lines the element's content takes."""
    return locator.evaluate(LINES)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings (as tests/e2e/test_accessibility.py, which opens the preview
    as an instructor: without the supervisor's selects)."""
    from axe_playwright_python.sync_playwright import Axe
    return [f"{v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1280, 360])
def test_the_supervisors_wide_tables_use_the_screen_and_keep_short_columns_on_one_line(layout_server, browser,
                                                                                      width):
    base, pending = layout_server
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(base + "/login")
        page.fill("input[name='username']", "jiandu")
        page.fill("input[name='password']", builders.PASSWORD)
        page.click("main button[type='submit']")
        page.wait_for_url(lambda url: "/login" not in url)

        page.goto(base + "/supervisor/")
        weak = page.locator("#weak-areas")
        assert weak.locator("table.heat thead th").count() == len(ALL_STEPS) + 1
        if width == 1280:
            assert weak.bounding_box()["width"] >= 1180 > page.locator("main").bounding_box()["width"]
            region = weak.locator(".scroll")
            assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the map still scrolls at 1280"
        no_sideways_scroll(page)
        page.screenshot(path=str(ARTIFACTS / f"supervisor-weak-areas-{width}.png"), full_page=True)

        page.goto(f"{base}/supervisor/items/lists/{pending}")
        covered = page.locator("section.county-table", has_text="手册已覆盖").locator("table")
        if width == 1280:
            for heading in ("行号", "职权类型", "可信度"):
                assert lines(covered.locator("th", has_text=heading)) == 1, heading
            for row in covered.locator("tbody tr").all():
                assert lines(row.locator("td[data-label='职权类型']")) == 1
                assert lines(row.locator("td[data-label='行号']")) == 1
                confidence = row.locator("td[data-label='可信度']")          # 70% 按名称 on a line, 请核对 under it
                assert lines(confidence.locator(".nowrap")) == 1
                assert confidence.evaluate("el => el.scrollWidth <= el.clientWidth"), "可信度 overflows its cell"
        else:
            assert not covered.locator("thead").is_visible()                    # cards
            select = covered.locator("select").first
            assert select.bounding_box()["x"] + select.bounding_box()["width"] <= width
        assert covered.locator("td[data-label='赋权范围/镇街']", has_text="城关镇").count() >= 1
        no_sideways_scroll(page)
        assert serious_violations(page) == []
        page.screenshot(path=str(ARTIFACTS / f"county-list-preview-{width}.png"), full_page=True)

        page.goto(base + "/supervisor/items/readiness")
        table = page.locator("section.readiness-table table")
        held = set(sample.EXPECTED.values()) | {i.id for i in catalogue().values() if i.own_power}
        assert table.locator("tbody tr").count() == len(held)   # the items the list delegates and the township's own
        if width == 1280:
            for heading in ("职权类型", "作答次数", "作答人数", "正确率", "结论", "练习"):
                assert lines(table.locator("th", has_text=heading)) == 1, heading
            for cell in table.locator("td[data-label='职权类型']").all():
                assert lines(cell) == 1
        assert "（3 人填报）" in table.inner_text()
        no_sideways_scroll(page)
        assert serious_violations(page) == []
        page.screenshot(path=str(ARTIFACTS / f"item-readiness-{width}.png"), full_page=True)
    finally:
        context.close()
