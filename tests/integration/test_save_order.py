"""The order of an answer's saves is the server's (issue 17, finding 10).

The server counts the saves it keeps of each question of an attempt (the
answer's version, attempt_answers.seq). The exam page knows the version of
each answer it shows (data-versions) and sends it with a save (base): a save
made on a version that another device has since replaced is acknowledged as
not applied, with the answer the server keeps and its version, and the page
shows that answer instead of 已保存. No device's clock takes part."""
from __future__ import annotations

from contextlib import contextmanager

import html
import json
import re

import pytest
from alembic import command
from sqlalchemy import update
from sqlmodel import Session, select

from quizapp import exams, migrate
from quizapp.models import Attempt, AttemptAnswer, Question
from tests import builders
from tests.conftest import make_client, prepared_engine

VERSIONS = re.compile(r'id="exam"[^>]*data-versions="([^"]*)"')


def stored(db, attempt_id: int, question_id: str) -> tuple[object, int]:
    db.expire_all()
    row = db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id,
                                              AttemptAnswer.question_id == question_id)).one()
    return row.response, row.seq


class Device:
    """One browser with its own login session, and its copy of the exam page:
    what static/exam.js knows (the version of each answer shown) and sends."""

    def __init__(self, client, attempt_id: int):
        self.client, self.attempt_id, self.versions = client, attempt_id, {}

    def open_page(self) -> None:
        page = self.client.get(f"/attempts/{self.attempt_id}")
        assert page.status_code == 200
        found = VERSIONS.search(page.text)
        self.versions = json.loads(html.unescape(found.group(1))) if found else {}

    def choose(self, question_id: str, response) -> dict:
        r = self.client.post(f"/api/attempts/{self.attempt_id}/answers", json={
            "question_id": question_id, "response": response, "base": self.versions.get(question_id, 0)})
        assert r.status_code == 200, r.text
        reply = r.json()
        self.versions[question_id] = reply["seq"]       # kept or not: the page now shows the server's answer
        return reply


def single_choice_exam(db):
    ids = db.exec(select(Question.id).where(Question.active == True, Question.volume == "v1-common",  # noqa: E712
                                            Question.type == "single").order_by(Question.id).limit(2)).all()
    return builders.exam(db, question_ids=list(ids))


@contextmanager
def one_question_open(sqlite_url, db):
    """A trainee's client with an attempt of a one-question exam open: (client, attempt id, question id)."""
    builders.user(db)
    exam = single_choice_exam(db)
    with make_client(sqlite_url) as client:
        builders.login(client)
        aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        yield client, aid, db.get(Attempt, aid).paper[0]["question_id"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, site):
    """(url, session) on a fresh SQLite file or the PostgreSQL test database."""
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    engine = prepared_engine(url, site)
    with Session(engine) as session:
        yield url, session
    engine.dispose()


def test_after_a_device_switch_the_later_save_wins_and_the_page_left_behind_cannot_overwrite_it(database):
    url, db = database
    builders.user(db)
    exam = single_choice_exam(db)
    with make_client(url) as phone_client, make_client(url) as pc_client:
        builders.login(phone_client)
        aid = int(phone_client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        q = db.get(Attempt, aid).paper[0]["question_id"]
        phone = Device(phone_client, aid)
        phone.open_page()
        assert phone.versions == {}
        first = phone.choose(q, ["A"])
        assert (first["applied"], first["seq"], first["response"]) == (True, 1, ["A"])

        builders.login(pc_client)                         # the trainee moves to a PC: a second session
        pc = Device(pc_client, aid)
        pc.open_page()
        assert pc.versions == {q: 1}
        later = pc.choose(q, ["B"])
        assert (later["applied"], later["seq"]) == (True, 2)
        assert stored(db, aid, q) == (["B"], 2)

        # the phone's page still shows A: a choice made there is not kept, and the reply brings B back
        stale = phone.choose(q, ["C"])
        assert (stale["applied"], stale["seq"], stale["response"]) == (False, 2, ["B"])
        assert stored(db, aid, q) == (["B"], 2)

        # once the phone's page shows B, a choice made there is the newest and is kept
        again = phone.choose(q, ["D"])
        assert (again["applied"], again["seq"]) == (True, 3)
        assert stored(db, aid, q) == (["D"], 3)
        pc.open_page()
        assert pc.versions == {q: 3}


def test_the_devices_clocks_do_not_order_the_saves(sqlite_url, db):
    """The page of the previous release numbered saves by its clock (seq); the
    server ignores that number: of two saves made on the same version, the one
    that reaches the server first is kept, whatever the clocks said."""
    builders.user(db)
    exam = single_choice_exam(db)
    ahead, behind = 1_900_000_000_000_000, 1_700_000_000_000_000       # microseconds: a clock set years apart
    with make_client(sqlite_url) as phone, make_client(sqlite_url) as pc:
        builders.login(phone)
        builders.login(pc)
        aid = int(phone.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        q = db.get(Attempt, aid).paper[0]["question_id"]
        url = f"/api/attempts/{aid}/answers"
        assert phone.post(url, json={"question_id": q, "response": ["A"], "seq": ahead}).json()["applied"] is True
        later = pc.post(url, json={"question_id": q, "response": ["B"], "seq": behind}).json()
        assert later["applied"] is True
        assert stored(db, aid, q)[0] == ["B"]


def test_a_retried_save_that_the_server_already_kept_is_acknowledged_as_kept(sqlite_url, db):
    """A reply lost on the way back: the page sends the same answer again on
    the version it knew; the server keeps that very answer, so it says so."""
    with one_question_open(sqlite_url, db) as (client, aid, q):
        url = f"/api/attempts/{aid}/answers"
        client.post(url, json={"question_id": q, "response": ["A"], "base": 0})      # its reply never arrived
        retry = client.post(url, json={"question_id": q, "response": ["A"], "base": 0}).json()
        assert (retry["applied"], retry["seq"], retry["response"]) == (True, 1, ["A"])
        assert stored(db, aid, q) == (["A"], 1)


def test_a_save_without_a_version_replaces_whatever_is_stored_in_the_order_saves_arrive(sqlite_url, db):
    """A client that sends no base (an API caller, a page of the previous release) is ordered by arrival."""
    with one_question_open(sqlite_url, db) as (client, aid, q):
        url = f"/api/attempts/{aid}/answers"
        for n, choice in enumerate("ABA", 1):
            reply = client.post(url, json={"question_id": q, "response": [choice]}).json()
            assert (reply["applied"], reply["seq"]) == (True, n)
        assert stored(db, aid, q) == (["A"], 3)


def test_the_upgrade_replaces_numbers_read_from_a_pages_clock_by_version_1(sqlite_url, db):
    """Before revision 0014 the page numbered its saves by its clock (up to 2**62):
    such an answer becomes version 1, one saved before 0008 (0) stays 0."""
    trainee = builders.user(db)
    exam = single_choice_exam(db)
    attempt = exams.start_attempt(db, trainee, exam.id)
    first, second = (item["question_id"] for item in attempt.paper)
    for qid in (first, second):
        exams.save_answer(db, trainee, attempt.id, question_id=qid, response=["A"])
    for qid, old in ((first, 2**62 - 1), (second, 0)):
        db.exec(update(AttemptAnswer).where(AttemptAnswer.question_id == qid).values(seq=old))
    db.commit()
    command.downgrade(migrate.alembic_config(sqlite_url), "0013")
    migrate.upgrade(sqlite_url)
    assert [stored(db, attempt.id, qid)[1] for qid in (first, second)] == [1, 0]
    saved = exams.save_answer(db, trainee, attempt.id, question_id=first, response=["B"], base=1)
    assert (saved.applied, saved.seq) == (True, 2)
