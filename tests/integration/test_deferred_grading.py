"""交卷 under load (issue 29): a hand-in is one row written and answered at
once; the worker's grader scores it off the request (quizapp/grader.py). A
quiet worker still grades in the request, so a class handing in one by one
sees its score at once."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from quizapp import exams, grader
from quizapp.models import Attempt, Question
from tests import builders
from tests.conftest import make_client, prepared_engine
from tests.integration.test_exams import start, wrong_and_right
from tests.integration.test_workers_and_faults import graded_soon


@pytest.fixture
def held_grader(client, monkeypatch):
    """Every hand-in left to the grader, and the grader held until the test lets it go."""
    monkeypatch.setattr(client.app.state.grader, "_busy_over", 0)
    release = threading.Event()
    real = exams.grade_handed_in

    def held(engine, limit=20, **kw):
        release.wait(timeout=30)
        return real(engine, limit, **kw)

    monkeypatch.setattr(exams, "grade_handed_in", held)
    yield release
    release.set()


def answer_all_right(client, db, aid):
    ids = [item["question_id"] for item in db.get(Attempt, aid).paper]
    for qid in ids:
        _, right = wrong_and_right(db.get(Question, qid))
        assert client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": right}).status_code == 200
    return ids


def test_a_busy_worker_acknowledges_the_hand_in_at_once_and_the_grader_scores_it(client, db, engine, held_grader):
    builders.user(db)
    teacher = builders.user(db, "jiaoshi", role=builders.Role.instructor, display_name="李老师")
    exam = builders.exam(db, created_by=teacher.id)
    builders.login(client)
    aid = start(client, exam.id)
    ids = answer_all_right(client, db, aid)

    r = client.post(f"/api/attempts/{aid}/submit", json={})
    reply = r.json()
    # the page opens the result when the grader expects to be done: within the bounds, spread
    assert r.status_code == 200 and reply.pop("retry") in range(grader.RETRY_SECONDS[0], 73)
    assert reply == {"status": "grading", "result_url": f"/attempts/{aid}/result"}
    db.expire_all()
    handed_in = db.get(Attempt, aid)
    assert handed_in.status == "grading" and handed_in.ended_by == "trainee" and handed_in.score is None

    # handed in: no answer may change any more, and the page says so in Chinese
    late = client.post(f"/api/attempts/{aid}/answers", json={"question_id": ids[0], "response": []})
    assert late.status_code == 409 and "已交卷" in late.json()["detail"]
    # a second hand-in changes nothing
    assert client.post(f"/api/attempts/{aid}/submit").json()["status"] == "grading"
    # the exam page sends the trainee to the result, which says 正在评分 and comes back by itself
    assert client.get(f"/attempts/{aid}").headers["location"] == f"/attempts/{aid}/result"
    result = client.get(f"/attempts/{aid}/result")
    assert result.status_code == 200 and "已交卷，正在评分" in result.text
    assert grader.RETRY_SECONDS[0] <= int(result.headers["refresh"]) <= grader.RETRY_SECONDS[1] * 1.2
    assert result.headers["cache-control"] == "no-store" and "本人交卷" in result.text
    assert "已交卷，正在评分" in client.get("/exams/").text
    # the instructor sees it as 评分中, not as a failed attempt
    client.post("/logout")
    builders.login(client, "jiaoshi")
    listing = client.get(f"/instructor/exams/{exam.id}").text
    assert "评分中" in listing and "不合格" not in listing
    assert "正在评分" in client.get(f"/instructor/exams/attempts/{aid}").text

    held_grader.set()
    graded = graded_soon(engine, aid)
    assert graded.score == graded.max_score > 0 and graded.passed
    assert graded.submitted_at == handed_in.submitted_at and graded.ended_by == "trainee"
    client.post("/logout")
    builders.login(client)
    shown = client.get(f"/attempts/{aid}/result")
    assert "正在评分" not in shown.text and "合格" in shown.text and "refresh" not in shown.headers


def test_a_quiet_worker_grades_in_the_request(client, db):
    builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    r = client.post(f"/api/attempts/{aid}/submit", json={"auto": True})
    assert r.json()["status"] == "graded"
    db.expire_all()
    assert db.get(Attempt, aid).ended_by == "deadline"


def test_the_result_page_grades_an_attempt_left_behind_when_the_worker_is_quiet(client, db):
    """A hand-in whose worker stopped before grading it: the next look at it scores it."""
    trainee = builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = start(client, exam.id)
    exams.hand_in(db, trainee, aid)
    db.expire_all()
    assert db.get(Attempt, aid).status == "grading"
    shown = client.get(f"/attempts/{aid}/result")
    assert "正在评分" not in shown.text
    db.expire_all()
    assert db.get(Attempt, aid).status == "graded"


def test_another_workers_grader_finds_a_hand_in_left_behind(client, db, engine):
    """No hand-in of its own wakes it: its look every few seconds does."""
    trainee = builders.user(db)
    exam = builders.exam(db)
    aid = start_for(client, exam.id)
    exams.hand_in(db, trainee, aid)
    assert graded_soon(engine, aid, seconds=client.app.state.grader._poll_seconds + 5).score is not None


def start_for(client, exam_id):
    builders.login(client)
    return start(client, exam_id)


def test_graders_of_several_workers_grade_each_hand_in_once_on_postgres(pg_url, site):
    """Four graders at once over 40 hand-ins: SKIP LOCKED gives each attempt to one of them."""
    engine = prepared_engine(pg_url, site)
    try:
        with Session(engine) as db:
            ids = handed_in_attempts(db, 40)
        with ThreadPoolExecutor(4) as pool:
            counts = list(pool.map(lambda _: sum_until_empty(engine), range(4)))
        assert sum(counts) == 40            # each attempt graded by one grader: none twice, none left
        with Session(engine) as db:
            statuses = db.exec(select(Attempt.status).where(Attempt.id.in_(ids))).all()
        assert statuses == ["graded"] * 40
    finally:
        engine.dispose()


def handed_in_attempts(db, count: int) -> list[int]:
    """The ids of ``count`` attempts of one exam, each a trainee's of their own, handed in and not graded."""
    exam, ids = builders.exam(db), []
    for n in range(count):
        trainee = builders.user(db, f"xueyuan{n:02d}")
        attempt = exams.start_attempt(db, trainee, exam.id)
        exams.hand_in(db, trainee, attempt.id)
        ids.append(attempt.id)
    return ids


def sum_until_empty(engine) -> int:
    total = 0
    while graded := exams.grade_handed_in(engine, limit=3):
        total += graded
    return total


def test_an_attempt_whose_grading_fails_does_not_hold_up_the_others(db, engine, monkeypatch):
    ids = handed_in_attempts(db, 3)
    real = exams._write_grade

    def failing_for_the_first(db, attempt_id, *args):
        if attempt_id == ids[0]:
            raise RuntimeError("a paper that cannot be graded")
        return real(db, attempt_id, *args)

    monkeypatch.setattr(exams, "_write_grade", failing_for_the_first)
    failed = {}
    assert exams.grade_handed_in(engine, failed=failed) == 2        # the first, oldest, is passed over
    assert list(failed) == [ids[0]]
    assert exams.grade_handed_in(engine, failed=failed) == 0        # ... while it is in failed
    db.expire_all()
    assert [db.get(Attempt, i).status for i in ids] == ["grading", "graded", "graded"]
    monkeypatch.undo()
    assert exams.grade_handed_in(engine, failed={}) == 1            # tried again later, it is graded
    db.expire_all()
    assert db.get(Attempt, ids[0]).status == "graded"
