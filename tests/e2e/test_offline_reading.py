"""Offline reading (issue 20): a reader saves volume 1 on its index page, the
network goes away, and three of its pages and a statute article still open,
each saying it is the saved copy and when it was saved; a page not saved says
so; the platform's pages are never stored. A new build is fetched again when
the reader opens the volume online. The handbook is installable (manifest)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from quizapp.content import ROOT
from tests.e2e.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)
from tests.e2e.test_deploy import proxied_prefixes
from tests.servers import Server

SAVED = ["/volumes/v1-common/guide/step-06-hearing/", "/volumes/v1-common/cases/case-03-evidence-preservation/",
         "/volumes/v1-common/laws/key-points-penalty-law/"]
ARTICLE = "/volumes/v1-common/laws/xing-zheng-chu-fa-fa-2021-01-22/#art-51"


@pytest.fixture
def own_server(built_site, tmp_path):
    """A server of its own: the test stops it to take the network away."""
    url = f"sqlite:///{tmp_path / 'offline.db'}"
    env = {**os.environ, "DATABASE_URL": url, "ADMIN_PASSWORD": "teacher-pass-1"}
    subprocess.run([sys.executable, "-m", "quizapp", "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    server = Server(url, tmp_path / "offline.log", sweep_seconds=0, site_dir=built_site).start()
    yield server.wait_ready()
    server.stop()


def test_the_service_worker_never_touches_the_paths_nginx_sends_to_the_platform():
    code = (ROOT / "handbook" / "sw.js").read_text(encoding="utf-8")
    platform = set(re.search(r"var PLATFORM = /\^\\/\(([^)]+)\)", code).group(1).split("|"))
    assert platform == proxied_prefixes()


def test_a_saved_volume_opens_without_a_network_and_the_platform_is_never_stored(own_server, browser):
    base = own_server.base
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + "/volumes/v1-common/")
    page.evaluate("navigator.serviceWorker.ready")
    box = page.locator("[data-offline-volume]")
    assert box.is_visible()
    page.locator("[data-offline-save]").click()
    status = page.locator("[data-offline-status]")
    status.filter(has_text="本卷已保存离线阅读").wait_for(timeout=120_000)
    entry = json.loads(page.evaluate("fetch('/offline/v1-common.json').then(r => r.text())"))
    assert f"（{len(entry['pages'])} 个网页，保存于 " in status.inner_text()
    assert page.locator("[data-offline-remove]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "offline-saved-360.png"))

    # the platform's pages, visited online, are not stored
    page.goto(base + "/practice/")
    page.goto(base + "/volumes/v1-common/")
    stored = page.evaluate("""async () => { const out = [];
        for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) out.push(r.url);
        return out; }""")
    paths = [re.sub(r"^https?://[^/]+", "", u) for u in stored]
    assert set(entry["pages"]) <= set(paths) and set(entry["assets"]) <= set(paths)
    assert not [p for p in paths if p.split("/")[1] in proxied_prefixes()], paths

    # a new build: the saved version differs, and opening the volume online saves it again
    page.evaluate("""() => { const k = 'zj-offline-v1-common'; const s = JSON.parse(localStorage.getItem(k));
                             s.version = 'an-older-build'; localStorage.setItem(k, JSON.stringify(s)); }""")
    page.goto(base + SAVED[0])
    page.locator("[data-offline-note]", has_text="本卷离线内容已更新").wait_for(timeout=120_000)
    assert json.loads(page.evaluate("localStorage.getItem('zj-offline-v1-common')"))["version"] == entry["version"]

    # the network goes away: the server stops and the phone is offline
    own_server.stop()
    context.set_offline(True)
    for path in SAVED:
        page.goto(base + path)
        assert page.locator("article h1").inner_text().strip("¶ ")
        assert "当前离线：显示的是保存的版本" in page.locator("[data-offline-note]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "offline-page-360.png"))
    page.goto(base + ARTICLE)
    article = page.locator("#art-51")
    assert article.is_visible() and "第五十一条" in article.inner_text()
    # a page of a volume not saved says so; a platform page is not answered at all
    page.goto(base + "/volumes/v2-natural-resources/")
    assert "当前离线，此页未保存" in page.locator("h1").inner_text()
    with pytest.raises(Exception):
        page.goto(base + "/practice/")
    context.close()


def test_the_handbook_is_installable_and_says_which_icons_and_colours(built_site):
    manifest = json.loads((built_site / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["lang"] == "zh-CN"
    for icon in manifest["icons"]:
        assert (built_site / icon["src"].lstrip("/")).is_file()
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    page = (built_site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="manifest" href="manifest.webmanifest">' in page
    volume = (built_site / "volumes" / "v1-common" / "index.html").read_text(encoding="utf-8")
    assert 'data-offline-volume="v1-common"' in volume
    assert "data-offline-volume" not in (built_site / "volumes" / "v1-common" / "guide" / "index.html").read_text()
