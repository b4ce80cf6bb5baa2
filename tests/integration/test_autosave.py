"""The lean paths of the exam page, its autosave and its clock (quizapp.exam_page, quizapp.autosave):
it answers the plain case itself and hands every other case, unchanged, to
the general path, which says why."""
import gc
from datetime import timedelta

import pytest
from sqlmodel import select

from quizapp import accounts, autosave, exam_page, exams, mistakes
from quizapp.domain.errors import InvalidAnswer
from quizapp.models import Attempt, AttemptAnswer, LoginSession, MistakeEntry, Question, User, utcnow
from tests import builders

IDLE = timedelta(hours=3)


@pytest.fixture
def attempt(db):
    trainee = builders.user(db)
    exam = builders.exam(db)
    attempt = exams.start_attempt(db, trainee, exam.id)
    token = accounts.start_session(db, trainee, days=1)
    questions = [db.get(Question, item["question_id"]) for item in attempt.paper]
    return attempt, token, questions


def saved_rows(db, attempt_id):
    db.expire_all()
    return {a.question_id: (a.response, a.seq)
            for a in db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))}


def stored(q, right, seq):
    """The row saved_rows shows for builders.response(q, right) kept as version seq (choices sorted)."""
    response = builders.response(q, right)
    return (response if q.type == "case" else sorted(response), seq)


def save_one(engine, token, attempt_id, question_id, response, base, now=None):
    """One save on the lean path, as the save queue writes it: its Saved, or None; raises InvalidAnswer."""
    [outcome] = autosave.save_many(engine, [autosave.SaveRequest(token, attempt_id, question_id, response, base,
                                                                 IDLE)], now)
    if isinstance(outcome, InvalidAnswer):
        raise outcome
    return outcome


def save(engine, token, attempt_id, q, *, base, right=True, now=None):
    return save_one(engine, token, attempt_id, q.id, builders.response(q, right), base, now)


def test_the_plain_case_is_saved_in_order_and_a_stale_save_is_acknowledged_but_not_applied(db, engine, attempt):
    attempt, token, (q, *_) = attempt
    first = save(engine, token, attempt.id, q, base=0)
    assert (first.applied, first.seq) == (True, 1)
    stale = save(engine, token, attempt.id, q, base=0, right=False)      # chosen on the answer before the first
    assert not stale.applied and stale.saved_at == first.saved_at
    assert (stale.seq, stale.response) == stored(q, True, 1)[::-1]       # what the page shows instead
    newer = save(engine, token, attempt.id, q, base=1, right=False)
    assert (newer.applied, newer.seq) == (True, 2)
    assert saved_rows(db, attempt.id) == {q.id: stored(q, False, 2)}
    clock = autosave.clock(engine, token=token, attempt_id=attempt.id, idle=IDLE)
    assert clock.saved == [q.id] and 29 * 60 < clock.remaining <= 30 * 60


def test_a_response_the_question_cannot_take_is_refused_and_nothing_is_written(db, engine, attempt):
    attempt, token, questions = attempt
    choice = next(q for q in questions if q.type != "case")
    with pytest.raises(InvalidAnswer, match="不存在"):
        save_one(engine, token, attempt.id, choice.id, ["Z"], 1)
    assert saved_rows(db, attempt.id) == {}


def test_every_case_but_the_plain_one_goes_to_the_general_path(db, engine, attempt):
    attempt, token, (q, *_) = attempt
    other = builders.user(db, "lisi")
    others_token = accounts.start_session(db, other, days=1)
    off_paper = db.exec(select(Question).where(Question.id.not_in([i["question_id"] for i in attempt.paper]))).first()
    declined = {
        "no cookie": save(engine, None, attempt.id, q, base=0),
        "unknown token": save(engine, "no-such-token", attempt.id, q, base=0),
        "another user's attempt": save(engine, others_token, attempt.id, q, base=0),
        "no such attempt": save(engine, token, attempt.id + 1000, q, base=0),
        "a question not on the paper": save(engine, token, attempt.id, off_paper, base=0),
        "past the deadline": save(engine, token, attempt.id, q, base=0, now=attempt.deadline + timedelta(seconds=4)),
    }
    assert declined == dict.fromkeys(declined)          # every one None: nothing decided here
    assert autosave.clock(engine, token=others_token, attempt_id=attempt.id, idle=IDLE) is None
    assert saved_rows(db, attempt.id) == {}

    session = db.get(LoginSession, accounts.token_hash(token))
    session.last_seen_at = utcnow() - IDLE - timedelta(minutes=1)        # idle too long
    db.add(session)
    db.commit()
    assert save(engine, token, attempt.id, q, base=0) is None
    session.last_seen_at = utcnow() - timedelta(minutes=2)               # seen two minutes ago: touched now
    db.add(session)
    db.commit()
    assert save(engine, token, attempt.id, q, base=0).applied
    db.expire_all()
    assert db.get(LoginSession, accounts.token_hash(token)).last_seen_at > utcnow() - timedelta(seconds=30)

    before = saved_rows(db, attempt.id)
    exams.submit(db, db.get(User, attempt.user_id), attempt.id)
    assert save(engine, token, attempt.id, q, base=1, right=False) is None   # graded: the general path says 409
    assert autosave.clock(engine, token=token, attempt_id=attempt.id, idle=IDLE) is None
    assert saved_rows(db, attempt.id) == before and before[q.id][1] == 1


def test_a_batch_settles_each_save_on_its_own_and_applies_saves_of_one_question_in_their_order(db, engine, attempt):
    attempt, token, (q1, q2, q3, *_) = attempt
    other = builders.user(db, "lisi")
    others_token = accounts.start_session(db, other, days=1)
    choice = next(q for q in (q1, q2, q3) if q.type != "case")

    def request(q, base, right=True, tok=token, response=None):
        return autosave.SaveRequest(tok, attempt.id, q.id, response or builders.response(q, right), base, IDLE)

    outcomes = autosave.save_many(engine, [
        request(q1, 0, right=False),
        request(q1, 1),                                   # the same question again, on the first: applied after it
        request(q2, 0),
        request(q2, 0, right=False),                      # on the answer the one before replaced: not applied
        request(q3, 0, tok=others_token),                 # not the plain case: left to the general path
        request(choice, 0, response=["Z"]),               # refused; the others are written all the same
        request(q3, 0, tok=None),
    ])
    first, newer, q2_saved, q2_stale, others, refused, no_cookie = outcomes
    assert (first.seq, newer.seq, q2_saved.seq) == (1, 2, 1) and first.applied and newer.applied and q2_saved.applied
    assert not q2_stale.applied and (q2_stale.saved_at, q2_stale.seq) == (q2_saved.saved_at, 1)
    assert others is None and no_cookie is None
    assert isinstance(refused, InvalidAnswer)
    assert saved_rows(db, attempt.id) == {q1.id: stored(q1, True, 2), q2.id: stored(q2, True, 1)}


def test_over_http_the_declined_cases_get_the_general_paths_answers(client, db):
    trainee = builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    q = db.get(Question, db.get(Attempt, aid).paper[0]["question_id"])
    body = {"question_id": q.id, "response": builders.response(q), "base": 0}
    assert client.post(f"/api/attempts/{aid}/answers", json=body).json()["applied"] is True
    assert client.post(f"/api/attempts/{aid + 1}/answers", json=body).status_code == 404
    assert client.post(f"/api/attempts/{aid}/answers", json={**body, "question_id": "v9-none"}).json() == {
        "detail": "本题不在您的试卷中"}
    assert client.post(f"/api/attempts/{aid}/submit").json()["status"] == "graded"
    late = client.post(f"/api/attempts/{aid}/answers", json={**body, "base": 1})
    assert late.status_code == 409 and late.json() == {"detail": "本次考试已交卷，答案不能再修改"}
    assert client.get(f"/api/attempts/{aid}/state").json()["status"] == "graded"
    client.post("/logout")
    assert client.post(f"/api/attempts/{aid}/answers", json=body).status_code == 401
    assert trainee.id


def test_the_cached_paper_holds_no_answer_key_and_its_option_orders_are_not_tracked_by_the_collector(
        engine, attempt):
    attempt, token, questions = attempt
    autosave._papers.clear()                 # earlier tests' databases had attempts of the same ids
    save(engine, token, attempt.id, questions[0], base=0)
    [items] = autosave._papers.values()
    gc.collect()
    assert list(items) == [item["question_id"] for item in attempt.paper]
    for item, drawn in zip(items.values(), attempt.paper):
        assert item.key == () and list(item.option_order) == drawn.get("option_order", [])
        assert not any(gc.is_tracked(order) for order in [item.option_order, *item.part_option_orders.values()])


def test_a_save_whose_body_is_not_an_answer_is_refused_with_422_and_nothing_is_written(client, db):
    builders.user(db)
    builders.login(client)
    aid = int(client.post(f"/exams/{builders.exam(db).id}/start").headers["location"].rsplit("/", 1)[1])
    q = db.get(Question, db.get(Attempt, aid).paper[0]["question_id"])
    good = {"question_id": q.id, "response": builders.response(q), "base": 0}
    for bad in ({"content": b"{not json"}, {"json": {"response": good["response"]}},
                {"json": {**good, "response": "A"}}, {"json": {**good, "base": -1}}, {"json": {**good, "base": 2**53}}, {"json": [good]},
                {"data": good}):
        refused = client.post(f"/api/attempts/{aid}/answers", **bad)
        assert (refused.status_code, refused.json()) == (422, {"detail": "提交的数据格式有误"}), bad
    assert saved_rows(db, aid) == {}
    assert client.post(f"/api/attempts/{aid}/answers", json=good).json()["applied"] is True


def test_grading_puts_every_wrong_item_in_the_mistake_book_with_one_query_for_the_existing_entries(db, attempt):
    attempt, _, questions = attempt
    user_id = attempt.user_id
    mistakes.record_wrong(db, user_id=user_id, question_id=questions[0].id, source="practice")
    db.commit()
    exams.submit(db, db.get(User, user_id), attempt.id)      # nothing answered: every item wrong
    entries = {e.question_id: e for e in db.exec(select(MistakeEntry).where(MistakeEntry.user_id == user_id))}
    assert set(entries) == {q.id for q in questions}
    assert entries[questions[0].id].wrong_count == 2 and entries[questions[0].id].last_source == "exam"
    assert {entries[q.id].wrong_count for q in questions[1:]} == {1}


# --- the exam page (quizapp.exam_page), the same kind of lean path --------------

def general_page(db, attempt_id):
    """What the general path shows: exams.paper_view and the attempt's own fields."""
    attempt = db.get(Attempt, attempt_id)
    return [(v.number, v.id, v.stem, v.options, v.parts, v.points, v.response) for v in exams.paper_view(db, attempt)]


def lean_page(engine, token, attempt_id, **kw):
    found = exam_page.load(engine, token=token, attempt_id=attempt_id, idle=IDLE, **kw)
    return found if found is None else (found[0], found[1],
                                        [(v.number, v.id, v.stem, v.options, v.parts, v.points, v.response)
                                         for v in found[0].questions])


def test_the_exam_page_shows_what_the_general_path_shows_and_declines_every_other_case(db, engine, attempt):
    attempt, token, (q, *_) = attempt
    assert save(engine, token, attempt.id, q, base=0).applied
    page, user, questions = lean_page(engine, token, attempt.id)
    assert questions == general_page(db, attempt.id) and questions[0][-1] is not None      # the saved answer shows
    assert page.versions == {q.id: 1}                                  # and its version, sent with the next save
    assert (page.attempt_id, page.number, page.title, page.focus_losses) == (attempt.id, 1, "第一卷结业考试", 0)
    assert 29 * 60 < page.remaining <= 30 * 60 and (user.display_name, user.role) == ("张三", "trainee")

    other = builders.user(db, "lisi")
    assert lean_page(engine, accounts.start_session(db, other, days=1), attempt.id) is None    # not theirs
    assert lean_page(engine, None, attempt.id) is None
    assert lean_page(engine, token, attempt.id, now=attempt.deadline + timedelta(seconds=4)) is None   # overdue
    exams.submit(db, db.get(User, attempt.user_id), attempt.id)
    assert lean_page(engine, token, attempt.id) is None                                        # graded


def test_an_edited_question_shows_its_new_text_at_once_though_the_page_caches_question_content(db, engine, attempt):
    attempt, token, (q, *_) = attempt
    assert lean_page(engine, token, attempt.id)[2][0][2] == q.stem            # cached now
    q.stem, q.content_hash = q.stem + "（修订）", "0123456789abcdef"           # as `setup` writes a changed question
    db.add(q)
    db.commit()
    assert lean_page(engine, token, attempt.id)[2][0][2] == q.stem


def test_an_unanswered_questions_html_is_reused_and_an_answered_one_shows_its_answer(db, engine, attempt):
    from quizapp.web.render import exam_sections
    attempt, token, (q, *_) = attempt
    first = exam_sections(exam_page.load(engine, token=token, attempt_id=attempt.id, idle=IDLE)[0].questions)
    again = exam_sections(exam_page.load(engine, token=token, attempt_id=attempt.id, idle=IDLE)[0].questions)
    assert all(a is b for a, b in zip(first, again))                          # the same strings, not rendered anew
    assert 'data-state="empty"' in first[0] and "checked" not in first[0]
    assert save(engine, token, attempt.id, q, base=0).applied
    answered = exam_sections(exam_page.load(engine, token=token, attempt_id=attempt.id, idle=IDLE)[0].questions)
    assert 'data-state="saved"' in answered[0] and "checked" in answered[0] and answered[1:] == first[1:]


def test_every_save_carries_the_clock_so_the_page_needs_no_separate_sync_while_it_saves(db, engine, attempt):
    """exam.js resyncs its clock from each save's reply and asks /state only after 30 s without one."""
    attempt, token, (q, second, *_) = attempt
    later = attempt.started_at + timedelta(minutes=10, seconds=30)
    lean = save(engine, token, attempt.id, q, base=0, now=later)
    assert lean.remaining == 19 * 60 + 30                # deadline (start + 30 min) less the save's moment
    user = db.get(User, attempt.user_id)
    general = exams.save_answer(db, user, attempt.id, question_id=second.id,
                                response=builders.response(second, True), now=later + timedelta(seconds=15))
    assert general.remaining == 19 * 60 + 15


def test_an_event_that_cannot_count_is_logged_on_the_lean_path_and_a_return_is_left_to_the_general_one(
        db, engine, attempt):
    """A prepared page's opening comes from thousands of pages after the start: one statement
    reads the session, the attempt and the limit, one writes the event, dated back by its delay."""
    from quizapp.models import IntegrityEvent
    attempt, token, _ = attempt
    received = attempt.started_at + timedelta(seconds=75)
    outcome = autosave.record_event(engine, token=token, attempt_id=attempt.id, kind="enter", detail="",
                                    duration_ms=70_000, idle=IDLE, now=received)
    assert (outcome.focus_losses, outcome.submitted, outcome.counted) == (0, False, False)
    db.expire_all()
    [logged] = db.exec(select(IntegrityEvent).where(IntegrityEvent.attempt_id == attempt.id)).all()
    assert (logged.kind, logged.counted, logged.duration_ms) == ("enter", False, 70_000)
    assert logged.at.replace(tzinfo=None) == (received - timedelta(seconds=70)).replace(tzinfo=None)
    other = accounts.start_session(db, builders.user(db, "lisi"), days=1)
    for kind, who in (("focus", token), ("enter", other), ("enter", None), ("beep", token)):
        assert autosave.record_event(engine, token=who, attempt_id=attempt.id, kind=kind, detail="",
                                     duration_ms=90_000, idle=IDLE, now=received) is None
