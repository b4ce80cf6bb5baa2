"""The production layout, run for real: deploy/nginx.conf in front of two app
workers on one database. nginx serves the handbook from disk and passes the
platform's paths to whichever worker is up.

Needs nginx (Debian: nginx-light; .ci/run installs it): skipped with that
reason without it, except under CI=true, where it fails."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from quizapp.content import ROOT
from quizapp.web.csrf import LOGIN_COOKIE, login_token, token_for
from tests.conftest import IN_CI
from tests.servers import Server, free_port, wait_for

CONFIG = ROOT / "deploy" / "nginx.conf"


def proxied_prefixes() -> set[str]:
    return set(re.search(r"location ~ \^/\(([^)]+)\)", CONFIG.read_text()).group(1).split("|"))


def test_every_platform_path_is_passed_to_the_workers():
    from quizapp.web.app import ROUTERS
    first = {route.path.strip("/").split("/")[0] for router in ROUTERS for route in router.routes}
    assert first - proxied_prefixes() == set(), "add these to the location in deploy/nginx.conf"


@pytest.fixture
def layout(built_site, tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if IN_CI:
            pytest.fail("CI=true but nginx is missing (apt-get install nginx-light)")
        pytest.skip("nginx not installed (apt-get install nginx-light)")
    url = f"sqlite:///{tmp_path / 'zj.db'}"
    env = {**os.environ, "DATABASE_URL": url, "ADMIN_USERNAME": "teacher", "ADMIN_PASSWORD": "teacher-pass-1"}
    py = [sys.executable, "-m", "quizapp"]
    subprocess.run(py + ["setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(py + ["create-user", "kaosheng", "exam-pass-1", "--name", "赵某"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    workers = [Server(url, tmp_path / f"worker-{n}.log", sweep_seconds=0, site_dir=built_site).start()
               for n in range(2)]
    listen = free_port()
    conf = CONFIG.read_text()
    conf = re.sub(r"error_log [^;]+;", f"error_log {tmp_path}/error.log warn;", conf)
    conf = re.sub(r"pid [^;]+;", f"pid {tmp_path}/nginx.pid;", conf)
    conf = re.sub(r"listen 80;", f"listen 127.0.0.1:{listen};", conf)
    conf = re.sub(r"root [^;]+;", f"root {built_site};", conf)
    conf = re.sub(r"(\s+server 127\.0\.0\.1:\d+;[^\n]*\n)+",
                  "\n" + "".join(f"        server {w.base.removeprefix('http://')};\n" for w in workers), conf,
                  count=1)
    (tmp_path / "nginx.conf").write_text(conf)
    # As root, nginx's workers would drop to "nobody", who cannot read pytest's private temporary folders.
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    log = tmp_path / "nginx.log"
    with open(log, "wb") as out:
        proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", directives],
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        for worker in workers:
            worker.wait_ready()
        wait_for(f"http://127.0.0.1:{listen}/healthz", proxy, log)
        yield f"http://127.0.0.1:{listen}", workers
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        for worker in workers:
            worker.stop()


def test_nginx_serves_the_handbook_and_any_worker_serves_the_platform(layout):
    base, workers = layout
    page = httpx.get(f"{base}/volumes/v1-common/")
    assert page.status_code == 200 and page.headers["server"].startswith("nginx") and "第一卷" in page.text
    # the build's .gz sent as it is; fingerprinted assets kept for good, pages revalidated
    assert page.headers["content-encoding"] == "gzip" and page.headers["cache-control"] == "no-cache"
    bundle = re.search(r'src="[./]*(assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js)"', page.text).group(1)
    asset = httpx.get(f"{base}/{bundle}")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-security-policy"]                      # the headers survive the map
    with httpx.Client(base_url=base) as browser:
        nonce = browser.get("/login").cookies[LOGIN_COOKIE]          # the login form's pre-session cookie
        r = browser.post("/login", headers={"X-CSRF-Token": login_token(nonce)},
                         data={"username": "kaosheng", "password": "exam-pass-1", "next": "/practice/"})
        assert r.status_code == 303
        csrf = {"X-CSRF-Token": token_for(browser.cookies["zj_session"])}
        first, second = workers
        first.kill()                                      # one worker dies: the other answers
        for _ in range(4):
            assert browser.get("/account/password").status_code == 200
        r = browser.post("/account/password", headers=csrf,
                         data={"old": "exam-pass-1", "new": "exam-pass-2", "again": "exam-pass-2", "next": "/"})
        assert r.status_code == 200 and "已修改" in r.text
        assert second.proc.poll() is None
