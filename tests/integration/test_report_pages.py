"""纠错/建议 on a handbook page: only the built handbook's pages.

The report form showed the title and headings of whatever .md file its
page_path named (an absolute path went straight through). It now looks the
page up in the page list the handbook build writes (report-pages.json,
hooks/handbook.py): exactly the pages that carry the 纠错/建议 link."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import select

from quizapp.content import HANDBOOK, ROOT
from quizapp.content.generate import REPORT_PAGES
from quizapp.models import ContentReport
from tests import builders
from tests.conftest import make_client

PAGE = "volumes/v1-common/guide/step-02-investigation.md"


def test_the_build_lists_exactly_the_pages_that_carry_the_report_link(built_site):
    listed = json.loads((built_site / REPORT_PAGES).read_text(encoding="utf-8"))
    linked = set()
    for html in built_site.rglob("*.html"):
        for href in re.findall(r'<a href="([^"]*/reports/new\?[^"]*)" data-report-page', html.read_text("utf-8")):
            linked |= {unquote(p) for p in parse_qs(urlsplit(href.replace("&amp;", "&")).query)["page_path"]}
    assert linked and set(listed) == linked
    assert PAGE in listed and listed[PAGE]["title"] and ["调查取证", "调查取证"] in listed[PAGE]["sections"]
    assert not [p for p in listed if p.startswith(("statutes/", "templates/", "/")) or ".." in p]


def test_the_report_form_reads_no_file_outside_the_built_handbook(built_site, sqlite_url, engine, db):
    builders.user(db)
    outside = [str(ROOT / "README.md"),                                 # an absolute path
               str(HANDBOOK / "templates" / "case-template.md"),        # excluded from the build
               "templates/case-template.md", "../README.md", "README.md", "volumes/v1-common/guide/",
               PAGE.removesuffix(".md") + "/index.md"]
    with make_client(sqlite_url, site_dir=built_site) as client:
        builders.login(client)
        form = client.get("/reports/new", params={"page_path": PAGE})
        assert form.status_code == 200 and "调查取证" in form.text
        for path in outside:
            form = client.get("/reports/new", params={"page_path": path})
            assert form.status_code == 200 and "没有找到要反馈的手册页面" in form.text, path
            assert "Start and test" not in form.text and "Production layout" not in form.text, path
            r = client.post("/reports/new", data={"page_path": path, "category": "unclear", "text": "有误"})
            assert r.status_code == 422 and "不存在" in r.text, path
        r = client.post("/reports/new", data={"page_path": PAGE, "section": "调查取证", "category": "unclear",
                                              "text": "有误"})
        assert r.status_code == 303
    assert [r.page for r in db.exec(select(ContentReport))] == [PAGE]


def test_without_a_built_handbook_no_page_can_be_reported(client, db):
    builders.user(db)
    builders.login(client)
    assert "没有找到要反馈的手册页面" in client.get("/reports/new", params={"page_path": PAGE}).text
    r = client.post("/reports/new", data={"page_path": PAGE, "category": "unclear", "text": "有误"})
    assert r.status_code == 422 and "不存在" in r.text


def test_after_sending_a_report_the_reader_is_offered_the_page_they_came_from(built_site, sqlite_url, engine, db):
    builders.user(db)
    came_from = "/practice/feedback?set=abc&n=3"
    with make_client(sqlite_url, site_dir=built_site) as client:
        builders.login(client)
        form = client.get("/reports/new", params={"page_path": PAGE},
                          headers={"Referer": "http://testserver" + came_from})
        assert f'name="back" value="{came_from.replace("&", "&amp;")}"' in form.text
        r = client.post("/reports/new", data={"page_path": PAGE, "category": "unclear", "text": "有误",
                                              "back": came_from}, follow_redirects=True)
        assert "已提交" in r.text and f'href="{came_from.replace("&", "&amp;")}"' in r.text
        assert "返回刚才的页面" in r.text
        # only a path of this site is offered back
        for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            r = client.post("/reports/new", data={"page_path": PAGE, "category": "unclear", "text": "有误",
                                                  "back": elsewhere}, follow_redirects=True)
            assert "已提交" in r.text and "返回刚才的页面" not in r.text, elsewhere
        assert "返回刚才的页面" not in client.get("/reports/", params={"back": "https://evil.example/"}).text
