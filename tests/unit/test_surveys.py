"""The needs survey before training: topics ranked so that frequent and
unconfident come first. Ratings are (confidence, frequency), each 1-5."""
import pytest

from quizapp.domain import surveys
from quizapp.domain.surveys import TopicNeed


def test_topics_are_averaged_over_those_who_rated_them_and_ranked_by_priority():
    responses = [
        {"听证": (2, 5), "送达": (4, 2), "告知": (3, 3)},
        {"听证": (3, 4), "送达": (5, 1)},
        {"听证": (1, 5), "告知": (2, 4), "送达": (4, 3)},
    ]
    ranked = surveys.rank_needs(responses)
    # 听证: n 3, confidence (2+3+1)/3 = 2, frequency (5+4+5)/3 = 14/3
    #       priority 14/3 × (6 - 2) = 56/3 = 18.67
    # 告知: n 2, confidence (3+2)/2 = 2.5, frequency (3+4)/2 = 3.5
    #       priority 3.5 × (6 - 2.5) = 12.25
    # 送达: n 3, confidence (4+5+4)/3 = 13/3, frequency (2+1+3)/3 = 2
    #       priority 2 × (6 - 13/3) = 10/3 = 3.33
    assert [t.topic for t in ranked] == ["听证", "告知", "送达"]
    assert [t.rank for t in ranked] == [1, 2, 3]
    hearing, notice, service = ranked
    assert (hearing.n, hearing.mean_confidence, hearing.mean_frequency) == (3, 2.0, pytest.approx(14 / 3))
    assert hearing.priority == pytest.approx(56 / 3)
    assert notice == TopicNeed("告知", 2, 2.5, 3.5, 12.25, 2)
    assert (service.n, service.mean_confidence, service.mean_frequency) == (3, pytest.approx(13 / 3), 2.0)
    assert service.priority == pytest.approx(10 / 3)


def test_equal_priorities_go_to_the_less_confident_topic_then_by_name():
    responses = [{"v5-special/听证": (2, 3), "v1-common/送达": (3, 4), "v1-common/听证": (2, 3)}]
    ranked = surveys.rank_needs(responses)
    # all three: 3 × (6 - 2) = 12 and 4 × (6 - 3) = 12
    assert [t.priority for t in ranked] == [12.0, 12.0, 12.0]
    # confidence 2 before 3; between the two at 2, v1 before v5
    assert [t.topic for t in ranked] == ["v1-common/听证", "v5-special/听证", "v1-common/送达"]
    assert [t.rank for t in ranked] == [1, 2, 3]


def test_priorities_that_are_equal_in_exact_arithmetic_tie_exactly():
    # 甲: confidence (3+3+4)/3 = 10/3, frequency 3 -> 3 × 8/3 = 8
    # 乙: confidence 4, frequency 4 -> 4 × 2 = 8; 乙 is more confident, so 甲 first
    responses = [{"甲": (3, 3), "乙": (4, 4)}, {"甲": (3, 3)}, {"甲": (4, 3)}]
    ranked = surveys.rank_needs(responses)
    assert [(t.topic, t.priority) for t in ranked] == [("甲", 8.0), ("乙", 8.0)]


def test_the_priority_runs_from_1_to_25():
    ranked = surveys.rank_needs([{"每天都用、毫无把握": (1, 5), "很少用到、完全掌握": (5, 1)}])
    assert [(t.topic, t.priority) for t in ranked] == [("每天都用、毫无把握", 25.0), ("很少用到、完全掌握", 1.0)]


def test_no_responses_rank_nothing():
    assert surveys.rank_needs([]) == []
    assert surveys.rank_needs([{}, {}]) == []


@pytest.mark.parametrize("value, expected", [(1, 1), (5, 5), (3.0, 3), ("4", 4), (" 2 ", 2)])
def test_a_rating_from_1_to_5_is_accepted_as_an_integer(value, expected):
    assert surveys.validate_rating(value) == expected


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "", "三", "6", None, True, [3]])
def test_a_rating_outside_1_to_5_is_refused_in_chinese(value):
    with pytest.raises(ValueError, match="应为 1 到 5 之间的整数"):
        surveys.validate_rating(value)


def test_a_bad_rating_in_a_response_names_the_response_and_topic():
    with pytest.raises(ValueError, match="第 2 份问卷中「听证」的使用频率应为 1 到 5"):
        surveys.rank_needs([{"听证": (2, 5)}, {"听证": (2, 7)}])
    with pytest.raises(ValueError, match="两项评分"):
        surveys.rank_needs([{"听证": 3}])
    with pytest.raises(ValueError, match="空的专题名称"):
        surveys.rank_needs([{" ": (3, 3)}])
