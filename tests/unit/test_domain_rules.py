"""Plain rules: checking answers, choosing the next practice question, tallies."""
import random
from datetime import datetime, timedelta

import pytest

from quizapp.domain.answers import is_correct, normalise_response
from quizapp.domain.errors import InvalidAnswer
from quizapp.domain.practice import Seen, pick_next, tally_by

T0 = datetime(2026, 1, 1, 8, 0)


def test_a_response_is_sorted_and_deduplicated():
    assert normalise_response("multiple", "ABCD", ["C", "A", "C"]) == ["A", "C"]


@pytest.mark.parametrize("qtype, raw, message", [
    ("single", [], "请先选择答案"),
    ("single", ["A", "B"], "只能选择一个答案"),
    ("judge", ["T", "F"], "只能选择一个答案"),
    ("multiple", ["A", "Z"], "选项 Z 不存在"),
])
def test_invalid_responses_are_refused_in_chinese(qtype, raw, message):
    keys = "TF" if qtype == "judge" else "ABCD"
    with pytest.raises(InvalidAnswer, match=message):
        normalise_response(qtype, keys, raw)


def test_multiple_choice_is_all_or_nothing():
    assert is_correct(["A", "C"], ["C", "A"])
    assert not is_correct(["A", "C"], ["A"])
    assert not is_correct(["A", "C"], ["A", "B", "C"])


def test_unanswered_questions_come_first():
    history = {"q1": Seen(T0, True)}
    assert pick_next(["q1", "q2"], history, rng=random.Random(1)) == "q2"


def test_then_the_ones_answered_wrong_then_the_oldest():
    history = {"q1": Seen(T0, True), "q2": Seen(T0 + timedelta(hours=1), False), "q3": Seen(T0 + timedelta(hours=2), True)}
    assert pick_next(["q1", "q2", "q3"], history) == "q2"
    history["q2"] = Seen(T0 + timedelta(hours=3), True)
    assert pick_next(["q1", "q2", "q3"], history) == "q1"


def test_the_question_just_answered_comes_again_only_when_it_is_the_only_one():
    history = {"q1": Seen(T0, False), "q2": Seen(T0, True)}
    assert pick_next(["q1", "q2"], history, exclude="q1") == "q2"
    assert pick_next(["q1"], history, exclude="q1") == "q1"
    assert pick_next([], history) is None


def test_tallies_count_answers_and_accuracy_per_group():
    tallies = tally_by([("听证", True), ("听证", False), ("送达", True)])
    assert (tallies["听证"].answered, tallies["听证"].correct, tallies["听证"].percent) == (2, 1, 50)
    assert tallies["送达"].accuracy == 1.0 and list(tallies) == ["听证", "送达"]
