"""The one rule every request applies to a login session (accounts.session_state)."""
from datetime import datetime, timedelta, timezone

from quizapp.accounts import EXPIRED, IDLE, LIVE, TOUCH, session_state

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
IDLE_LIMIT = timedelta(minutes=180)


def state(*, expires_in=timedelta(days=1), seen_ago=None, created_ago=timedelta(seconds=10), idle=IDLE_LIMIT):
    last_seen = NOW - seen_ago if seen_ago is not None else None
    return session_state(NOW + expires_in, last_seen, NOW - created_ago, NOW, idle)


def test_a_session_is_expired_idle_due_for_a_touch_or_live():
    assert state(expires_in=timedelta(0)) == EXPIRED                          # the absolute time-out comes first
    assert state(expires_in=timedelta(0), seen_ago=timedelta(hours=5)) == EXPIRED
    assert state(seen_ago=timedelta(minutes=181)) == IDLE
    assert state(seen_ago=timedelta(minutes=181), idle=None) == TOUCH          # no idle time-out configured
    assert state(seen_ago=timedelta(seconds=61)) == TOUCH                     # written at most once a minute
    assert state(seen_ago=timedelta(seconds=59)) == LIVE
    assert state(created_ago=timedelta(minutes=2)) == TOUCH                  # never seen: counts from creation
    assert state() == LIVE
