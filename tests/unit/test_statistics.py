"""Quiz statistics as Moodle's quiz statistics report defines them, checked
against small examples worked by hand (sample statistics: divide by n - 1)."""
import pytest

from quizapp.domain import statistics as qs


def near(expected: float):
    """Equal to two decimals, as the report shows them."""
    return pytest.approx(expected, abs=0.005)


# Five first attempts at three questions; q3 is worth 2 marks.
#            q1 q2 q3   total
#   A         1  1  2     4
#   B         1  1  1     3
#   C         1  0  2     3
#   D         0  0  0     0
#   E         0  0  0     0
MAX = {"q1": 1.0, "q2": 1.0, "q3": 2.0}
FIVE = [{"q1": 1, "q2": 1, "q3": 2}, {"q1": 1, "q2": 1, "q3": 1}, {"q1": 1, "q2": 0, "q3": 2},
        {"q1": 0, "q2": 0, "q3": 0}, {"q1": 0, "q2": 0, "q3": 0}]


def test_the_totals_mean_median_and_spread_follow_moodles_formulas():
    t = qs.test_stats(FIVE, MAX)
    # totals 4 3 3 0 0: mean 10/5 = 2, median (sorted 0 0 3 3 4) 3
    assert t.n == 5 and t.mean == near(2.0) and t.median == near(3.0)
    # deviations 2 1 1 -2 -2: Σd² = 4+1+1+4+4 = 14, SD = sqrt(14/4) = sqrt(3.5) = 1.8708
    assert t.sd == near(1.87)
    # Σd³ = 8+1+1-8-8 = -6, Σd⁴ = 16+1+1+16+16 = 50
    # m2 = 14/5 = 2.8, m3 = -6/5 = -1.2, m4 = 50/5 = 10
    # k2 = 5·2.8/4 = 3.5, k3 = 25·(-1.2)/(4·3) = -2.5
    # skewness = k3/k2^1.5 = -2.5/6.5479 = -0.3818
    assert t.skewness == near(-0.38)
    # k4 = 25·(6·10 - 3·4·2.8²)/(4·3·2) = 25·(60 - 94.08)/24 = -35.5
    # kurtosis = k4/k2² = -35.5/12.25 = -2.8980
    assert t.kurtosis == near(-2.90)


def test_the_coefficient_of_internal_consistency_error_ratio_and_standard_error():
    t = qs.test_stats(FIVE, MAX)
    # item variances: q1 1 1 1 0 0 mean .6, Σd² = 3·.16 + 2·.36 = 1.2, V = .3
    #                 q2 1 1 0 0 0 mean .4, Σd² = 2·.36 + 3·.16 = 1.2, V = .3
    #                 q3 2 1 2 0 0 mean 1,  Σd² = 1+0+1+1+1 = 4,     V = 1
    # ΣV = 1.6; V(T) = k2 = 3.5; P = 3
    # CIC = 100·3/2·(1 - 1.6/3.5) = 150·1.9/3.5 = 81.4286
    assert t.cic == near(81.43)
    # ER = 100·sqrt(1 - .814286) = 100·sqrt(13/70) = 43.0946
    assert t.error_ratio == near(43.09)
    # SE = ER/100·SD = sqrt(13/70)·sqrt(3.5) = sqrt(0.65) = 0.8062 marks
    assert t.standard_error == near(0.81)
    assert qs.consistency_reading(t.cic) == "满意"


def test_each_question_has_facility_sd_discrimination_and_efficiency():
    q1, q2, q3 = qs.item_stats(FIVE, MAX)
    assert [q.question_id for q in (q1, q2, q3)] == ["q1", "q2", "q3"] and q1.n == q2.n == q3.n == 5

    # q1: marks 1 1 1 0 0, mean .6 -> facility 60%; V = .3 -> SD sqrt(.3)/1 = 54.77%
    # rest of test (total - q1) 3 2 2 0 0, mean 1.4, deviations 1.6 .6 .6 -1.4 -1.4
    #   Σd² = 2.56+.36+.36+1.96+1.96 = 7.2, V = 1.8
    # Σ(dx·dy) = .4·1.6 + .4·.6 + .4·.6 + .6·1.4 + .6·1.4 = 2.8, C = .7
    # D = .7/sqrt(.3·1.8) = .7/.7348 = 95.26%
    # sorted 0 0 1 1 1 with sorted 0 0 2 2 3: the same pairs, Cmax = C, DE = 100%
    assert (q1.facility, q1.sd) == (near(60.0), near(54.77))
    assert (q1.discrimination_index, q1.discriminative_efficiency) == (near(95.26), near(100.0))

    # q2: marks 1 1 0 0 0, mean .4 -> 40%; V = .3 -> 54.77%
    # rest 3 2 3 0 0, mean 1.6, deviations 1.4 .4 1.4 -1.6 -1.6, Σd² = 9.2, V = 2.3
    # Σ(dx·dy) = .6·1.4 + .6·.4 - .4·1.4 + .4·1.6 + .4·1.6 = 1.8, C = .45
    # D = .45/sqrt(.3·2.3) = .45/.8307 = 54.17%
    # sorted marks 0 0 0 1 1 (dev -.4 -.4 -.4 .6 .6) with rest 0 0 2 3 3 (dev -1.6 -1.6 .4 1.4 1.4):
    #   .64+.64-.16+.84+.84 = 2.8, Cmax = .7, DE = .45/.7 = 64.29%
    assert (q2.facility, q2.sd) == (near(40.0), near(54.77))
    assert (q2.discrimination_index, q2.discriminative_efficiency) == (near(54.17), near(64.29))

    # q3 (out of 2): marks 2 1 2 0 0, mean 1 -> 1/2 = 50%; V = 4/4 = 1 -> SD 1/2 = 50%
    # rest 2 2 1 0 0, mean 1, deviations 1 1 0 -1 -1, V = 1
    # Σ(dx·dy) = 1·1 + 0·1 + 1·0 + 1 + 1 = 3, C = .75, D = .75/sqrt(1·1) = 75%
    # sorted 0 0 1 2 2 with 0 0 1 2 2: Σ = 1+1+0+1+1 = 4, Cmax = 1, DE = 75%
    assert (q3.facility, q3.sd) == (near(50.0), near(50.0))
    assert (q3.discrimination_index, q3.discriminative_efficiency) == (near(75.0), near(75.0))

    assert not any(q.flagged or q.reasons for q in (q1, q2, q3))


def test_analyse_gives_both_tables_of_the_same_attempts():
    t, items = qs.analyse(FIVE, MAX)
    assert t == qs.test_stats(FIVE, MAX) and items == qs.item_stats(FIVE, MAX)


def test_a_question_everyone_gets_right_has_no_discrimination_and_is_not_flagged():
    attempts = [{"easy": 1, "a": 1, "b": 2}, {"easy": 1, "a": 0, "b": 0},
                {"easy": 1, "a": 1, "b": 1}, {"easy": 1, "a": 0, "b": 0}]
    easy = qs.item_stats(attempts, {"easy": 1, "a": 1, "b": 2})[0]
    assert easy.n == 4 and easy.facility == near(100.0) and easy.sd == 0.0
    assert easy.discrimination_index is None and easy.discriminative_efficiency is None
    assert not easy.flagged and easy.reasons == []


def test_a_question_the_weaker_trainees_get_right_is_flagged_as_negative():
    #            a  b  bad  total  rest of bad
    #   1        1  1   0     2        2
    #   2        1  1   0     2        2
    #   3        0  1   1     2        1
    #   4        0  0   1     1        0
    attempts = [{"a": 1, "b": 1, "bad": 0}, {"a": 1, "b": 1, "bad": 0},
                {"a": 0, "b": 1, "bad": 1}, {"a": 0, "b": 0, "bad": 1}]
    bad = qs.item_stats(attempts, {"a": 1, "b": 1, "bad": 1})[2]
    # bad: mean .5, deviations -.5 -.5 .5 .5, V = 1/3
    # rest: mean 1.25, deviations .75 .75 -.25 -1.25, Σd² = 2.75, V = 2.75/3
    # Σ(dx·dy) = -.375 -.375 -.125 -.625 = -1.5, C = -.5
    # D = -.5/sqrt(1/3 · 2.75/3) = -1.5/sqrt(2.75) = -90.45%
    # sorted rest 0 1 2 2 (dev -1.25 -.25 .75 .75): Σ = .625+.125+.375+.375 = 1.5, Cmax = .5
    # DE = -.5/.5 = -100%
    assert bad.facility == near(50.0)
    assert bad.discrimination_index == near(-90.45) and bad.discriminative_efficiency == near(-100.0)
    assert bad.flagged and bad.reasons == ["区分效率低于15%", "区分度为负"]


def test_a_question_that_barely_tells_trainees_apart_is_flagged_for_low_efficiency_only():
    #        x  y(out of 4)
    attempts = [{"x": 1, "y": 4}, {"x": 1, "y": 0}, {"x": 0, "y": 3}, {"x": 0, "y": 1}, {"x": 1, "y": 3}]
    x = qs.item_stats(attempts, {"x": 1, "y": 4})[0]
    # x: mean .6, deviations .4 .4 -.6 -.6 .4, V = 1.2/4 = .3
    # rest = y: mean 2.2, deviations 1.8 -2.2 .8 -1.2 .8, Σd² = 10.8, V = 2.7
    # Σ(dx·dy) = .72 - .88 - .48 + .72 + .32 = .4, C = .1; D = .1/sqrt(.3·2.7) = .1/.9 = 11.11%
    # sorted 0 0 1 1 1 (dev -.6 -.6 .4 .4 .4) with 0 1 3 3 4 (dev -2.2 -1.2 .8 .8 1.8):
    #   1.32 + .72 + .32 + .32 + .72 = 3.4, Cmax = .85, DE = .1/.85 = 11.76%
    assert x.discrimination_index == near(11.11) and x.discriminative_efficiency == near(11.76)
    assert x.flagged and x.reasons == ["区分效率低于15%"]


def test_a_single_attempt_has_a_mark_but_no_spread():
    t, (q1, q2) = qs.analyse([{"q1": 1, "q2": 0}], {"q1": 1, "q2": 1})
    assert (t.n, t.mean, t.median) == (1, 1.0, 1.0)
    assert (t.sd, t.skewness, t.kurtosis, t.cic, t.error_ratio, t.standard_error) == (None,) * 6
    assert qs.consistency_reading(t.cic) == "无法计算"
    assert (q1.n, q1.facility, q2.facility) == (1, 100.0, 0.0)
    for q in (q1, q2):
        assert (q.sd, q.discrimination_index, q.discriminative_efficiency, q.flagged) == (None, None, None, False)


def test_no_attempts_give_nothing_to_report():
    t, (q,) = qs.analyse([], {"q1": 1})
    assert t == qs.TestStats(n=0) and t.mean is None and t.median is None
    assert q == qs.ItemStats("q1", 0)


def test_with_an_even_number_of_attempts_the_median_is_the_mean_of_the_middle_two():
    t = qs.test_stats([{"q": 1}, {"q": 10}, {"q": 4}, {"q": 2}], {"q": 10})
    # sorted 1 2 4 10: median (2 + 4)/2 = 3, mean 17/4 = 4.25
    assert t.median == 3.0 and t.mean == 4.25
    assert t.cic is None                          # one question: P/(P-1) is undefined


def test_totals_that_do_not_vary_have_sd_zero_and_no_higher_statistics():
    t = qs.test_stats([{"a": 1, "b": 0}, {"a": 0, "b": 1}, {"a": 1, "b": 0}, {"a": 0, "b": 1}], {"a": 1, "b": 1})
    assert t.sd == 0.0 and t.mean == 1.0
    assert (t.skewness, t.kurtosis, t.cic, t.error_ratio, t.standard_error) == (None,) * 5


def test_two_attempts_have_an_sd_but_no_skewness_or_consistency():
    t = qs.test_stats([{"a": 1, "b": 1}, {"a": 0, "b": 0}], {"a": 1, "b": 1})
    # totals 2 0: mean 1, SD = sqrt((1 + 1)/1) = 1.4142
    assert t.sd == near(1.41) and (t.skewness, t.kurtosis, t.cic) == (None, None, None)


def test_cronbachs_alpha_on_a_textbook_example():
    # Four respondents, three items scored 1-5:
    #           i1 i2 i3  total
    #   P1       3  4  3    10
    #   P2       5  5  4    14
    #   P3       1  2  2     5
    #   P4       3  3  3     9
    # i1 mean 3,   Σd² = 0+4+4+0 = 8           V = 8/3
    # i2 mean 3.5, Σd² = .25+2.25+2.25+.25 = 5 V = 5/3
    # i3 mean 3,   Σd² = 0+1+1+0 = 2           V = 2/3      ΣV = 15/3 = 5
    # total mean 9.5, Σd² = .25+20.25+20.25+.25 = 41, V = 41/3
    # α = k/(k-1)·(1 - ΣV/V(T)) = 3/2·(1 - 15/41) = 39/41 = 0.9512
    # (dividing by n instead of n-1 gives the same ratio, so the same α)
    people = [{"i1": 3, "i2": 4, "i3": 3}, {"i1": 5, "i2": 5, "i3": 4},
              {"i1": 1, "i2": 2, "i3": 2}, {"i1": 3, "i2": 3, "i3": 3}]
    t = qs.test_stats(people, {"i1": 5, "i2": 5, "i3": 5})
    assert t.cic == near(95.12)
    assert t.cic == pytest.approx(100 * 39 / 41)


def test_consistency_is_not_computed_when_papers_differ():
    # drawn from a blueprint per attempt: not every attempt has the same questions
    attempts = [{"a": 1, "b": 1}, {"a": 0, "c": 1}, {"b": 0, "c": 0}, {"a": 1, "b": 1}]
    t, items = qs.analyse(attempts, {"a": 1, "b": 1, "c": 1})
    assert t.sd is not None and t.cic is None and t.error_ratio is None and t.standard_error is None
    assert [q.n for q in items] == [3, 3, 2]     # each question over the attempts that had it


@pytest.mark.parametrize("cic, reading", [
    (90.0, "满意"), (75.01, "满意"), (75.0, "一般"), (70.0, "一般"), (64.0, "一般"),
    (63.99, "不满意"), (-20.0, "不满意"), (None, "无法计算"),
])
def test_how_the_coefficient_of_internal_consistency_reads(cic, reading):
    assert qs.consistency_reading(cic) == reading


def test_marks_that_do_not_fit_the_paper_are_refused():
    with pytest.raises(ValueError, match="未给出满分"):
        qs.test_stats([{"q1": 1, "zz": 1}], {"q1": 1})
    with pytest.raises(ValueError, match="不在 0 到满分"):
        qs.item_stats([{"q1": 2}], {"q1": 1})
    with pytest.raises(ValueError, match="满分应为正数"):
        qs.analyse([], {"q1": 0})
