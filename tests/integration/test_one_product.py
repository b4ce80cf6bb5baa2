"""One product, not two (issue 18, h1): the platform's pages carry the handbook's
header (手册, 练习, 考试 or 登录, a search box that opens the handbook's search),
a trainee's phone tab bar has at most five items with everything else under 我的,
the handbook's header learns the user's name from /api/whoami, and no page shows
an internal identifier: no volume slug, no .md path, no raw audit target.

The handbook side (the built site's header links and script): tests/e2e/test_one_product_journeys.py.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlmodel import select

from quizapp import exams, reports
from quizapp.domain.procedure import VOLUMES
from quizapp.models import AuditEvent
from tests.integration.test_security import (ACTORS, app, app_routes, request_data, walk_order,  # noqa: F401 (fixtures)
                                             world)

SLUG = re.compile(r"\b(?:" + "|".join(v.code for v in VOLUMES) + r")\b")      # v1-common … v8-water
MD_PATH = re.compile(r"[\w/-]+\.md\b")
RAW_TARGET = re.compile(r"\b(user|cohort|exam|attempt|question|volume|step):\S")


class Page(HTMLParser):
    """The visible text of a page, and its header's tabs (nav.tabs > .tab) and 我的 menu links."""

    def __init__(self, html: str):
        super().__init__()
        self.text: list[str] = []
        self.tabs: list[str] = []
        self.menu: list[str] = []
        self.links: list[tuple[str, str]] = []          # (href, text) of every link
        self.search_forms: list[dict] = []
        self._skip = 0
        self._tab: str | None = None
        self._in_menu = False
        self._href: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag in ("script", "style", "title"):
            self._skip += 1
        if "tab" in classes:
            self._tab = ""
        if tag == "div" and "menu" in classes:
            self._in_menu = True
        if tag == "a":
            self._href = a.get("href", "")
            self._link_text = ""
        if tag == "form" and "search" in classes:
            self.search_forms.append(a)
        if tag == "input" and self.search_forms and a.get("type") == "search":
            self.search_forms[-1]["input"] = a.get("name")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._link_text.strip()))
            if self._in_menu:
                self.menu.append(self._link_text.strip())
            self._href = None
        if tag == "div" and self._in_menu:
            self._in_menu = False
        if tag in ("a", "details") and self._tab is not None and not self._in_menu:
            self.tabs.append(self._tab.strip())
            self._tab = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._href is not None:
            self._link_text += data
        if self._tab is not None and not self._in_menu and not self._tab:
            self._tab = data.strip()

    @property
    def visible(self) -> str:
        return " ".join(self.text)


def test_every_platform_page_has_the_handbooks_header_with_search(world):
    for actor in ACTORS:
        r = world.client(actor).get("/login" if actor == "anonymous" else "/practice/")
        page = Page(r.text)
        assert ("/", "手册") in page.links and ("/practice/", "练习") in page.links, actor
        assert page.search_forms == [{"class": "search", "method": "get", "action": "/", "role": "search",
                                      "input": "q"}], actor      # Material opens its search with ?q=
        if actor == "anonymous":
            assert ("/login", "登录") in page.links
        else:
            assert "我的" in page.tabs and "/login" not in dict(page.links), actor


def test_a_trainees_tab_bar_has_five_items_and_the_rest_is_under_mine(world):
    r = world.client("trainee").get("/exams/")
    page = Page(r.text)
    assert page.tabs == ["手册", "练习", "考试", "错题本", "我的"]
    assert page.menu == ["问卷", "评课", "我的成绩", "我的反馈", "修改密码"]
    assert "退出" in page.visible                              # the logout button closes the menu


def test_staff_tab_bars_have_at_most_five_items_and_their_own_pages_first(world):
    expected = {"teacher": ["手册", "教员", "练习", "考试", "我的"],
                "editor": ["手册", "编辑", "练习", "考试", "我的"],
                "supervisor": ["手册", "执法监督", "教员", "练习", "我的"]}
    # 我的 holds a staff member's own pages, never a trainee's (错题本、问卷、评课、我的成绩)
    menus = {"teacher": ["培训班", "考试管理", "题库", "我的反馈", "修改密码"],
             "editor": ["题库", "法律修订影响分析", "我的反馈", "修改密码"],
             "supervisor": ["培训班", "考试管理", "题库", "考试", "我的反馈", "修改密码"]}
    for actor, tabs in expected.items():
        page = Page(world.client(actor).get("/practice/").text)
        assert page.tabs == tabs, actor
        assert page.menu == menus[actor], actor


def test_whoami_tells_the_handbook_the_display_name_only_and_nothing_to_a_visitor(world):
    r = world.client("trainee").get("/api/whoami")
    assert r.status_code == 200 and r.json() == {"name": "机密学员张三"}
    assert r.headers["cache-control"] == "no-store"
    r = world.client("anonymous").get("/api/whoami")          # a visitor is no error: the console stays quiet
    assert r.status_code == 200 and r.json() == {"name": None} and r.headers["cache-control"] == "no-store"


def test_the_audit_log_names_people_cohorts_exams_and_questions_never_raw_ids(world, db):
    w = world
    teacher, editor = w.users["teacher"], w.users["editor"]
    question = w.questions["single"]
    reports.set_suspended(db, editor, question.id, True, reason="题干有歧义")
    exams.grant_attempt(db, teacher, w.exam, w.users["trainee"].id)
    exams.extend_time(db, teacher, w.attempt.id, 5, reason="断网")
    assert {e.target.split(":")[0] for e in db.exec(select(AuditEvent))} >= {"cohort", "question", "exam", "attempt"}

    r = w.client("supervisor").get("/supervisor/audit")
    assert r.status_code == 200
    text = Page(r.text).visible
    assert not RAW_TARGET.findall(text) and not SLUG.findall(text)
    assert not re.search(r"\b[a-z_]+=", text)                     # no key=value details
    assert question.id not in text
    assert "培训班「机密轮训班」" in text and "考试「机密结业考试」" in text
    assert f"题目「{question.stem[:10]}" in text
    assert "暂停使用题目" in text and "原因：题干有歧义" in text and "延长（分钟）：5" in text
    assert "机密学员张三（trainee）" in text


def test_no_page_any_role_reaches_shows_a_volume_slug_or_a_source_path(world):
    w = world
    for method, path in walk_order(app_routes(w.app)):
        for actor in ACTORS:
            r = w.client(actor).request(method, w.url(path), **request_data(w, actor, method, path))
            if not r.headers.get("content-type", "").startswith("text/html"):
                continue
            text = Page(r.text).visible
            found = SLUG.findall(text) + MD_PATH.findall(text)
            assert not found, (actor, method, path, found)
