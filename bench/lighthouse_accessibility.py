"""Lighthouse's accessibility score (mobile) of the handbook and of every role's pages.

Not a test: it prints figures (issue 18 asks for at least 95 on every page).
The suite's own check is tests/e2e/test_accessibility.py (axe-core: no serious
or critical violation); Lighthouse runs the same axe rules and weighs them
into a score.

Data flow: a fresh SQLite database under bench/.var/ is set up as `manage.py
run` does (the built handbook in site/ must exist: `python3 manage.py build`);
a server starts on a free port; a trainee, an instructor, an editor and a
supervisor log in over HTTP (their session cookies are passed to Lighthouse
as a Cookie header), the instructor makes a cohort and an exam, the trainee
starts it; then Lighthouse (npm package, installed on first use into
bench/.lighthouse/) audits each page with Debian's Chromium.

    .venv/bin/python bench/lighthouse_accessibility.py            # every page
    .venv/bin/python bench/lighthouse_accessibility.py --only /me  # some
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "bench" / ".lighthouse"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Kq7#vLm2pX9w"
FLAGS = "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def lighthouse() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOL.mkdir(parents=True, exist_ok=True)
        print("installing lighthouse@12 from npm into bench/.lighthouse/ …", flush=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(TOOL), "lighthouse@12"], check=True)
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    page = client.get("/login").text
    client.post("/login", data={"username": username, "password": password, "csrf_token": token(page)})
    return client


def post(client: httpx.Client, form_page: str, url: str, data: dict) -> httpx.Response:
    return client.post(url, data={**data, "csrf_token": token(client.get(form_page).text)})


def seed(base: str, env: dict) -> dict[str, httpx.Client]:
    """Accounts of every role, a cohort with a trainee, an exam, an open attempt."""
    py = [sys.executable, "-m", "quizapp"]
    for name, role in (("jiandu", "supervisor"), ("bianji", "editor")):
        subprocess.run(py + ["create-user", name, PASSWORD, "--role", role, "--name", name], env=env, check=True,
                       capture_output=True)
    teacher = log_in(base, "instructor", PASSWORD)
    r = post(teacher, "/instructor/cohorts/", "/instructor/cohorts/", {"name": "2026 年第二期轮训班", "unit": "东山镇"})
    cohort = re.search(r"/instructor/cohorts/(\d+)", str(r.url)).group(1)
    r = post(teacher, f"/instructor/cohorts/{cohort}", f"/instructor/cohorts/{cohort}/trainees",
             {"username": "13800000001", "display_name": "张某", "unit": "东山镇"})
    initial = re.search(r"初始密码：<strong>([^<]+)</strong>", r.text).group(1)
    r = post(teacher, "/instructor/exams/new", "/instructor/exams/new",
             {"title": "第一卷结业考试", "cohort_id": cohort, "mode": "blueprint", "count-0": "10",
              "volume-0": "v1-common", "pass_percent": "60", "time_limit_minutes": "60", "attempts_allowed": "1",
              "review_mode": "immediate", "focus_loss_limit": "0", "focus_grace_seconds": "3",
              "shuffle_options": "on"})
    exam = re.search(r"/instructor/exams/(\d+)", str(r.url)).group(1)
    trainee = log_in(base, "13800000001", initial)
    post(trainee, "/account/password", "/account/password", {"old": initial, "new": "dongshan-zhang-77",
                                                             "again": "dongshan-zhang-77"})
    return {"teacher": teacher, "trainee": trainee, "editor": log_in(base, "bianji", PASSWORD),
            "supervisor": log_in(base, "jiandu", PASSWORD), "visitor": httpx.Client(base_url=base),
            "ids": {"cohort": cohort, "exam": exam}}


def start_exam(trainee: httpx.Client, exam: str) -> str:
    """The trainee's open attempt (practice is paused from here on, so its pages come first)."""
    r = post(trainee, "/exams/", f"/exams/{exam}/start", {})
    return re.search(r"/attempts/(\d+)", str(r.url)).group(1)


PAGES = {
    "visitor": ["/", "/volumes/v1-common/", "/volumes/v1-common/cases/",
                "/volumes/v1-common/cases/case-01-unpermitted-factory-building-hearing/",
                "/volumes/v1-common/laws/guo-jia-pei-chang-fa-2012-10-26/", "/pitfalls/", "/login"],
    "trainee": ["/practice/", "/practice/next", "/exams/", "/mistakes/", "/me", "/surveys/", "/feedback/",
                "/reports/", "/account/password", "/exams/{exam}", "/attempts/{attempt}"],
    "teacher": ["/instructor/", "/instructor/cohorts/", "/instructor/cohorts/{cohort}", "/instructor/exams/",
                "/instructor/exams/new", "/instructor/exams/{exam}", "/instructor/exams/{exam}/preview",
                "/instructor/exams/{exam}/results", "/instructor/bank/"],
    "editor": ["/editor/", "/editor/impact"],
    "supervisor": ["/supervisor/", "/supervisor/units", "/supervisor/enrolments", "/supervisor/audit"],
}


def audit(binary: Path, url: str, cookie: str) -> tuple[float, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(binary), url, "--only-categories=accessibility", "--form-factor=mobile", "--quiet",
               f"--chrome-flags={FLAGS}", "--output=json", f"--output-path={out}"]
        if cookie:
            cmd.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        subprocess.run(cmd, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=300)
        report = json.loads(out.read_text())
    failing = [k for k, a in report["audits"].items()
               if a.get("scoreDisplayMode") == "binary" and a.get("score") == 0]
    return report["categories"]["accessibility"]["score"] * 100, failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="paths to audit (default: every page of PAGES)")
    args = parser.parse_args()
    if not (ROOT / "site" / "index.html").exists():
        sys.exit("site/ is missing: python3 manage.py build")
    if not shutil.which("npm"):
        sys.exit("npm is missing (apt-get install npm)")
    binary = lighthouse()
    var = ROOT / "bench" / ".var"
    var.mkdir(parents=True, exist_ok=True)
    db = var / f"a11y-{int(time.time())}.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "SITE_DIR": str(ROOT / "site"),
           "ADMIN_PASSWORD": PASSWORD, "SWEEP_SECONDS": "0"}
    subprocess.run([sys.executable, "-m", "quizapp", "setup"], env=env, cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "quizapp", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        clients = seed(base, env)
        ids = clients.pop("ids")
        print(f"{'score':>5}  page (role)  failing audits")
        scores = []
        for role, paths in PAGES.items():
            cookie = "; ".join(f"{k}={v}" for k, v in clients[role].cookies.items())
            for path in paths:
                if "{attempt}" in path:
                    ids["attempt"] = start_exam(clients["trainee"], ids["exam"])
                path = path.format(**ids)
                if args.only and path not in args.only:
                    continue
                score, failing = audit(binary, base + path, cookie)
                scores.append(score)
                print(f"{score:5.0f}  {path} ({role})  {' '.join(failing)}", flush=True)
        if scores:
            print(f"lowest {min(scores):.0f}, mean {sum(scores) / len(scores):.1f} over {len(scores)} pages")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
