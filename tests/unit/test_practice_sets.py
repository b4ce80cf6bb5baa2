"""Practice sets (domain.practice) and the number filters of the trainee's pages."""
import random
from datetime import datetime, timedelta, timezone

from quizapp.domain.practice import Seen, choose_set, summarise_set
from quizapp.web.render import percent, score

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_a_set_asks_new_questions_first_then_wrong_ones_then_the_longest_unseen_and_is_bounded():
    history = {"r-old": Seen(T0, True), "r-new": Seen(T0 + timedelta(days=2), True),
               "w": Seen(T0 + timedelta(days=1), False)}
    chosen = choose_set(["r-new", "w", "n1", "r-old", "n2", "n1"], history, rng=random.Random(1))
    assert sorted(chosen[:2]) == ["n1", "n2"] and chosen[2:] == ["w", "r-old", "r-new"]
    assert len(choose_set([f"q{i}" for i in range(50)], {}, size=20)) == 20
    assert choose_set([], {}) == []


def test_a_sets_summary_counts_each_question_by_its_first_answer_and_times_to_the_last():
    answers = [("a", True, T0 + timedelta(seconds=30)), ("b", False, T0 + timedelta(seconds=75)),
               ("b", True, T0 + timedelta(seconds=90)), ("elsewhere", True, T0 + timedelta(seconds=500))]
    s = summarise_set(["a", "b", "c"], answers, T0)
    assert (s.total, s.answered, s.right, s.wrong, s.seconds, s.finished) == (3, 2, 1, 1, 90, False)


def test_scores_have_one_decimal_and_percentages_none_and_no_answers_say_so():
    assert score(86.04) == "86" and score(72.56) == "72.6" and score(8.4) == "8.4"
    assert score(90) == "90" and score(14.0) == "14" and score(None) == "—"
    assert percent(2, 3) == "67%" and percent(0, 0) == "未作答" and percent(0, 4) == "0%"
    assert percent(66.6) == "67%" and percent(None) == "未作答"


def test_a_report_on_a_statute_article_names_the_article_not_its_anchor():
    from quizapp.web.render import place_name
    place = place_name("volumes/v1-common/laws/xing-zheng-chu-fa-fa-2021-01-22.md", "art-26")
    assert place.endswith("› 第二十六条") and "art-" not in place
    assert place_name("volumes/v1-common/laws/x.md", "art-33-1").endswith("› 第三十三条之一")
