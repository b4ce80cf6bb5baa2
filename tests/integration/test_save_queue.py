"""The save queue (quizapp.save_queue): saves that arrive while a batch is
being written are written together in the next one, each acknowledged only
once committed, and each settled with its own outcome."""
import asyncio
import threading
from concurrent.futures import CancelledError
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from quizapp import accounts, autosave, exams, save_queue
from quizapp.autosave import SaveRequest
from quizapp.db import make_engine
from quizapp.domain.errors import InvalidAnswer
from quizapp.models import AttemptAnswer, Question
from tests import builders
from tests.conftest import prepared_engine

IDLE = timedelta(hours=3)


@pytest.fixture
def attempt(db):
    trainee = builders.user(db)
    attempt = exams.start_attempt(db, trainee, builders.exam(db).id)
    token = accounts.start_session(db, trainee, days=1)
    return attempt, token, [db.get(Question, item["question_id"]) for item in attempt.paper]


def saved_questions(engine, attempt_id: int) -> set[str]:
    with Session(engine) as db:
        return set(db.exec(select(AttemptAnswer.question_id).where(AttemptAnswer.attempt_id == attempt_id)))


class HeldWriter:
    """Wraps autosave.save_many: records each batch's size; the first batch waits until released."""

    def __init__(self, monkeypatch):
        self.sizes, self.started, self.release = [], threading.Event(), threading.Event()
        real = autosave.save_many

        def save_many(engine, requests, now=None):
            self.sizes.append(len(requests))
            if len(self.sizes) == 1:
                self.started.set()
                assert self.release.wait(10)
            return real(engine, requests, now)
        monkeypatch.setattr(autosave, "save_many", save_many)


def test_saves_that_arrive_while_a_batch_is_written_go_together_into_the_next(engine, attempt, monkeypatch):
    attempt, token, questions = attempt
    held = HeldWriter(monkeypatch)
    queue = save_queue.SaveQueue(engine, writers=1)
    try:
        first = queue.submit(SaveRequest(token, attempt.id, questions[0].id, builders.response(questions[0]), 1, IDLE))
        assert held.started.wait(10)
        waiting = [queue.submit(SaveRequest(token, attempt.id, q.id, builders.response(q), 1, IDLE))
                   for q in questions[1:]]
        assert not any(f.done() for f in [first, *waiting])       # nothing acknowledged before its commit
        held.release.set()
        assert all(f.result(10).applied for f in [first, *waiting])
        assert len(questions) > 2 and held.sizes == [1, len(questions) - 1]
    finally:
        queue.close()
    assert saved_questions(engine, attempt.id) == {q.id for q in questions}


def test_each_save_gets_its_own_outcome_and_a_save_given_up_before_its_batch_is_not_written(
        engine, attempt, monkeypatch):
    attempt, token, questions = attempt
    held = HeldWriter(monkeypatch)
    choice = next(q for q in questions[1:] if q.type != "case")
    others = [q for q in questions[1:] if q is not choice]
    queue = save_queue.SaveQueue(engine, writers=1)
    try:
        queue.submit(SaveRequest(token, attempt.id, questions[0].id, builders.response(questions[0]), 1, IDLE))
        assert held.started.wait(10)
        refused = queue.submit(SaveRequest(token, attempt.id, choice.id, ["Z"], 1, IDLE))
        not_plain = queue.submit(SaveRequest("no-such-token", attempt.id, others[0].id,
                                             builders.response(others[0]), 1, IDLE))
        given_up = queue.submit(SaveRequest(token, attempt.id, others[1].id, builders.response(others[1]), 1, IDLE))
        assert given_up.cancel()                            # the client went away while it waited
        held.release.set()
        with pytest.raises(InvalidAnswer):
            refused.result(10)
        assert not_plain.result(10) is None
        with pytest.raises(CancelledError):
            given_up.result(10)
        queue.close()
        assert held.sizes == [1, 2]                         # the cancelled save never reached a batch
    finally:
        queue.close()
    assert saved_questions(engine, attempt.id) == {questions[0].id}


def test_saves_awaited_on_an_event_loop_are_settled_there_and_one_given_up_is_not_written(
        engine, attempt, monkeypatch):
    """The route's way in (SaveQueue.save): the batch's outcomes reach the
    loop together, each to its own waiter."""
    attempt, token, questions = attempt
    held = HeldWriter(monkeypatch)
    choice = next(q for q in questions[1:] if q.type != "case")
    kept, gone = [q for q in questions[1:] if q is not choice][:2]
    queue = save_queue.SaveQueue(engine, writers=1)

    def request(q, response=None):
        return SaveRequest(token, attempt.id, q.id, response or builders.response(q), 1, IDLE)

    async def exam_page():
        first = asyncio.ensure_future(queue.save(request(questions[0])))
        await asyncio.to_thread(held.started.wait, 10)
        waiting = [asyncio.ensure_future(queue.save(r)) for r in (request(kept), request(choice, ["Z"]))]
        given_up = asyncio.ensure_future(queue.save(request(gone)))
        await asyncio.sleep(0)                          # every save is in the queue
        given_up.cancel()
        assert not any(f.done() for f in [first, *waiting])
        held.release.set()
        return await asyncio.gather(first, *waiting, given_up, return_exceptions=True)
    try:
        first, saved, refused, given_up = asyncio.run(exam_page())
    finally:
        queue.close()
    assert first.applied and saved.applied
    assert isinstance(refused, InvalidAnswer) and isinstance(given_up, asyncio.CancelledError)
    assert held.sizes == [1, 2]                             # the cancelled save never reached a batch
    assert saved_questions(engine, attempt.id) == {questions[0].id, kept.id}


def test_when_the_batch_fails_every_save_in_it_gets_the_error_and_the_next_batch_is_written(
        engine, attempt, monkeypatch):
    attempt, token, questions = attempt
    real, calls = autosave.save_many, []

    def fails_once(engine, requests, now=None):
        calls.append(len(requests))
        if len(calls) == 1:
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
        return real(engine, requests, now)
    monkeypatch.setattr(autosave, "save_many", fails_once)
    queue = save_queue.SaveQueue(engine, writers=1)
    try:
        request = SaveRequest(token, attempt.id, questions[0].id, builders.response(questions[0]), 1, IDLE)
        with pytest.raises(OperationalError):
            queue.submit(request).result(10)
        assert queue.submit(request).result(10).applied         # the writer goes on: the retry is written
    finally:
        queue.close()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_batches_saving_the_same_answers_in_opposite_orders_never_deadlock(database, request, site):
    url = request.getfixturevalue("pg_url" if database == "postgresql" else "sqlite_url")
    engine = prepared_engine(url, site)
    queue_engine = make_engine(url)
    try:
        with Session(engine) as db:
            exam_id, requests = builders.exam(db).id, []
            for name in ("zhangsan", "lisi"):
                trainee = builders.user(db, name)
                a = exams.start_attempt(db, trainee, exam_id)
                token = accounts.start_session(db, trainee, days=1)
                requests += [SaveRequest(token, a.id, i["question_id"],
                                         builders.response(db.get(Question, i["question_id"])), seq, IDLE)
                             for seq in range(1, 4) for i in a.paper]
        failures = []

        def write(batch):
            try:
                for _ in range(10):
                    assert all(isinstance(o, exams.Saved) for o in autosave.save_many(queue_engine, batch))
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                failures.append(exc)
        threads = [threading.Thread(target=write, args=(requests,)),
                   threading.Thread(target=write, args=(requests[::-1],))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert failures == []
    finally:
        queue_engine.dispose()
        engine.dispose()
