"""The mistake book's FSRS schedule."""
from datetime import datetime, timedelta, timezone

from quizapp.domain import review

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_a_wrong_answer_is_due_for_review_later_not_now():
    s = review.after_wrong(None, NOW)
    assert not review.is_due(s, NOW) and s.due > NOW and s.streak == 0
    assert review.is_due(s, s.due)


def test_right_answers_at_scheduled_reviews_push_it_out_then_clear_it():
    s = review.after_wrong(None, NOW)
    first = review.after_review(s, True, s.due)
    assert first.streak == 1 and not first.cleared
    assert first.due - s.due > s.due - NOW            # the interval grows
    second = review.after_review(first, True, first.due)
    assert second.cleared and not review.is_due(second, second.due + timedelta(days=365))


def test_a_right_answer_before_the_review_is_due_does_not_count():
    s = review.after_wrong(None, NOW)
    assert review.after_review(s, True, NOW + timedelta(minutes=5)) == s


def test_a_wrong_answer_in_review_starts_again():
    s = review.after_wrong(None, NOW)
    first = review.after_review(s, True, s.due)
    again = review.after_review(first, False, first.due)
    assert again.streak == 0 and not again.cleared and again.due > first.due
