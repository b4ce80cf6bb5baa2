"""One product, not two (issue 18, h1), in the built handbook and in Chromium.

1. The built handbook's header has 练习, 考试 and 登录 and loads whoami.js; no
   statute page names its source file.
2. A trainee on a phone: a bottom tab bar of five items, 我的 opens the rest;
   the platform's search box opens the handbook's search with the query; back
   in the handbook, the header shows the trainee's name instead of 登录.

Uses tests/e2e/test_browser.py's server and browser fixtures (a fresh server for this module).
"""
from __future__ import annotations

from tests.e2e.test_browser import ARTIFACTS, browser, login, server  # noqa: F401 (fixtures)


def test_the_built_handbooks_header_links_to_the_platform(built_site):
    page = (built_site / "index.html").read_text(encoding="utf-8")
    for link in ('href="/practice/" class="md-header__platform-link">练习</a>',
                 'href="/exams/" class="md-header__platform-link">考试</a>',
                 'data-whoami>登录</a>'):
        assert link in page
    assert "javascripts/whoami.js" in page
    statute_pages = [p for p in built_site.rglob("*.html") if "版本全文" in p.read_text(encoding="utf-8")]
    assert statute_pages
    for p in statute_pages:
        text = p.read_text(encoding="utf-8")
        assert "handbook/statutes" not in text and ".md" not in text.split("<article", 1)[-1].split("</article>")[0], p


def test_a_trainee_on_a_phone_uses_the_tab_bar_the_search_box_and_sees_their_name(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    login(page, server, "xueyuan", "trainee-pass-1", "trainee-pass-2")
    page.goto(server + "/practice/")

    tabs = page.locator("nav.tabs > .tab")
    assert tabs.all_inner_texts() == ["手册", "练习", "考试", "错题本", "我的▴"] or \
        [t.strip("▴▾ ") for t in tabs.all_inner_texts()] == ["手册", "练习", "考试", "错题本", "我的"]
    bar = page.locator("nav.tabs").bounding_box()
    assert bar["y"] + bar["height"] == 740 and bar["height"] < 60        # one row at the bottom of the screen
    assert page.locator("nav.tabs .menu").is_hidden()
    page.locator("nav.tabs .more summary").click()
    menu = page.locator("nav.tabs .menu")
    assert menu.is_visible()
    for name in ("问卷", "评课", "我的成绩", "我的反馈", "修改密码", "退出"):
        assert menu.get_by_text(name, exact=True).is_visible(), name
    menu.get_by_text("我的成绩", exact=True).click()
    page.wait_for_url("**/me")

    # The search box sends the query to the handbook, whose search opens with it.
    page.fill("header form.search input[name='q']", "先行登记保存")
    page.press("header form.search input[name='q']", "Enter")
    page.wait_for_url("**/?q=*")
    page.locator(".zj-search__result").first.wait_for(timeout=15000)
    assert page.locator("[data-search-dialog] input[name='query']").input_value() == "先行登记保存"

    # The handbook's header shows who is logged in.
    page.goto(server + "/volumes/v1-common/guide/compulsory-measures/")
    user = page.locator("a[data-whoami]")
    user.filter(has_text="李学员").wait_for(timeout=5000)
    assert user.get_attribute("href") == "/me"
    page.close()


def test_a_visitor_sees_login_in_the_handbooks_header(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server + "/volumes/v1-common/guide/compulsory-measures/")
    link = page.locator("a[data-whoami]")
    assert link.inner_text() == "登录"
    assert link.get_attribute("href") == "/login?next=%2Fvolumes%2Fv1-common%2Fguide%2Fcompulsory-measures%2F"
    page.close()


def test_a_visitor_on_a_phone_has_practice_exams_and_login_in_the_header_and_a_quiet_console(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(server + "/volumes/v1-common/guide/step-06-hearing/")
    page.wait_for_load_state("networkidle")
    assert problems == []                                   # /api/whoami answers a visitor with {"name": null}
    links = page.locator(".md-header__platform a")
    assert links.all_inner_texts() == ["练习", "考试", "登录"]
    for link in links.all():
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 360, link.inner_text()
        assert box["width"] >= 24 and box["height"] >= 24, link.inner_text()
    search = page.locator("[data-search-open]").first.bounding_box()
    assert search["x"] + search["width"] <= 360
    assert "Made with" not in page.locator("footer").inner_text()          # no English generator line
    page.screenshot(path=str(ARTIFACTS / "handbook-header-360.png"))
    page.close()
