"""The Content-Security-Policy in a real browser: the handbook, a practice
question and an exam work under it, and Chromium reports no violation.

The policy (quizapp/web/headers.py) allows no inline script or style. The
platform's templates have none; the handbook build moves MkDocs Material's
inline scripts into files (quizapp/content/inline_scripts.py). Every page is
watched for ``securitypolicyviolation`` events and CSP console messages.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose server and
browser fixtures this module uses)."""
from __future__ import annotations

import re

from quizapp.web.headers import CSP
from tests.e2e.handbook_search import search
from tests.e2e.test_browser import browser, login, login_teacher, server  # noqa: F401 (fixtures)
from tests.integration.test_security_headers import INLINE

WATCH = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__violations = window.__violations || []).push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});"""


def watched(context):
    """A page whose CSP violations are collected (console messages and the DOM event)."""
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH)                 # the DevTools protocol's script: not subject to the page's CSP
    return page, console


def violations(page, console) -> list[str]:
    return console + page.evaluate("window.__violations || []")


def test_the_built_handbook_has_nothing_the_policy_forbids(built_site):
    found = []
    for html in sorted(built_site.rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        found += [(str(html.relative_to(built_site)), kind, m.group(0)[:80])
                  for kind, pattern in INLINE.items() for m in pattern.finditer(text)]
        for src in re.findall(r'<script src="([^"]+)"', text):
            target = (html.parent / src).resolve() if not src.startswith("/") else built_site / src.lstrip("/")
            assert target.is_file(), (html, src)
    assert not found, found[:10]


def test_handbook_practice_and_exam_pages_work_under_the_policy_without_a_violation(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    # The handbook: Material's scripts and the search ran, nothing refused.
    page, console = watched(context)
    response = page.goto(server + "/volumes/v1-common/guide/compulsory-measures/")
    assert response.headers["content-security-policy"] == CSP
    assert page.evaluate("typeof __md_scope") == "object"
    assert search(page, "先行登记保存")
    page.locator("article h2[id] .report-section").first.wait_for()        # report.js decorated the headings
    assert violations(page, console) == []
    # the watch works: an inline script added now is refused and reported
    page.evaluate("""() => { const s = document.createElement("script"); s.textContent = "window.injected = 1";
                             document.body.appendChild(s); }""")
    page.wait_for_function("(window.__violations || []).length > 0")
    assert page.evaluate("window.injected") is None
    page.close()

    # A practice question, answered.
    page, console = watched(context)
    login(page, server, "xueyuan", "trainee-pass-1", "trainee-pass-2")
    if "/login" in page.url:
        login(page, server, "xueyuan", "trainee-pass-2", "trainee-pass-3")
    page.goto(server + "/practice/next?volume=v1-common")
    for fieldset in page.locator("fieldset.options").all():      # a case question has one fieldset per part
        fieldset.locator("label.option").first.click()
    page.click("text=提交答案")
    page.locator(".verdict").wait_for()
    assert violations(page, console) == []
    page.close()

    # An exam: exam.js saves answers and keeps the clock under the policy.
    teacher, _ = watched(context)
    login_teacher(teacher, server)
    teacher.goto(server + "/instructor/exams/new")
    teacher.fill("input[name='title']", "安全策略测验")
    teacher.fill("input[name='count-0']", "2")
    teacher.select_option("select[name='volume-0']", "v1-common")
    teacher.fill("input[name='time_limit_minutes']", "10")
    teacher.click("text=创建考试")
    teacher.wait_for_url("**/instructor/exams/*")
    teacher.close()
    exam_context = browser.new_context(viewport={"width": 360, "height": 780})
    page, console = watched(exam_context)
    login(page, server, "duzhe", "reader-pass-1", "reader-pass-2")
    page.goto(server + "/exams/")
    page.locator("section.exam", has_text="安全策略测验").locator("text=开始考试").click()
    page.wait_for_url("**/exams/*")
    assert violations(page, console) == []       # 考试须知 too
    page.click("#start-exam")
    page.wait_for_url("**/attempts/*")
    section = page.locator("section[data-question]").first
    section.locator("label.option").first.click()
    section.locator(".q-state[data-state='saved']").wait_for()
    assert re.match(r"\d+ 分 \d+ 秒", page.locator("#clock").inner_text())
    assert violations(page, console) == []
    exam_context.close()
    context.close()
