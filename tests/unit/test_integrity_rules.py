"""The exam page's integrity log: which events count against the limit."""
from quizapp.domain import integrity


def test_only_a_return_after_more_than_the_grace_period_counts():
    assert integrity.counts("focus", 3001, grace_seconds=3)
    assert not integrity.counts("focus", 3000, grace_seconds=3)        # a notification shade, an address bar
    assert not integrity.counts("focus", 800, grace_seconds=3)
    assert not integrity.counts("focus", None, grace_seconds=3)
    assert integrity.counts("focus", 1, grace_seconds=0)


def test_reloads_reconnections_and_leaving_itself_never_count():
    for kind in ("reload", "online", "offline", "enter", "blur"):
        assert not integrity.counts(kind, 600_000, grace_seconds=3), kind


def test_the_limit_tolerates_its_number_of_absences_and_the_next_one_submits():
    assert not integrity.limit_exceeded(5, 5)
    assert integrity.limit_exceeded(5, 6)
    assert not integrity.limit_exceeded(0, 99)                          # 0: no limit


def test_the_trainee_is_warned_before_the_absence_that_submits():
    assert integrity.warning(5, 2) == "已离开考试页面 2 次，上限 5 次。"
    assert "再离开一次" in integrity.warning(5, 5)
    assert integrity.warning(1, 1).endswith("将自动交卷。")             # even a limit of 1 warns first
    assert integrity.warning(0, 3) == "" and integrity.warning(5, 0) == ""


def test_a_reported_duration_is_clamped():
    assert integrity.clamp_duration(-5) == 0
    assert integrity.clamp_duration(10**12) == integrity.MAX_DURATION_MS
    assert integrity.clamp_duration(None) is None


def test_an_opening_reported_late_is_dated_back_by_its_delay_and_no_more_than_three_minutes():
    from datetime import datetime, timedelta, timezone
    received = datetime(2026, 12, 7, 9, 0, 40, tzinfo=timezone.utc)
    assert integrity.happened_at("enter", 38_500, received) == received - timedelta(seconds=38.5)
    assert integrity.happened_at("enter", 3_600_000, received) == received - timedelta(minutes=3)
    assert integrity.happened_at("enter", None, received) == received
    assert integrity.happened_at("focus", 38_500, received) == received     # an absence's length, not a delay
