"""The exam service as it is deployed: several worker processes on one
PostgreSQL database, requests of one trainee landing on any of them, races
between them, a worker killed with SIGKILL, many writers on SQLite, and the
database out of reach for a while. Every server here is a real
``python -m quizapp serve`` process spoken to over HTTP (tests/servers.py)."""
from __future__ import annotations

import itertools
import random
import re
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session, func, select

from quizapp import accounts, exams
from quizapp.db import make_engine
from quizapp.models import Attempt, AttemptAnswer, Exam, MistakeEntry, Question, User, utcnow
from quizapp.web.render import score
from tests import builders
from tests.conftest import make_client, prepared_engine
from tests.servers import Server, TcpProxy, Trainee, at_once

UNAVAILABLE = "服务暂时无法访问数据库，请稍后重试；已保存的内容不会丢失"


# --- helpers --------------------------------------------------------------------

def paper_ids(html: str) -> list[str]:
    return re.findall(r'data-question="([^"]+)"', html)


def normal(response):
    """A response as the service stores it: option keys sorted (per part for a case question)."""
    if isinstance(response, dict):
        return {part: sorted(keys) for part, keys in response.items()}
    return sorted(response)


def fixed_exam(db: Session, count: int, **kw):
    """An exam whose paper is the same `count` questions of volume 1 for every attempt."""
    ids = db.exec(select(Question.id).where(Question.active == True, Question.volume == "v1-common")  # noqa: E712
                  .order_by(Question.id).limit(count)).all()
    return builders.exam(db, question_ids=list(ids), **kw)


def fresh(engine, model, key):
    with Session(engine) as db:
        return db.get(model, key)


def answers_of(engine, aid: int) -> dict[str, AttemptAnswer]:
    with Session(engine) as db:
        return {a.question_id: a for a in db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == aid))}


def mistakes_of(engine, user_id: int) -> dict[str, int]:
    with Session(engine) as db:
        return {m.question_id: m.wrong_count
                for m in db.exec(select(MistakeEntry).where(MistakeEntry.user_id == user_id))}


def expected_score(attempt: Attempt, right: set[str]) -> float:
    return round(sum(item["points"] for item in attempt.paper if item["question_id"] in right), 2)


def wait_until(condition, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


def backends(engine, where: str) -> int:
    """PostgreSQL backends (other than this query's own) matching a condition on pg_stat_activity."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                                 + where)).scalar()


@contextmanager
def running(url: str, tmp_path, workers: int = 1, meanwhile=lambda: None):
    """`workers` server processes on the database at `url`, each sweeping every
    second; `meanwhile` (preparing the database) runs while they import the app."""
    servers = [Server(url, tmp_path / f"worker-{n}.log", sweep_seconds=1) for n in range(workers)]
    try:
        for s in servers:
            s.start()
        prepared = meanwhile()
        for s in servers:
            s.wait_ready()
        yield servers, prepared
    finally:
        for s in servers:
            s.stop()


@pytest.fixture
def pg_workers(pg_url, site, tmp_path):
    """Two workers on one PostgreSQL database; and the test's own engine."""
    with running(pg_url, tmp_path, 2, lambda: prepared_engine(pg_url, site)) as ((a, b), engine):
        yield engine, a.base, b.base
        engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def platform(request, site, tmp_path):
    """PostgreSQL: two workers; SQLite: one worker (as it is deployed), both names pointing at it."""
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    workers = 2 if request.param == "postgresql" else 1
    with running(url, tmp_path, workers, lambda: prepared_engine(url, site)) as (servers, engine):
        yield engine, servers[0].base, servers[-1].base
        engine.dispose()


# --- 1. one attempt, two workers -----------------------------------------------------

def test_an_attempt_whose_requests_alternate_between_two_workers_keeps_every_answer_and_is_graded_right(pg_workers):
    engine, a, b = pg_workers
    with Session(engine) as db:
        builders.user(db)
        exam_id = builders.exam(db, blueprint=[{"count": 8, "volume": "v1-common"}], shuffle_questions=True,
                                shuffle_options=True).id
    trainee = Trainee.log_in(a, "zhangsan", builders.PASSWORD)
    worker = itertools.cycle([b, a])                 # logged in on A; from now on B, A, B, …

    aid = trainee.start(next(worker), exam_id)
    page = trainee.get(next(worker), f"/attempts/{aid}")
    assert page.status_code == 200
    ids = paper_ids(page.text)
    assert len(ids) == 8
    with Session(engine) as db:
        questions = {i: db.get(Question, i) for i in ids}
    sent, right = {}, set()
    for n, qid in enumerate(ids):
        correct = n % 3 != 0
        sent[qid] = builders.response(questions[qid], right=correct)
        right |= {qid} if correct else set()
        r = trainee.save(next(worker), aid, qid, sent[qid], version=0)
        assert r.status_code == 200 and r.json()["applied"] is True, r.text
    state = trainee.get(next(worker), f"/api/attempts/{aid}/state").json()
    assert state["status"] == "open" and state["saved"] == sorted(ids)
    r = trainee.post(next(worker), f"/attempts/{aid}/submit")
    assert r.status_code == 303 and r.headers["location"] == f"/attempts/{aid}/result"
    result = trainee.get(next(worker), f"/attempts/{aid}/result")
    assert result.status_code == 200

    stored = answers_of(engine, aid)
    assert {q: a.response for q, a in stored.items()} == {q: normal(r) for q, r in sent.items()}
    graded = fresh(engine, Attempt, aid)
    points = {item["question_id"]: item["points"] for item in graded.paper}
    assert graded.status == "graded" and graded.ended_by == "trainee"
    assert graded.item_scores == {q: (points[q] if q in right else 0.0) for q in ids}
    assert graded.score == expected_score(graded, right) and graded.max_score == round(sum(points.values()), 2)
    assert f"<strong>{score(graded.score)}</strong> / {score(graded.max_score)}" in result.text
    assert set(mistakes_of(engine, graded.user_id)) == set(ids) - right


# --- 2. the same request on two workers at the same instant ----------------------------

def test_two_workers_submitting_the_same_attempt_at_once_grade_it_exactly_once(pg_workers):
    engine, a, b = pg_workers
    rounds = 5
    with Session(engine) as db:
        user_id = builders.user(db).id
        exam = fixed_exam(db, 6, attempts_allowed=rounds)
        questions = [db.get(Question, q) for q in exam.question_ids]
    trainee = Trainee.log_in(a, "zhangsan", builders.PASSWORD)
    for n in range(rounds):
        aid = trainee.start(a, exam.id)
        right = {q.id for q in questions[:3]}                        # the other three stay unanswered
        for q in questions[:3]:
            assert trainee.save(b, aid, q.id, builders.response(q)).status_code == 200
        before = utcnow()
        first, second = at_once(lambda: trainee.post(a, f"/api/attempts/{aid}/submit"),
                                lambda: trainee.post(b, f"/api/attempts/{aid}/submit"))
        assert (first.status_code, second.status_code) == (200, 200)
        assert first.json() == second.json() == {"status": "graded", "result_url": f"/attempts/{aid}/result"}
        graded = fresh(engine, Attempt, aid)
        assert graded.ended_by == "trainee" and before <= graded.submitted_at <= utcnow()
        assert graded.score == expected_score(graded, right)
        # each grading puts every missed question into the mistake book once: n + 1 gradings so far
        assert mistakes_of(engine, user_id) == {q.id: n + 1 for q in questions[3:]}
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Attempt)).one() == rounds


def test_two_workers_starting_the_same_exam_at_once_open_one_attempt(pg_workers):
    engine, a, b = pg_workers
    rounds = 5
    with Session(engine) as db:
        user_id = builders.user(db).id
        exam_id = fixed_exam(db, 4, attempts_allowed=rounds).id
    trainee = Trainee.log_in(b, "zhangsan", builders.PASSWORD)
    for n in range(rounds):
        first, second = at_once(lambda: trainee.post(a, f"/exams/{exam_id}/start"),
                                lambda: trainee.post(b, f"/exams/{exam_id}/start"))
        assert (first.status_code, second.status_code) == (303, 303), (first.text, second.text)
        assert first.headers["location"] == second.headers["location"]
        with Session(engine) as db:
            attempts = db.exec(select(Attempt).where(Attempt.user_id == user_id)).all()
        assert len(attempts) == n + 1
        [open_attempt] = [x for x in attempts if x.status == "open"]
        assert first.headers["location"] == f"/attempts/{open_attempt.id}" and open_attempt.number == n + 1
        assert trainee.post(a, f"/api/attempts/{open_attempt.id}/submit").status_code == 200


# --- 3. a save racing the submit; a stale save --------------------------------------

def test_a_save_racing_the_final_submit_is_either_in_the_grade_or_refused(platform):
    engine, a, b = platform
    rounds = 20
    with Session(engine) as db:
        builders.user(db)
        exam = fixed_exam(db, 3, attempts_allowed=rounds)
        first_q, raced_q = db.get(Question, exam.question_ids[0]), db.get(Question, exam.question_ids[1])
    trainee = Trainee.log_in(a, "zhangsan", builders.PASSWORD)
    rng = random.Random(7)
    for n in range(rounds):
        save_to, submit_to = (a, b) if n % 2 else (b, a)
        aid = trainee.start(submit_to, exam.id)
        assert trainee.save(save_to, aid, first_q.id, builders.response(first_q)).status_code == 200
        lead, lag = rng.uniform(0, 0.004), rng.uniform(0, 0.004)      # either may reach the server first

        def save():
            time.sleep(lead)
            return trainee.save(save_to, aid, raced_q.id, builders.response(raced_q))

        def submit():
            time.sleep(lag)
            return trainee.post(submit_to, f"/api/attempts/{aid}/submit")

        saved, submitted = at_once(save, submit)
        # graded in the request, or (hand-ins coming fast: a busy worker) by its grader soon after
        assert submitted.status_code == 200 and submitted.json()["status"] in ("graded", "grading")
        graded = graded_soon(engine, aid)
        rows = answers_of(engine, aid)
        points = {item["question_id"]: item["points"] for item in graded.paper}
        if saved.status_code == 200:                      # acknowledged: it is stored and it counts
            assert saved.json()["applied"] is True
            assert rows[raced_q.id].response == normal(builders.response(raced_q))
            assert graded.item_scores[raced_q.id] == points[raced_q.id]
        else:                                             # refused: nothing stored, nothing counted
            assert saved.status_code == 409 and "已交卷" in saved.json()["detail"], saved.text
            assert raced_q.id not in rows and graded.item_scores[raced_q.id] == 0
        assert graded.score == expected_score(graded, set(rows))
        late = [q for q, row in rows.items() if row.saved_at > graded.submitted_at]
        assert late == [], f"answers saved after the attempt was handed in at {graded.submitted_at}: {late}"


def graded_soon(engine, attempt_id, seconds=10.0) -> Attempt:
    stop = time.monotonic() + seconds
    while (attempt := fresh(engine, Attempt, attempt_id)).status != "graded" and time.monotonic() < stop:
        time.sleep(0.05)
    assert attempt.status == "graded", f"attempt {attempt_id} still {attempt.status} after {seconds} s"
    return attempt


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_stale_save_replayed_after_a_newer_one_leaves_the_newer_answer(database, request, site):
    url = request.getfixturevalue("pg_url" if database == "postgresql" else "sqlite_url")
    engine = prepared_engine(url, site)
    try:
        with Session(engine) as db:
            builders.user(db)
            exam = fixed_exam(db, 2)
            q = db.get(Question, exam.question_ids[0])
        with make_client(url) as client:
            builders.login(client)
            aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
            save = lambda response, base: client.post(f"/api/attempts/{aid}/answers",  # noqa: E731
                                                      json={"question_id": q.id, "response": response, "base": base})
            newer = save(builders.response(q, right=True), 0)
            assert newer.status_code == 200 and newer.json()["applied"] is True
            stale = save(builders.response(q, right=False), 0)          # a choice made before it, replayed
            assert stale.status_code == 200 and stale.json()["applied"] is False
            assert stale.json()["saved_at"] == newer.json()["saved_at"]
            row = answers_of(engine, aid)[q.id]
            assert (row.response, row.seq) == (normal(builders.response(q, right=True)), 1)
            assert client.post(f"/api/attempts/{aid}/submit").json()["status"] == "graded"
        graded = fresh(engine, Attempt, aid)
        assert graded.item_scores[q.id] == next(i["points"] for i in graded.paper if i["question_id"] == q.id)
    finally:
        engine.dispose()


# --- 4. the deadline sweep with several workers -----------------------------------

def abandoned_attempt(engine) -> tuple[int, int, str]:
    """An attempt with one right answer saved whose trainee never came back: its deadline passed a minute ago."""
    with Session(engine) as db:
        trainee = builders.user(db)
        exam = fixed_exam(db, 4)
        attempt = exams.start_attempt(db, trainee, exam.id)
        q = db.get(Question, attempt.paper[0]["question_id"])
        exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q))
        attempt = db.get(Attempt, attempt.id)
        attempt.deadline = utcnow() - timedelta(minutes=1)
        db.add(attempt)
        db.commit()
        return attempt.id, trainee.id, q.id


def test_an_abandoned_attempt_is_graded_at_its_deadline_by_exactly_one_of_several_concurrent_sweeps(pg_url, site):
    engine = prepared_engine(pg_url, site)
    workers = [make_engine(pg_url) for _ in range(6)]          # one engine per worker process
    try:
        aid, user_id, answered = abandoned_attempt(engine)
        deadline = fresh(engine, Attempt, aid).deadline
        results = at_once(*(lambda e=e: exams.sweep(e) for e in workers))
        assert results.count(1) == 1 and set(results) - {1} <= {0, None}, results
        graded = fresh(engine, Attempt, aid)
        assert graded.status == "graded" and graded.ended_by == "deadline" and graded.submitted_at == deadline
        assert graded.score == graded.item_scores[answered] > 0
        assert mistakes_of(engine, user_id) == {i["question_id"]: 1 for i in graded.paper[1:]}
        assert exams.sweep(workers[0]) == 0                             # nothing is left to grade
        assert mistakes_of(engine, user_id) == {i["question_id"]: 1 for i in graded.paper[1:]}
    finally:
        for e in [engine, *workers]:
            e.dispose()


def test_workers_sweeping_in_a_loop_while_deadlines_pass_one_by_one_grade_each_attempt_once(pg_url, site):
    """Four workers sweep without pause while 30 attempts reach their deadline
    one after another: the sweeps' counts add up to 30, and each attempt is in
    its trainee's mistake book once. (A sweep that took the advisory lock the
    moment another let go of it, before that one's gradings were committed,
    found the same attempts still open and counted them again.)"""
    engine = prepared_engine(pg_url, site)
    workers = [make_engine(pg_url) for _ in range(4)]
    count = 30
    try:
        with Session(engine) as db:
            exam = fixed_exam(db, 2)
            users = [User(username=f"xueyuan{n:02d}", display_name=f"学员{n}", password_hash="-") for n in range(count)]
            db.add_all(users)
            db.commit()
            aids = [exams.start_attempt(db, u, exam.id).id for u in users]
        done = threading.Event()

        def keep_sweeping(e):
            counts = []
            while not done.is_set():
                counts.append(exams.sweep(e))
            return counts

        def pass_deadlines_one_by_one():
            with Session(engine) as db:
                for aid in aids:
                    db.exec(update(Attempt).where(Attempt.id == aid).values(deadline=utcnow() - timedelta(minutes=1)))
                    db.commit()
                    time.sleep(0.03)
            time.sleep(0.5)
            done.set()

        *swept, _ = at_once(*(lambda e=e: keep_sweeping(e) for e in workers), pass_deadlines_one_by_one)
        counts = [c for worker in swept for c in worker]
        assert sum(c for c in counts if c) == count, Counter(counts)
        with Session(engine) as db:
            graded = db.exec(select(Attempt).where(Attempt.status == "graded", Attempt.ended_by == "deadline")).all()
            assert len(graded) == count
            assert Counter(m.wrong_count for m in db.exec(select(MistakeEntry))) == {1: 2 * count}
    finally:
        for e in [engine, *workers]:
            e.dispose()


def test_a_sweep_that_fails_on_a_database_error_lets_go_of_the_lock_so_the_next_worker_sweeps(
        pg_url, site, monkeypatch):
    engine = prepared_engine(pg_url, site)
    first, second = make_engine(pg_url), make_engine(pg_url)
    try:
        aid, _, _ = abandoned_attempt(engine)
        working = exams.finish_expired
        monkeypatch.setattr(exams, "finish_expired", lambda db, now=None, **kw: db.exec(text("SELECT * FROM gone")))
        with pytest.raises(ProgrammingError, match="gone"):          # its own error, not a follow-on one
            exams.sweep(first)
        monkeypatch.setattr(exams, "finish_expired", working)
        assert exams.sweep(second) == 1                               # not None: the lock is free
        assert fresh(engine, Attempt, aid).ended_by == "deadline"
    finally:
        for e in (engine, first, second):
            e.dispose()


def test_an_abandoned_attempt_is_graded_by_the_running_workers_without_any_request(pg_workers):
    engine, a, b = pg_workers
    aid, user_id, answered = abandoned_attempt(engine)
    end = time.monotonic() + 10
    while fresh(engine, Attempt, aid).status == "open" and time.monotonic() < end:
        time.sleep(0.2)
    graded = fresh(engine, Attempt, aid)
    assert graded.status == "graded" and graded.ended_by == "deadline"
    time.sleep(1.2)                                   # each worker has swept at least once more
    assert fresh(engine, Attempt, aid).submitted_at == graded.submitted_at
    assert set(mistakes_of(engine, user_id).values()) == {1} and len(mistakes_of(engine, user_id)) == 3


# --- 5. kill -9 in the middle of an exam ----------------------------------------------

@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_after_a_worker_is_killed_mid_exam_every_acknowledged_answer_and_the_clock_are_intact(
        database, request, site, tmp_path):
    url = request.getfixturevalue("pg_url" if database == "postgresql" else "sqlite_url")
    engine = prepared_engine(url, site)
    try:
        with Session(engine) as db:
            builders.user(db)
            exam = fixed_exam(db, 5, time_limit_minutes=30)
            questions = {q: db.get(Question, q) for q in exam.question_ids}
        server = Server(url, tmp_path / "before.log").start().wait_ready()
        try:
            trainee = Trainee.log_in(server.base, "zhangsan", builders.PASSWORD)
            aid = trainee.start(server.base, exam.id)
            ids = paper_ids(trainee.get(server.base, f"/attempts/{aid}").text)
            acknowledged = {}
            for qid in ids[:3]:
                r = trainee.save(server.base, aid, qid, builders.response(questions[qid]))
                assert r.status_code == 200
                acknowledged[qid] = builders.response(questions[qid])
            deadline = fresh(engine, Attempt, aid).deadline
            server.kill()
        finally:
            server.stop()
        with pytest.raises(httpx.TransportError):
            trainee.get(server.base, f"/api/attempts/{aid}/state")          # it is really gone

        again = Server(url, tmp_path / "after.log").start().wait_ready()
        try:
            state = trainee.get(again.base, f"/api/attempts/{aid}/state").json()   # the same cookie
            assert state["status"] == "open" and state["saved"] == sorted(acknowledged)
            attempt = fresh(engine, Attempt, aid)
            assert attempt.deadline == deadline == attempt.started_at + timedelta(minutes=30)
            elapsed = (utcnow() - attempt.started_at).total_seconds()
            assert abs(state["remaining"] - (30 * 60 - elapsed)) <= 2
            page = trainee.get(again.base, f"/attempts/{aid}").text
            for qid, response in acknowledged.items():
                section = page.split(f'data-question="{qid}"', 1)[1].split("</section>", 1)[0]
                checked = sorted(re.findall(r'value="(\w+)"\s+checked', section))
                keys = [k for keys in response.values() for k in keys] if isinstance(response, dict) else response
                assert checked == sorted(keys) and "已保存" in section
            # the trainee carries on: one more answer, then hand in
            last = ids[3]
            assert trainee.save(again.base, aid, last, builders.response(questions[last])).status_code == 200
            assert trainee.post(again.base, f"/attempts/{aid}/submit").status_code == 303
        finally:
            again.stop()
        graded = fresh(engine, Attempt, aid)
        assert set(answers_of(engine, aid)) == {*acknowledged, last}
        assert graded.ended_by == "trainee" and graded.score == expected_score(graded, {*acknowledged, last})
    finally:
        engine.dispose()


# --- 6. SQLite: many writers through one app --------------------------------------------

def test_sqlite_takes_twenty_trainees_saving_at_once_without_a_locked_database(sqlite_url, site, tmp_path):
    trainees, saves = 20, 10
    engine = prepared_engine(sqlite_url, site)
    try:
        with Session(engine) as db:
            users = [builders.user(db, f"xueyuan{n:02d}", display_name=f"学员{n}") for n in range(trainees)]
            cookies = {u.id: accounts.start_session(db, u, days=1) for u in users}     # logged in
            exam_id = fixed_exam(db, saves).id
            questions = [db.get(Question, q) for q in db.get(Exam, exam_id).question_ids]
        with running(sqlite_url, tmp_path) as ((server,), _):
            def exam_of(user_id):
                trainee = Trainee(cookies[user_id])
                aid = trainee.start(server.base, exam_id)
                statuses = []
                with httpx.Client(base_url=server.base, headers=trainee.headers(True), timeout=60) as http:
                    for n, q in enumerate(questions):      # right on even questions, wrong on odd ones
                        r = http.post(f"/api/attempts/{aid}/answers",
                                      json={"question_id": q.id, "response": builders.response(q, n % 2 == 0)})
                        statuses.append(r.status_code)
                return aid, statuses

            results = dict(zip(cookies, at_once(*(lambda u=u: exam_of(u) for u in cookies))))
            log = (tmp_path / "worker-0.log").read_text()
        assert {uid: s for uid, (_, s) in results.items() if s != [200] * saves} == {}
        assert "database is locked" not in log
        with Session(engine) as db:
            rows = db.exec(select(AttemptAnswer)).all()
        assert len(rows) == trainees * saves
        by_attempt = {aid: uid for uid, (aid, _) in results.items()}
        assert len(by_attempt) == trainees
        expected = {q.id: normal(builders.response(q, n % 2 == 0)) for n, q in enumerate(questions)}
        for row in rows:
            assert row.attempt_id in by_attempt and row.response == expected[row.question_id]
    finally:
        engine.dispose()


# --- 7. the database out of reach ---------------------------------------------------------

def test_while_the_database_is_unreachable_requests_get_a_503_in_chinese_and_the_worker_recovers_by_itself(
        pg_url, site, tmp_path):
    engine = prepared_engine(pg_url, site)             # the test's own, direct connection
    direct = urlsplit(pg_url)
    proxy = TcpProxy(direct.hostname, direct.port or 5432).start()
    credentials = direct.netloc.rsplit("@", 1)[0] + "@" if "@" in direct.netloc else ""
    via_proxy = urlunsplit(direct._replace(netloc=f"{credentials}127.0.0.1:{proxy.port}"))
    try:
        with Session(engine) as db:
            user_id = builders.user(db).id
            exam = fixed_exam(db, 4)
            questions = [db.get(Question, q) for q in exam.question_ids]
        with running(via_proxy, tmp_path) as ((server,), _):
            trainee = Trainee.log_in(server.base, "zhangsan", builders.PASSWORD)
            aid = trainee.start(server.base, exam.id)
            assert trainee.save(server.base, aid, questions[0].id, builders.response(questions[0])).status_code == 200
            assert proxy.open_connections > 0

            # a save is under way inside its transaction (the attempt row locked, the answer's INSERT
            # waiting on a lock the test holds) when the link to the database breaks
            with psycopg.connect(pg_url) as blocker:
                blocker.execute("LOCK TABLE attempt_answers IN SHARE MODE")
                in_flight = {}
                thread = threading.Thread(target=lambda: in_flight.update(
                    save=trainee.save(server.base, aid, questions[1].id, builders.response(questions[1]))))
                thread.start()
                wait_until(lambda: backends(engine, "wait_event_type = 'Lock' AND "
                                                    "query LIKE 'INSERT INTO attempt_answers%'"))
                proxy.cut()
                thread.join(timeout=30)
                blocker.rollback()
            save = in_flight["save"]
            assert save.status_code == 503 and save.json() == {"detail": UNAVAILABLE}
            assert save.headers["retry-after"] == "5"
            # the orphaned transaction finishes its INSERT, cannot reach its client, and is rolled back
            wait_until(lambda: not backends(engine, "query LIKE 'INSERT INTO attempt_answers%'"))
            page = trainee.get(server.base, f"/attempts/{aid}")
            assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
            assert UNAVAILABLE in page.text
            submit = trainee.post(server.base, f"/api/attempts/{aid}/submit")
            assert submit.status_code == 503
            # nothing half-written: the broken save is not there, the attempt is not graded
            assert set(answers_of(engine, aid)) == {questions[0].id}
            assert fresh(engine, Attempt, aid).status == "open" and mistakes_of(engine, user_id) == {}
            time.sleep(1.2)                              # the sweeper fails meanwhile, and carries on

            proxy.restore()                              # the same worker, not restarted
            save = trainee.save(server.base, aid, questions[1].id, builders.response(questions[1]))
            assert save.status_code == 200, save.text
            state = trainee.get(server.base, f"/api/attempts/{aid}/state").json()
            assert state["saved"] == sorted(q.id for q in questions[:2])
            assert trainee.post(server.base, f"/api/attempts/{aid}/submit").json()["status"] == "graded"
            log = (tmp_path / "worker-0.log").read_text()
        assert "database unavailable" in log
        assert len(answers_of(engine, aid)) == 2
        graded = fresh(engine, Attempt, aid)
        assert graded.score == expected_score(graded, {q.id for q in questions[:2]})
        assert set(mistakes_of(engine, user_id)) == {q.id for q in questions[2:]}
    finally:
        proxy.cut()
        engine.dispose()


def test_no_sync_route_needs_another_thread_after_it_returns(sqlite_url, engine):
    """FastAPI validates a declared return type of a sync route in the thread
    pool, after the route and before the request's session is closed: under an
    exam's submit wave a request holding SQLite's write lock then waits for a
    free thread while every thread waits for that lock (seen in the benchmark
    as a 30 s stall). So no sync route declares one."""
    import inspect

    from fastapi.routing import APIRoute

    app = make_client(sqlite_url).app
    try:        # FastAPI >= 0.16x includes routers lazily: app.routes holds one entry per router
        from fastapi.routing import iter_route_contexts
        routes = [rc.original_route for rc in iter_route_contexts(app.routes)]
    except ImportError:
        routes = list(app.routes)
    routes = [r for r in routes if isinstance(r, APIRoute)]
    assert len(routes) > 50
    sync_with_return_type = [r.path for r in routes
                             if not inspect.iscoroutinefunction(r.endpoint) and r.response_field is not None]
    assert sync_with_return_type == []
