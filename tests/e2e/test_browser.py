"""In headless Chromium: search the handbook, log in, answer a practice question.

Needs /usr/bin/chromium (Debian's package; .ci/run installs it). Without it
the test is skipped with that reason, except under CI=true, where it fails."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from quizapp.content import ROOT
from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_site, tmp_path_factory):
    """The platform as `manage.py run` starts it: setup, then uvicorn, on a free port."""
    db = tmp_path_factory.mktemp("db") / "e2e.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SITE_DIR": str(built_site),
           "ADMIN_PASSWORD": "teacher-pass-1"}
    py = [sys.executable, "-m", "quizapp"]
    subprocess.run(py + ["setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(py + ["create-user", "xueyuan", "trainee-pass-1", "--name", "李学员"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(py + ["serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("server did not start: " + proc.stdout.read().decode())
    yield base
    proc.terminate()
    proc.wait(timeout=10)


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

    # Search the handbook for 先行登记保存 and land on the guide that explains it.
    if width < 960:
        page.locator("label[for='__search']").first.click()
    else:
        page.locator("input[name='query']").click()
    page.locator("input[name='query']").fill("先行登记保存")
    result = page.locator(".md-search-result__link[href*='general-procedure']").first
    result.wait_for(timeout=15000)
    result.click()
    page.wait_for_url("**/general-procedure/**")
    assert "先行登记保存" in page.locator("article").inner_text()
    page.screenshot(path=str(ARTIFACTS / f"handbook-search-{width}.png"))

    # Log in and answer one practice question.
    page.goto(server + "/practice/")
    page.wait_for_url("**/login**")
    page.fill("input[name='username']", "xueyuan")
    page.fill("input[name='password']", PASSWORDS[width])
    page.click("button[type='submit']")
    if "/account/password" in page.url:           # first login: the initial password must be changed
        page.fill("input[name='old']", "trainee-pass-1")
        page.fill("input[name='new']", "trainee-pass-2")
        page.fill("input[name='again']", "trainee-pass-2")
        page.click("main button[type='submit']")
        page.click("text=继续")
    page.wait_for_url("**/practice/")
    page.click("text=随机练习")
    page.locator("label.option").first.click()
    page.screenshot(path=str(ARTIFACTS / f"practice-question-{width}.png"))
    page.click("text=提交答案")
    verdict = page.locator(".verdict")
    verdict.wait_for()
    assert verdict.inner_text().startswith("回答")
    assert page.locator(".explanation").inner_text().strip()
    assert "/volumes/" in page.locator("a.handbook-link").get_attribute("href")
    page.screenshot(path=str(ARTIFACTS / f"practice-feedback-{width}.png"), full_page=True)
    page.close()
