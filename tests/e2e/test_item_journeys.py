"""The 赋权事项目录 on a phone (360 px) in headless Chromium: a reader filters
the catalogue by kind and keyword, opens an item (its basis quoted verbatim,
its case, its practice), and finds it by name in the search; a supervisor
uploads the county's list (tests/data/county_list_sample.py), corrects a
match and confirms it on the preview, and then the catalogue greys the item
the county did not delegate, for every logged-in reader, and says which list
it follows; a visitor's catalogue asks and gets no list, without an error.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser fixture this uses)."""
from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from quizapp.content.items import catalogue
from quizapp.content.statutes import Corpus
from quizapp.content.items import article_text
from quizapp.models import Role
from tests import builders
from tests.conftest import prepared_engine
from tests.data import county_list_sample as sample
from tests.e2e.handbook_search import search
from tests.e2e.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)
from tests.servers import Server

PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def items_server(site, built_site, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("items") / "items.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
        builders.user(db, "xueyuan", display_name="李学员")
    engine.dispose()
    with Server(url, db_path.with_suffix(".log"), site_dir=built_site).running() as base:
        yield base


def log_in(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", builders.PASSWORD)
    page.click("main button[type='submit']")
    page.wait_for_url(lambda url: "/login" not in url)


def shown_rows(page) -> list[str]:
    return [r.inner_text() for r in page.locator(".zj-items tbody tr").all() if r.is_visible()]


def test_a_reader_filters_the_catalogue_and_opens_an_item_on_a_phone(items_server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    errors, asked = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda r: asked.append(r.status) if "/api/items/delegated" in r.url else None)
    with page.expect_response(lambda r: "/api/items/delegated" in r.url):
        page.goto(items_server + "/items/")
    assert len(shown_rows(page)) == len(catalogue())
    # a visitor: the script asks which items are delegated, gets a 200 with no list, and changes nothing
    assert asked == [200] and errors == []
    assert page.locator(".zj-county-note").count() == 0 and page.locator(".zj-not-delegated").count() == 0
    compulsion = sum(1 for i in catalogue().values() if i.kind == "行政强制")
    page.select_option("select[data-filter='kind']", "行政强制")
    assert len(shown_rows(page)) == compulsion >= 2 and all("行政强制" in r for r in shown_rows(page))
    assert page.inner_text(".zj-item-count") == f"显示 {compulsion} / {len(catalogue())} 个事项"
    page.select_option("select[data-filter='kind']", "")
    page.fill("input[data-filter='text']", "农药")
    pesticide = [i for i in catalogue().values() if "农药" in i.name + i.department + "".join(b.label for b in i.basis)]
    assert len(shown_rows(page)) == len(pesticide) >= 3
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "items-catalogue-360.png"), full_page=True)

    page.locator(".zj-items a", has_text="对未取得农药经营许可证经营农药的行政处罚").click()
    page.wait_for_url("**/items/v3-sx-001/")
    article = page.inner_text("article")
    item = catalogue()["v3-sx-001"]
    for paragraph in article_text(Corpus(), item.by_role("处罚")[0]):
        assert paragraph in article                                          # quoted verbatim
    assert "本省是否下放以省级公布的目录为准" in article and "案例三" in article
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "item-page-360.png"), full_page=True)
    href = page.locator("a.practice-link").first.get_attribute("href")
    assert href.startswith("/practice/start?ids=")

    # the search finds the item by its name
    links = search(page, "露天烧烤")[:5]
    assert any("/items/v5-sx-002/" in link for link in links), links
    page.close()


def test_after_the_county_list_is_confirmed_the_catalogue_greys_what_is_not_delegated(items_server, browser,
                                                                                     tmp_path):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, items_server, "jiandu")
    page.goto(items_server + "/supervisor/items/")
    path = tmp_path / "青禾县清单.xlsx"
    path.write_bytes(sample.workbook())
    page.fill("input[name='title']", sample.TITLE)
    page.set_input_files("input[type='file']", str(path))
    page.click("form[action='/supervisor/items/lists'] button")
    page.wait_for_url("**/supervisor/items/lists/*")
    assert "预览（尚未生效）" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "county-list-preview-360.png"))
    # a correction on the preview: the row matched by its name alone (请核对) has no counterpart after all; its
    # item stays delegated by another row
    assert page.locator("select[name='match-37'] option:checked").get_attribute("value") == "v5-sx-004"
    page.select_option("select[name='match-37']", "none")
    page.locator("button", has_text="保存更正").first.click()
    page.wait_for_url("**/supervisor/items/lists/*?corrected=1*")
    assert "已更正 1 行的对应事项" in page.inner_text("main")
    assert page.locator("select[name='match-37'] option:checked").get_attribute("value") == "none"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=确认，作为本县现行清单")
    page.wait_for_load_state()
    assert "本县现行清单" in page.inner_text("main")
    context.close()

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, items_server, "xueyuan")
    page.goto(items_server + "/items/")
    greyed = page.locator(".zj-items tr.zj-not-delegated")
    greyed.first.wait_for()
    assert greyed.count() == len(sample.NOT_DELEGATED) and "（本县未下放）" in greyed.first.inner_text()
    # the catalogue says which list it follows, instead of the generic disclaimer alone
    said = page.inner_text(".zj-county-note")
    assert re.fullmatch(r"已按本县赋权事项清单（确认于 \d{4}-\d{2}-\d{2}）标注：灰色为本县未下放", said), said
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "items-catalogue-greyed-360.png"))
    page.goto(items_server + "/volumes/v2-natural-resources/items/v2-sx-003/")
    status = page.locator(".zj-item-status")
    status.wait_for()
    assert "未列入本事项" in status.inner_text() and sample.TITLE in status.inner_text()
    page.screenshot(path=str(ARTIFACTS / "item-not-delegated-360.png"))
    context.close()
