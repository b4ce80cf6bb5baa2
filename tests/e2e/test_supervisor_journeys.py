"""The supervisor's journey in headless Chromium, on a phone (360 px) and a
desktop (1280 px): add a unit with another spelling of its name, import its
officer roster from Excel, read coverage counted against that roster (those
never trained listed), add an unmatched spelling as an alias, and download
the coverage workbook. No page scrolls sideways.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser fixture this uses)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import Session

from quizapp import cohorts
from quizapp.models import Role
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import browser  # noqa: F401 (fixture)
from tests.servers import Server


@pytest.fixture(scope="module")
def supervisor_server(site, tmp_path_factory):
    """A supervisor, an instructor's cohort of this year with two trainees who spell their unit differently."""
    db_path = tmp_path_factory.mktemp("supervisor") / "supervisor.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
        teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
        year = date.today().year
        cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班", starts_on=date(year, 3, 1),
                                       ends_on=date(year, 3, 5))
        cohorts.enrol_one(db, teacher, cohort, username="13900000001", display_name="张三", unit="东山镇人民政府")
        cohorts.enrol_one(db, teacher, cohort, username="13900000002", display_name="李四", unit="东山街道")
    engine.dispose()
    with Server(url, db_path.with_suffix(".log")).running() as base:
        yield base


def roster(path) -> str:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "单位/镇街", "手机号", "工号", "执法证号"])
    for row in (("张三", "东山镇", "13900000001"), ("李四", "东山", "13900000002"), ("王五", "东山镇", "13900000003")):
        ws.append(list(row))
    wb.save(path)
    return str(path)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.parametrize("width", [360, 1280])
def test_a_supervisor_keeps_a_units_roster_and_reads_its_coverage(supervisor_server, browser, width, tmp_path):
    base = supervisor_server
    context = browser.new_context(viewport={"width": width, "height": 800}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(base + "/login")
        page.fill("input[name='username']", "jiandu")
        page.fill("input[name='password']", builders.PASSWORD)
        page.click("main button[type='submit']")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(base + "/supervisor/")
        if width == 360:              # the first run makes the unit; the second finds it
            assert "还没有建立单位名单" in page.inner_text("main") and "还没有考试数据" in page.inner_text("main")
            page.click("main >> text=单位与名册")
            page.fill("input[name='name']", "东山镇")
            page.fill("textarea[name='aliases']", "东山镇人民政府\n东山")
            page.click("form[action='/supervisor/units'] button")
            page.wait_for_url("**/supervisor/units/*")
            page.click("text=单位与名册")
            page.set_input_files("input[type='file']", roster(tmp_path / "名册.xlsx"))
            page.click("form[action='/supervisor/units/roster'] button")
            assert "新增 3 人，更新 0 人" in page.inner_text(".alert.ok")
            # the unmatched spelling, with the likely unit chosen: added as an alias
            form = page.locator("form.alias-form", has_text="东山街道")
            assert form.locator("select option:checked").inner_text() == "东山镇"
            no_sideways_scroll(page)
            form.locator("button").click()
            assert "所有学员填写的单位都已对应到单位" in page.inner_text("#unmatched")
        page.goto(base + "/supervisor/")
        main = page.inner_text("main")
        assert "名册 3 人" in main and "已参训 2" in main and "已参训且合格 0" in main and "0%" in main
        assert "已参训：" in main and "已合格：" in main                 # the definitions, on the page
        page.click("text=未参训人员（1）")
        assert page.locator("details[open]", has_text="王五").is_visible()
        no_sideways_scroll(page)
        with page.expect_download() as download:
            page.click("text=导出 Excel >> nth=0")
        book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
        rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
        assert rows[0][:5] == ("东山镇", 3, 2, 0, 1)
        page.goto(base + "/supervisor/units/1")
        assert "未参训" in page.inner_text("main") and "王五" in page.inner_text("main")
        no_sideways_scroll(page)
    finally:
        context.close()
