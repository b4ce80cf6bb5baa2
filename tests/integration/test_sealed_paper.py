"""The paper sealed in the waiting room (quizapp/sealed_paper.py, issue 29): the room fetches its
candidate's prepared page encrypted with the exam's key; the key is given to anyone, but only from
the exam's start second, and opens the seal to the very page the start would send. A seal is only
for the attempt's own candidate, only before the start."""
import base64
import gzip
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from sqlmodel import Session, select

import quizapp.web.routes.exams as exam_routes
from quizapp.bank import sync_bank
from quizapp.models import Exam, PreparedPaper, utcnow
from quizapp.sealed_paper import open_seal
from tests import builders
from tests.conftest import make_client
from tests.integration.test_prepared_paper import enter_room
from tests.integration.test_waiting_room import start_now


def key_of(client, exam_id):
    return client.get(f"/api/exams/{exam_id}/paper-key")


def after_the_start(monkeypatch, exam, seconds=1):
    """The service's clock past the exam's start second (the exam itself stays as it was)."""
    monkeypatch.setattr(exam_routes, "utcnow", lambda: exam.opens_at + timedelta(seconds=seconds))


def test_the_room_gets_its_paper_sealed_and_the_key_at_the_start_opens_it(client, db, monkeypatch):
    exam, url, aid = enter_room(client, db)
    assert 'data-sealed-url="/api/attempts/%d/sealed-paper"' % aid in client.get(url).text
    sealed = client.get(f"/api/attempts/{aid}/sealed-paper")
    assert sealed.status_code == 200 and sealed.headers["content-type"] == "application/octet-stream"
    assert sealed.headers["cache-control"] == "no-store"
    assert b"data-question" not in sealed.content and b"<html" not in sealed.content

    early = key_of(client, exam.id)
    assert early.status_code == 409 and "key" not in early.json() and early.headers["cache-control"] == "no-store"
    assert 0 < early.json()["starts_in"] <= 600

    after_the_start(monkeypatch, exam)
    released = key_of(client, exam.id)
    assert released.status_code == 200 and released.headers["cache-control"] == "public, max-age=60"
    key = base64.b64decode(released.json()["key"])
    page = open_seal(key, aid, sealed.content)
    db.expire_all()
    stored = db.exec(select(PreparedPaper).where(PreparedPaper.attempt_id == aid)).one()
    assert page == stored.page                                  # the page the start would send, gzipped
    html = gzip.decompress(page).decode()
    assert 'data-prepared="1"' in html and html.count("data-question=") == 5 and 'data-remaining="1800"' in html


def before_the_start(monkeypatch, exam, seconds):
    """The service's clock running, the exam's start second ``seconds`` ahead of it."""
    shift = exam.opens_at - timedelta(seconds=seconds) - utcnow()
    monkeypatch.setattr(exam_routes, "utcnow", lambda: utcnow() + shift)
    return shift


def test_key_requests_held_in_the_last_seconds_are_answered_together_at_the_start(client, db, monkeypatch):
    exam, url, aid = enter_room(client, db)
    sealed = client.get(f"/api/attempts/{aid}/sealed-paper").content
    reads = []
    read_start = exam_routes._read_start
    monkeypatch.setattr(exam_routes, "_read_start", lambda *a: reads.append(a) or read_start(*a))
    shift = before_the_start(monkeypatch, exam, 1.5)

    def held():
        r = client.get(f"/api/exams/{exam.id}/paper-key?hold=1")
        return r, utcnow() + shift                            # the service's time when it came back

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: held(), range(10)))
    assert all(r.status_code == 200 for r, _ in answers)
    assert all(back >= exam.opens_at for _, back in answers)   # none before the start second
    assert max(back for _, back in answers) - exam.opens_at < timedelta(seconds=1)
    assert len({r.json()["key"] for r, _ in answers}) == 1
    assert gzip.decompress(open_seal(base64.b64decode(answers[0][0].json()["key"]), aid, sealed))
    assert len(reads) == 2                 # one as the first came in, one at the start: not one per request


def test_a_key_request_held_too_early_is_answered_409_at_once(client, db):
    exam, url, aid = enter_room(client, db, minutes_before=10)
    asked = time.monotonic()
    early = client.get(f"/api/exams/{exam.id}/paper-key?hold=1")
    assert early.status_code == 409 and "key" not in early.json() and time.monotonic() - asked < 1


def test_held_key_requests_get_409_when_the_start_was_moved_while_they_waited(client, db, monkeypatch, engine):
    exam, url, aid = enter_room(client, db)
    before_the_start(monkeypatch, exam, 1.0)

    def move_the_start():
        time.sleep(0.3)
        with Session(engine) as other:
            moved = other.get(Exam, exam.id)
            moved.opens_at += timedelta(minutes=5)
            other.add(moved)
            other.commit()

    with ThreadPoolExecutor(2) as pool:
        pool.submit(move_the_start)
        held = pool.submit(client.get, f"/api/exams/{exam.id}/paper-key?hold=1").result()
    assert held.status_code == 409 and "key" not in held.json()
    assert 290 <= held.json()["starts_in"] <= 300


def test_the_key_needs_no_login_and_is_the_same_for_everyone(client, db, monkeypatch, sqlite_url):
    exam, url, aid = enter_room(client, db)
    after_the_start(monkeypatch, exam)
    with make_client(sqlite_url) as stranger:
        assert key_of(stranger, exam.id).json() == key_of(client, exam.id).json()
    assert key_of(client, exam.id + 999).status_code == 404
    no_start = builders.exam(db, title="随堂测验")
    assert key_of(client, no_start.id).status_code == 404


def test_a_seal_is_only_for_the_candidate_and_only_before_the_start(client, db, sqlite_url):
    exam, url, aid = enter_room(client, db)
    builders.user(db, username="lisi", display_name="李四")
    with make_client(sqlite_url) as other:
        assert other.get(f"/api/attempts/{aid}/sealed-paper").status_code == 401      # not logged in
        builders.login(other, "lisi")
        assert other.get(f"/api/attempts/{aid}/sealed-paper").status_code == 404      # not theirs
    start_now(db, exam)
    assert client.get(f"/api/attempts/{aid}/sealed-paper").status_code == 409         # started: none to give
    assert client.post(f"/api/attempts/{aid}/submit", json={}).status_code == 200
    assert client.get(f"/api/attempts/{aid}/sealed-paper").status_code == 409         # submitted


def test_an_attempt_outside_a_waiting_room_has_no_seal(client, db):
    builders.user(db)
    exam = builders.exam(db)                                    # no start time: the paper at once
    builders.login(client)
    aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    assert client.get(f"/api/attempts/{aid}/sealed-paper").status_code == 409


def test_a_moved_start_gives_a_key_that_does_not_open_the_earlier_seal(client, db, monkeypatch):
    exam, url, aid = enter_room(client, db)
    sealed = client.get(f"/api/attempts/{aid}/sealed-paper").content
    start_now(db, exam)                                         # the start moved to a second ago
    key = base64.b64decode(key_of(client, exam.id).json()["key"])
    with pytest.raises(InvalidTag):                             # the page then loads its paper from the server
        open_seal(key, aid, sealed)


def test_a_page_rendered_again_after_a_bank_change_is_sealed_anew(client, db, site, monkeypatch):
    exam, url, aid = enter_room(client, db)
    client.get(url)
    first = site.questions[0]
    sync_bank(db, [replace(first, stem=first.stem + "（修订）")] + site.questions[1:], site.corpus)
    sealed = client.get(f"/api/attempts/{aid}/sealed-paper")
    assert sealed.status_code == 200
    after_the_start(monkeypatch, exam)
    key = base64.b64decode(key_of(client, exam.id).json()["key"])
    db.expire_all()
    assert open_seal(key, aid, sealed.content) == db.exec(select(PreparedPaper.page)).one()
