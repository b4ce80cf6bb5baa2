"""In headless Chromium, the 候考室 (issue 29): two trainees enter the waiting room before the
start second, see who they are, a countdown and a passed device check, and no question; at the
start both pages show their papers (prepared while they waited, the clock counted from the start
second) without anyone reloading, and an answer saves; a third trainee who arrives after
the start goes straight to the paper. The server spreads the paper requests over 2 s here.

One page (1280 px) holds its paper sealed before the start and asks for the exam's key before the
start too, a request the server answers at the start second (quizapp/sealed_paper.py,
quizapp/web/start_gate.py): at the start it asks for nothing; the other (360 px) is a browser without DecompressionStream,
which never asks for the seal and loads its paper from the server at the start, as before.

Needs /usr/bin/chromium, like tests/e2e/test_browser.py (whose browser fixture this uses)."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from quizapp.models import Attempt, Question, utcnow
from tests import builders
from tests.conftest import prepared_engine
from tests.e2e.test_browser import ARTIFACTS, browser  # noqa: F401 (fixture)
from tests.e2e.test_exam_pages_journeys import logged_in_page
from tests.servers import Server

LEAD_SECONDS = 25          # the exam starts this long after the test creates it


@pytest.fixture(scope="module")
def room_server(site, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("waiting-room") / "room.db"
    url = f"sqlite:///{db_path}"
    engine = prepared_engine(url, site)
    with Session(engine) as db:
        for username, name in (("zhangsan", "张三"), ("lisi", "李四"), ("wangwu", "王五")):
            builders.user(db, username, display_name=name, unit="某镇综合行政执法办公室")
    server = Server(url, db_path.with_suffix(".log"), env={"PAPER_SPREAD_SECONDS": "2"}).start()
    try:
        yield server.wait_ready().base, engine
    finally:
        server.stop()
        engine.dispose()


def test_two_wait_the_start_opens_both_papers_and_a_late_one_joins(room_server, browser):
    base, engine = room_server
    with Session(engine) as db:
        ids = db.exec(select(Question.id).where(Question.active == True, Question.volume == "v1-common",  # noqa: E712
                                                Question.type == "single").order_by(Question.id).limit(4)).all()
        exam = builders.exam(db, title="候考演练", question_ids=list(ids), time_limit_minutes=20,
                             opens_at=utcnow() + timedelta(seconds=LEAD_SECONDS), deadline_mode="common")
        exam_id, starts = exam.id, exam.opens_at

    pages, asked, answered = [], [], []
    for username, width in (("zhangsan", 360), ("lisi", 1280)):
        _, page = logged_in_page(browser, base, username, viewport={"width": width, "height": 800})
        if width == 360:                                # a browser that cannot unpack the seal
            page.add_init_script("delete window.DecompressionStream;")
        requests: list[tuple[float, str]] = []
        page.on("request", lambda r, requests=requests: requests.append((time.time(), r.method + " " + r.url)))
        asked.append(requests)
        responses: list[tuple[float, int, str]] = []
        page.on("response", lambda r, responses=responses: responses.append((time.time(), r.status, r.url)))
        answered.append(responses)
        page.goto(f"{base}/exams/{exam_id}")
        page.click("#start-exam")                       # 进入候考室
        page.wait_for_url("**/attempts/*")
        room = page.locator("#waiting-room")
        assert "候考室" in room.inner_text() and "某镇综合行政执法办公室" in room.inner_text()
        page.locator("#device-check.ok").wait_for()     # the save of nothing came back
        assert "设备检测通过" in page.locator("#device-check").inner_text()
        assert page.locator("[data-question]").count() == 0
        pages.append(page)
    while not any("/sealed-paper" in w for _, w in asked[1]) and utcnow() < starts:   # fetched while waiting
        pages[1].wait_for_timeout(200)
    assert utcnow() < starts, "the test needs both trainees in the room before the start"
    pages[0].screenshot(path=str(ARTIFACTS / "waiting-room-360.png"), full_page=True)
    pages[1].screenshot(path=str(ARTIFACTS / "waiting-room-1280.png"), full_page=True)
    with Session(engine) as db:
        waiting = db.exec(select(Attempt).where(Attempt.exam_id == exam_id)).all()
        assert len(waiting) == 2 and all(a.started_at == starts and len(a.paper) == 4 for a in waiting)

    # the start second: each page asks for its paper by itself, within the spread
    timeout = (LEAD_SECONDS + 15) * 1000
    for page in pages:
        page.locator("[data-question]").first.wait_for(timeout=timeout)
        assert page.locator("[data-question]").count() == 4
    assert utcnow() < starts + timedelta(seconds=10)
    for page in pages:         # the page prepared in the room, its clock counted from the start second
        assert page.locator("#exam[data-prepared]").count() == 1
        minutes, seconds = map(int, re.findall(r"\d+", page.locator("#clock").inner_text()))
        assert abs(minutes * 60 + seconds - (20 * 60 - (utcnow() - starts).total_seconds())) <= 2
    start_ts = starts.timestamp()
    after_start = [[what.replace(base, "") for at, what in requests if at >= start_ts - 0.5] for requests in asked]
    attempt_of = [page.url.rsplit("/", 1)[1] for page in pages]
    assert f"GET {base}/api/attempts/{attempt_of[1]}/sealed-paper" in [w for at, w in asked[1] if at < start_ts]
    assert not any("/sealed-paper" in w for _, w in asked[0])           # never asked without the means to open it
    held = f"{base}/api/exams/{exam_id}/paper-key?hold=1"
    assert [w for at, w in asked[1] if at < start_ts].count(f"GET {held}") == 1, [(at - start_ts, w) for at, w in asked[1]]
    key_at = [at for at, status, url in answered[1] if url == held and status == 200]
    assert len(key_at) == 1 and start_ts - 0.2 <= key_at[0] < start_ts + 1.5        # answered at the start
    assert not any("/paper-key" in w for w in after_start[1])               # nothing asked at the start
    assert f"GET /attempts/{attempt_of[1]}" not in after_start[1]
    assert f"GET /attempts/{attempt_of[0]}" in after_start[0]             # the other: the paper from the server
    pages[1].locator("section[data-question]").first.locator("label.option").first.click()
    pages[1].locator("section[data-question] .q-state").first.locator("text=已保存").wait_for()
    pages[0].screenshot(path=str(ARTIFACTS / "waiting-room-opened-360.png"), full_page=True)
    pages[1].screenshot(path=str(ARTIFACTS / "waiting-room-unsealed-1280.png"), full_page=True)
    pages[1].reload()                                   # the unsealed paper reloads from the server, answer kept
    pages[1].locator("section[data-question] input:checked").first.wait_for(state="attached")

    # a latecomer: the notice starts the attempt at once, with the common deadline
    _, late = logged_in_page(browser, base, "wangwu")
    late.goto(f"{base}/exams/{exam_id}")
    late.click("#start-exam")
    late.locator("[data-question]").first.wait_for()
    with Session(engine) as db:
        attempt = db.exec(select(Attempt).where(Attempt.exam_id == exam_id).order_by(Attempt.id.desc())).first()
        assert attempt.started_at > starts and attempt.deadline == starts + timedelta(minutes=20)
