"""候考 (domain/waiting.py): when the room opens, when an attempt's clock starts, its deadline,
the spread of the paper requests after the start, and each trainee's live status."""
from datetime import datetime, timedelta, timezone

import pytest

from quizapp.domain import exams as rules
from quizapp.domain import waiting
from quizapp.domain.errors import DomainError

START = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
HOUR = timedelta(minutes=60)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_the_room_opens_its_minutes_before_the_start_and_closes_at_the_start():
    assert waiting.room_state(at(-31), START, 30) == waiting.EARLY
    assert waiting.room_state(at(-30), START, 30) == waiting.WAITING
    assert waiting.room_state(at(-0.01), START, 30) == waiting.WAITING
    assert waiting.room_state(START, START, 30) == waiting.STARTED


def test_an_exam_without_a_start_time_or_with_zero_minutes_has_no_room():
    assert waiting.room_state(at(-5), None, 30) == waiting.NO_ROOM
    assert waiting.room_state(at(-5), START, 0) == waiting.NO_ROOM
    assert waiting.room_state(at(5), START, 0) == waiting.STARTED


def test_entering_the_room_is_allowed_but_not_before_it_opens():
    rules.check_can_start(at(-10), opens_at=START, closes_at=None, attempts_allowed=1, attempts_used=0,
                          waiting_minutes=30)
    with pytest.raises(rules.ExamClosed, match="候考室将于开考前 30 分钟开放"):
        rules.check_can_start(at(-45), opens_at=START, closes_at=None, attempts_allowed=1, attempts_used=0,
                              waiting_minutes=30)
    with pytest.raises(rules.ExamClosed, match="考试尚未开始"):
        rules.check_can_start(at(-10), opens_at=START, closes_at=None, attempts_allowed=1, attempts_used=0)


def test_an_attempt_begun_in_the_room_starts_at_the_start_second_and_a_late_one_at_once():
    assert waiting.start_of_attempt(at(-12), START, 30) == START
    assert waiting.start_of_attempt(at(7), START, 30) == at(7)
    assert waiting.start_of_attempt(at(7), None, 30) == at(7)


def test_a_common_deadline_is_the_same_for_a_latecomer_and_an_own_deadline_runs_from_each_start():
    common = dict(mode=waiting.COMMON, starts_at=START, closes_at=None)
    assert waiting.deadline(START, HOUR, **common) == at(60)
    assert waiting.deadline(at(7), HOUR, **common) == at(60)
    own = dict(mode=waiting.OWN, starts_at=START, closes_at=None)
    assert waiting.deadline(at(7), HOUR, **own) == at(67)
    assert waiting.deadline(at(7), HOUR, mode=waiting.OWN, starts_at=START, closes_at=at(30)) == at(30)


def test_saving_or_handing_in_before_the_start_is_refused():
    with pytest.raises(waiting.NotStarted, match="考试尚未开始"):
        rules.check_can_save(at(-1), at(60), START)
    rules.check_can_save(START, at(60), START)


def test_the_paper_requests_spread_evenly_over_the_first_seconds_and_stay_put_on_reload():
    delays = [waiting.paper_delay_ms(n, 5.0) for n in range(1, 10_001)]
    assert min(delays) >= 0 and max(delays) < 5000
    per_second = [sum(1 for d in delays if s * 1000 <= d < (s + 1) * 1000) for s in range(5)]
    assert all(1800 <= n <= 2200 for n in per_second), per_second
    assert waiting.paper_delay_ms(42, 5.0) == waiting.paper_delay_ms(42, 5.0)
    assert waiting.paper_delay_ms(42, 0) == 0


def test_a_key_request_is_held_only_in_the_last_seconds_before_the_start():
    seconds = timedelta(seconds=1)
    assert waiting.hold_seconds(START, START - 25 * seconds) == 25.0
    assert waiting.hold_seconds(START, START - 40 * seconds) == 40.0           # the horizon itself
    assert waiting.hold_seconds(START, START - 41 * seconds) is None          # too early: 409 at once
    assert waiting.hold_seconds(START, START) is None                          # started: the key at once
    assert waiting.hold_seconds(START, START + seconds) is None
    assert waiting.hold_seconds(START, START - 5 * seconds, horizon=3) is None


def test_each_trainee_is_waiting_answering_submitted_or_not_started():
    assert waiting.trainee_status([], at(-5)) == "未开始"
    assert waiting.trainee_status([("open", START)], at(-5)) == "候考中"
    assert waiting.trainee_status([("open", START)], at(1)) == "作答中"
    assert waiting.trainee_status([("graded", START)], at(50)) == "已交卷"
    assert waiting.trainee_status([("graded", at(-60)), ("open", START)], at(-1)) == "候考中"


def test_the_settings_are_checked_with_the_field_named():
    waiting.check_settings(30, waiting.COMMON)
    with pytest.raises(DomainError, match="候考时间"):
        waiting.check_settings(-1, waiting.OWN)
    with pytest.raises(DomainError, match="截止方式"):
        waiting.check_settings(30, "later")
