"""Timed exams over HTTP: the clock, autosave, grading once, no key before grading."""
import html
import json
import re
from types import SimpleNamespace
from datetime import timedelta

from sqlmodel import select

from quizapp import exams
from quizapp.models import Attempt, AttemptAnswer, Exam, MistakeEntry, Question, utcnow
from quizapp.web.app import _sweep_once
from tests import builders
from tests.conftest import make_client


def start(client, exam_id):
    r = client.post(f"/exams/{exam_id}/start")
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def paper_ids(html):
    return re.findall(r'data-question="([^"]+)"', html)


def wrong_and_right(q: Question):
    return builders.response(q, right=False), builders.response(q, right=True)


def test_a_whole_attempt_never_shows_the_key_before_grading(client, db):
    builders.user(db)
    exam = builders.exam(db, shuffle_questions=True, shuffle_options=True)
    builders.login(client)
    bodies = [client.get("/exams/").text]
    aid = start(client, exam.id)
    page = client.get(f"/attempts/{aid}")
    bodies.append(page.text)
    ids = paper_ids(page.text)
    questions = [db.get(Question, i) for i in ids]
    for q in questions:
        wrong, _ = wrong_and_right(q)
        r = client.post(f"/api/attempts/{aid}/answers", json={"question_id": q.id, "response": wrong})
        assert r.status_code == 200
        bodies.append(r.text)
    bodies += [client.get(f"/api/attempts/{aid}/state").text,
               client.post(f"/api/attempts/{aid}/events", json={"kind": "blur"}).text,
               client.get(f"/attempts/{aid}").text]
    # what the paper itself shows (a stem may quote a statute); anything else from the key side must not appear
    shown = " ".join(text for q in questions for text in (
        [q.stem, *q.options.values()] + [t for p in q.parts for t in (p["stem"], *p["options"].values())]))
    secrets = [q.explanation[:30] for q in questions] + [b["quote"][:20] for q in questions for b in q.basis]
    secrets += [p["explanation"][:30] for q in questions for p in q.parts if p.get("explanation")]
    secrets = [s for s in secrets if s not in shown]
    assert len(secrets) >= 5
    for body in map(html.unescape, bodies):
        assert "正确答案" not in body and '"answer"' not in body
        assert [s for s in secrets if s in body] == []
    for body in bodies[2:-3]:
        assert set(json.loads(body)) == {"saved", "applied", "question_id", "saved_at", "seq", "response", "remaining"}
    result = client.post(f"/attempts/{aid}/submit", follow_redirects=True)
    assert "正确答案" in result.text and questions[0].explanation[:30] in html.unescape(result.text)


def test_saved_answers_and_the_clock_survive_a_server_restart(sqlite_url, engine, db):
    builders.user(db)
    exam = builders.exam(db, time_limit_minutes=30)
    with make_client(sqlite_url) as client:
        builders.login(client)
        aid = start(client, exam.id)
        qid = paper_ids(client.get(f"/attempts/{aid}").text)[0]
        _, right = wrong_and_right(db.get(Question, qid))
        assert client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": right}).status_code == 200
        cookie = client.cookies.get("zj_session")
    # the first app has shut down (its engine disposed); a new one on the same database:
    with make_client(sqlite_url) as again:
        again.cookies.set("zj_session", cookie)
        page = again.get(f"/attempts/{aid}")
        assert page.status_code == 200
        section = page.text.split(f'data-question="{qid}"', 1)[1].split("</section>", 1)[0]
        assert "checked" in section and "已保存" in section
        remaining = again.get(f"/api/attempts/{aid}/state").json()["remaining"]
        assert 30 * 60 - 60 < remaining <= 30 * 60


def test_the_paper_order_is_fixed_for_the_attempt_across_reloads_and_devices(client, db, sqlite_url, engine):
    builders.user(db)
    exam = builders.exam(db, blueprint=[{"count": 12, "volume": "v1-common"}], shuffle_questions=True,
                         shuffle_options=True)
    builders.login(client)
    aid = start(client, exam.id)
    first = client.get(f"/attempts/{aid}").text
    with make_client(sqlite_url) as other_device:
        builders.login(other_device)
        assert start(other_device, exam.id) == aid          # the open attempt, not a new one
        second = other_device.get(f"/attempts/{aid}").text
    assert paper_ids(first) == paper_ids(second)
    options = lambda html: re.findall(r'name="[^"]*(?:choice|part-\d+)"\s+value="([A-FTF])"', html)  # noqa: E731
    assert len(options(first)) >= 24 and options(first) == options(second)
    groups = set(re.findall(r'name="([^"]+)"\s+value="[A-FTF]"', first))
    assert all(g.split(":")[0] in paper_ids(first) for g in groups)    # each question its own input group
    assert len({g.split(":")[0] for g in groups}) == 12


def test_at_the_deadline_the_attempt_is_graded_with_what_was_saved(client, db):
    builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    qid = paper_ids(client.get(f"/attempts/{aid}").text)[0]
    _, right = wrong_and_right(db.get(Question, qid))
    client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": right})
    attempt = db.get(Attempt, aid)
    attempt.deadline = utcnow() - timedelta(minutes=1)       # time passes
    db.add(attempt)
    db.commit()
    state = client.get(f"/api/attempts/{aid}/state").json()
    assert state["status"] == "graded" and state["remaining"] == 0
    db.expire_all()
    graded = db.get(Attempt, aid)
    assert graded.ended_by == "deadline" and graded.score == graded.item_scores[qid] > 0
    assert graded.submitted_at == graded.deadline
    late = client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": right})
    assert late.status_code == 409 and "已交卷" in late.json()["detail"]


def test_submitting_twice_grades_once(client, db):
    builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    client.post(f"/attempts/{aid}/submit")
    db.expire_all()
    first = db.get(Attempt, aid)
    graded_at = first.submitted_at
    r = client.post(f"/api/attempts/{aid}/submit")
    assert r.status_code == 200 and r.json()["status"] == "graded"
    client.post(f"/attempts/{aid}/submit")
    db.expire_all()
    assert db.get(Attempt, aid).submitted_at == graded_at
    assert len(db.exec(select(Attempt)).all()) == 1
    entries = db.exec(select(MistakeEntry)).all()
    assert len(entries) == 5 and all(e.wrong_count == 1 for e in entries)   # every unanswered question, once


def test_bad_answers_are_refused_in_chinese_and_change_nothing(client, db):
    builders.user(db)
    builders.user(db, "lisi", display_name="李四")
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    ids = paper_ids(client.get(f"/attempts/{aid}").text)
    outside = next(q.id for q in db.exec(select(Question)) if q.id not in ids)
    r = client.post(f"/api/attempts/{aid}/answers", json={"question_id": outside, "response": ["A"]})
    assert r.status_code == 422 and r.json()["detail"] == "本题不在您的试卷中"
    q = db.get(Question, ids[0])
    bad = {"1": ["Z"]} if q.type == "case" else ["Z"]
    r = client.post(f"/api/attempts/{aid}/answers", json={"question_id": q.id, "response": bad})
    assert r.status_code == 422 and "Z 不存在" in r.json()["detail"]
    client.post("/logout")
    builders.login(client, "lisi")
    r = client.post(f"/api/attempts/{aid}/answers", json={"question_id": ids[0], "response": ["A"]})
    assert r.status_code == 404 and r.json()["detail"] == "考试记录不存在"
    assert client.get(f"/attempts/{aid}").status_code == 404
    assert db.exec(select(AttemptAnswer)).all() == []


def test_the_window_and_the_number_of_attempts_are_enforced(client, db):
    builders.user(db)
    later = builders.exam(db, title="未开考", opens_at=utcnow() + timedelta(hours=1))
    over = builders.exam(db, title="已结束", opens_at=utcnow() - timedelta(hours=2),
                         closes_at=utcnow() - timedelta(hours=1))
    once = builders.exam(db, title="仅一次")
    builders.login(client)
    r = client.post(f"/exams/{later.id}/start")
    assert r.status_code == 409 and "尚未开始" in r.text
    assert "已结束" in client.post(f"/exams/{over.id}/start").text
    aid = start(client, once.id)
    client.post(f"/attempts/{aid}/submit")
    r = client.post(f"/exams/{once.id}/start")
    assert r.status_code == 409 and "已用完" in r.text


def test_only_absences_longer_than_the_grace_period_count_and_the_one_beyond_the_limit_submits(client, db):
    builders.user(db)
    exam = builders.exam(db, focus_loss_limit=2, focus_grace_seconds=3)
    builders.login(client)
    aid = start(client, exam.id)

    def event(kind, duration_ms=None):
        return client.post(f"/api/attempts/{aid}/events", json={"kind": kind, "duration_ms": duration_ms}).json()

    event("enter")
    for _ in range(5):                              # five reloads: none counts
        event("blur")
        assert event("reload", 1500)["focus_losses"] == 0
    event("offline")
    assert event("online", 40_000)["focus_losses"] == 0     # a lost connection does not count
    event("blur")
    assert event("focus", 1200) == {"focus_losses": 0, "limit": 2, "submitted": False, "counted": False,
                                    "warning": "", "result_url": f"/attempts/{aid}/result"}   # a notification shade
    event("blur")
    first = event("focus", 8000)
    assert first["counted"] and first["warning"] == "已离开考试页面 1 次，上限 2 次。"
    page = client.get(f"/attempts/{aid}").text                # after a reload the page shows the live count
    assert "已离开考试页面 1 次，上限 2 次。" in page and "不作为认定作弊的证明" in page
    event("blur")
    second = event("focus", 5000)
    assert not second["submitted"] and "再离开一次" in second["warning"]      # warned before the last one
    event("blur")
    assert event("focus", 4000)["submitted"] is True
    db.expire_all()
    assert db.get(Attempt, aid).ended_by == "focus_limit"


def test_the_pages_own_hand_in_at_time_up_is_labelled_as_the_deadlines(client, db):
    builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    client.post(f"/api/attempts/{aid}/submit", json={"auto": True})
    db.expire_all()
    assert db.get(Attempt, aid).ended_by == "deadline"
    assert "时间到自动交卷" in client.get(f"/attempts/{aid}/result").text
    other = start(client, builders.exam(db, title="第二场").id)
    client.post(f"/attempts/{other}/submit")
    assert "本人交卷" in client.get(f"/attempts/{other}/result").text


def test_the_instructor_sees_attempts_and_the_integrity_log(client, db):
    builders.user(db)
    teacher = builders.user(db, "teacher", builders.Role.instructor, display_name="王老师")
    exam = builders.exam(db, created_by=teacher.id)          # an exam for everyone belongs to its creator
    builders.login(client)
    aid = start(client, exam.id)
    client.post(f"/api/attempts/{aid}/events", json={"kind": "offline"})
    client.post(f"/api/attempts/{aid}/events", json={"kind": "online"})
    client.post("/logout")
    builders.login(client, "teacher")
    listing = client.get(f"/instructor/exams/{exam.id}")
    assert "张三" in listing.text and "作答中" in listing.text
    log = client.get(f"/instructor/exams/attempts/{aid}")
    assert "网络断开" in log.text and "网络恢复" in log.text


def test_an_instructor_creates_an_exam_and_a_blueprint_the_bank_cannot_fill_is_named(client, db):
    builders.user(db, "teacher", builders.Role.instructor)
    builders.login(client, "teacher")
    form = {"title": "听证专项", "mode": "blueprint", "count-0": "2", "step-0": "听证", "count-1": "999",
            "volume-1": "v1-common", "time_limit_minutes": "20", "pass_percent": "60", "attempts_allowed": "1",
            "review_mode": "immediate", "multiple_rule": "partial", "focus_loss_limit": "0",
            "opens_at": "2026-12-01T09:00", "closes_at": "2026-12-01T11:00"}
    r = client.post("/instructor/exams/new", data=form)
    assert r.status_code == 422 and "第 2 行" in r.text and "需要 999 题" in r.text
    r = client.post("/instructor/exams/new", data={**form, "count-1": "3"})
    assert r.status_code == 303
    detail = client.get(r.headers["location"])
    assert "听证专项" in detail.text and "2026-12-01 09:00" in detail.text


def test_only_a_passed_certifying_exam_of_thirty_questions_of_a_volume_passes_it(client, db):
    builders.user(db)
    quiz = builders.exam(db, title="第一卷小测", pass_percent=60)
    final = builders.exam(db, title="第一卷结业考试", pass_percent=60, certifying=True,
                          blueprint=[{"count": 30, "volume": "v1-common"}], time_limit_minutes=90)
    builders.login(client)
    for exam in (quiz, final):
        aid = start(client, exam.id)
        for qid in paper_ids(client.get(f"/attempts/{aid}").text):
            _, right = wrong_and_right(db.get(Question, qid))
            client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": right})
        client.post(f"/attempts/{aid}/submit")
        me = client.get("/me").text
        assert f"{exam.title}（第 1 次）" in me and "合格" in me
        passed = re.search(r'class="passed">第一卷　公共法律法规规章运用：已合格', me)
        assert bool(passed) == (exam is final), exam.title          # the 5-question quiz never certifies


def test_the_review_setting_decides_what_the_result_shows(client, db):
    builders.user(db)
    never = builders.exam(db, title="不公布", review_mode="never")
    later = builders.exam(db, title="结束后公布", review_mode="after_close", closes_at=utcnow() + timedelta(hours=2))
    builders.login(client)
    for exam, message in ((never, "本考试不公布答案与解析"), (later, "将在考试结束")):
        aid = start(client, exam.id)
        result = client.post(f"/attempts/{aid}/submit", follow_redirects=True).text
        assert message in result
        assert "正确答案" not in result and 'class="explanation"' not in result
    exam = db.get(Exam, later.id)
    exam.closes_at = utcnow() - timedelta(minutes=1)
    db.add(exam)
    db.commit()
    attempt = db.exec(select(Attempt).where(Attempt.exam_id == later.id)).one()
    assert 'class="explanation"' in client.get(f"/attempts/{attempt.id}/result").text


def test_expired_attempts_are_graded_by_the_sweeper_without_any_request(db, engine):
    trainee = builders.user(db)
    exam = builders.exam(db)
    attempt = exams.start_attempt(db, trainee, exam.id, now=utcnow() - timedelta(hours=1))
    app = SimpleNamespace(state=SimpleNamespace(engine=engine))
    assert _sweep_once(app) == 1
    db.expire_all()
    assert db.get(Attempt, attempt.id).ended_by == "deadline"


def test_an_exam_answer_may_be_given_part_by_part_or_cleared(client, db):
    builders.user(db)
    case = db.exec(select(Question).where(Question.type == "case")).first()
    multiple = db.exec(select(Question).where(Question.type == "multiple")).first()
    exam = builders.exam(db, question_ids=[case.id, multiple.id])
    builders.login(client)
    aid = start(client, exam.id)
    first_part = case.parts[0]
    r = client.post(f"/api/attempts/{aid}/answers",
                    json={"question_id": case.id, "response": {first_part["id"]: first_part["answer"]}})
    assert r.status_code == 200
    client.post(f"/api/attempts/{aid}/answers", json={"question_id": multiple.id, "response": multiple.answer})
    cleared = client.post(f"/api/attempts/{aid}/answers", json={"question_id": multiple.id, "response": []})
    assert cleared.status_code == 200
    saved = {a.question_id: a.response for a in db.exec(select(AttemptAnswer))}
    assert saved[multiple.id] == [] and saved[case.id][first_part["id"]] == sorted(first_part["answer"])
    bad = client.post(f"/api/attempts/{aid}/answers", json={"question_id": case.id, "response": {"9": ["A"]}})
    assert bad.status_code == 422 and "小题 9 不存在" in bad.json()["detail"]
    client.post(f"/attempts/{aid}/submit")
    db.expire_all()
    graded = db.get(Attempt, aid)
    share = graded.paper[0]["points"] / len(case.parts) if graded.paper[0]["question_id"] == case.id else \
        graded.paper[1]["points"] / len(case.parts)
    assert graded.item_scores[case.id] == round(share, 2) and graded.item_scores[multiple.id] == 0


def test_without_script_the_exam_page_claims_no_save_no_running_clock_and_cannot_hand_in_nothing(client, db):
    builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    page = client.get(f"/attempts/{aid}").text
    # the save state and the clock are rendered hidden and empty of claims; the script shows them
    assert re.search(r'<span id="save-state" class="save-state" hidden></span>', page)
    assert re.search(r'<span class="clock" id="clock-box" hidden>', page)
    assert re.search(r'id="sheet-toggle"[^>]* hidden>', page)
    # 交卷 is disabled until the script enables it, and the <noscript> says why and what to do
    form = page.split('id="submit-form"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<button type="submit" class="primary" disabled>交卷</button>', form)
    notice = page.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert "启用 JavaScript" in notice and "交卷按钮不可用" in notice and "刷新本页" in notice


def right_and_wrong_result(client, db, *, right: int, wrong: int):
    """An attempt of ``right + wrong`` single-choice questions, answered so, handed in; its id and paper ids."""
    singles = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice",
                                             Question.active == True).order_by(Question.id).limit(right + wrong)).all()  # noqa: E712
    exam = builders.exam(db, question_ids=[q.id for q in singles])
    builders.login(client)
    aid = start(client, exam.id)
    for n, q in enumerate(singles):
        client.post(f"/api/attempts/{aid}/answers", json={"question_id": q.id, "response": builders.response(q, n < right)})
    client.post(f"/attempts/{aid}/submit")
    return aid, [q.id for q in singles]


def test_a_question_left_unanswered_is_shown_as_unanswered_not_wrong(client, db):
    builders.user(db)
    singles = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice",
                                             Question.active == True).order_by(Question.id).limit(3)).all()  # noqa: E712
    exam = builders.exam(db, question_ids=[q.id for q in singles])
    builders.login(client)
    aid = start(client, exam.id)
    client.post(f"/api/attempts/{aid}/answers", json={"question_id": singles[0].id,
                                                     "response": builders.response(singles[0], True)})
    client.post(f"/api/attempts/{aid}/answers", json={"question_id": singles[1].id,
                                                     "response": builders.response(singles[1], False)})
    client.post(f"/attempts/{aid}/submit")
    page = client.get(f"/attempts/{aid}/result").text
    bar = page.split('class="card jump-bar"', 1)[1].split("</nav>", 1)[0]
    labels = re.findall(r'aria-label="第 \d+ 题，(\w+)"', bar)
    assert sorted(labels) == ["未作答", "答对", "答错"]
    assert "未作答 <strong>1</strong> 题" in bar and "错题含未作答的题目" in bar
    assert '<p class="crumbs"><a href="/exams/">考试</a>' in page                # the way back, at the top


def test_the_result_has_a_jump_bar_coloured_right_and_wrong_and_a_wrong_only_filter(client, db):
    builders.user(db)
    aid, ids = right_and_wrong_result(client, db, right=3, wrong=2)
    full = client.get(f"/attempts/{aid}/result").text
    bar = full.split('class="card jump-bar"', 1)[1].split("</nav>", 1)[0]
    assert "答对 <strong>3</strong> 题" in bar and "答错 <strong>2</strong> 题" in bar
    items = re.findall(r'class="jump-item (\w+)" href="([^"]+)"\s+aria-label="第 (\d+) 题，(\w+)"', bar)
    assert len(items) == 5 and sorted(o for o, *_ in items).count("wrong") == 2
    assert all(href.endswith(f"#r{n}") and label == {"right": "答对", "wrong": "答错"}[o] for o, href, n, label in items)
    assert full.count('class="card question result-item') == 5
    # 只看错题: a plain GET link; the page keeps the bar of all five but shows the two wrong questions only
    assert f'href="/attempts/{aid}/result?wrong=1"' in bar
    only = client.get(f"/attempts/{aid}/result", params={"wrong": "1"}).text
    shown = re.findall(r'class="card question result-item (\w+)" id="r(\d+)"', only)
    assert [o for o, _ in shown] == ["wrong", "wrong"]
    assert {n for _, n in shown} == {n for o, _, n, _ in items if o == "wrong"}
    assert only.count('class="jump-item ') == 5
    right_link = next(href for o, href, n, _ in re.findall(
        r'class="jump-item (\w+)" href="([^"]+)"\s+aria-label="第 (\d+) 题，(\w+)"', only) if o == "right")
    assert "?wrong=1" not in right_link               # a right question is on the full list, not the filtered one
