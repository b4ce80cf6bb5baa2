"""Exam rules as plain functions: assembly, shuffling, the clock, scoring, review."""
import random
from datetime import datetime, timedelta, timezone

import pytest

from quizapp.domain import exams as rules
from quizapp.domain import waiting
from quizapp.domain.errors import DomainError, InvalidAnswer
from quizapp.domain.exams import Candidate, Cell, PaperItem

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
POOL = ([Candidate(f"s{i}", "v1-common", "听证", 1, "single") for i in range(5)]
        + [Candidate(f"m{i}", "v1-common", "告知", 2, "multiple") for i in range(3)]
        + [Candidate(f"j{i}", "v1-common", "送达", 1, "judge") for i in range(4)])


def test_a_blueprint_is_met_exactly_and_no_question_comes_twice():
    paper = rules.assemble([Cell(3, type="single"), Cell(2, step="告知"), Cell(4)], POOL, random.Random(7))
    assert len(paper) == 9 and len(set(paper)) == 9
    assert sum(q.startswith("s") for q in paper[:3]) == 3 and all(q.startswith("m") for q in paper[3:5])


def test_overlapping_cells_draw_from_what_is_left():
    for seed in range(20):
        paper = rules.assemble([Cell(3, type="single"), Cell(2, step="听证")], POOL, random.Random(seed))
        assert sorted(paper) == ["s0", "s1", "s2", "s3", "s4"]


def test_a_diagnostic_pretest_takes_a_few_questions_of_every_step_the_bank_covers():
    cells = rules.diagnostic_blueprint(POOL, ["管辖与立案", "告知", "听证", "送达"], per_step=4)
    assert cells == [Cell(3, step="告知"), Cell(4, step="听证"), Cell(4, step="送达")]   # 告知 has only 3; 立案 none
    paper = rules.assemble(cells, POOL, random.Random(1))
    assert len(paper) == 11 and len(set(paper)) == 11
    with pytest.raises(rules.BlueprintUnfillable):
        rules.diagnostic_blueprint(POOL, ["结案归档"])
    with pytest.raises(rules.DomainError):
        rules.diagnostic_blueprint(POOL, ["告知"], per_step=0)


def test_a_cell_the_bank_cannot_fill_is_named():
    with pytest.raises(rules.BlueprintUnfillable) as err:
        rules.assemble([Cell(2, type="judge"), Cell(4, step="告知", difficulty=2)], POOL, random.Random(0))
    assert "第 2 行" in err.value.message and "需要 4 题" in err.value.message and "只有 3 题" in err.value.message


def test_cells_already_used_up_count_against_later_cells():
    with pytest.raises(rules.BlueprintUnfillable, match="第 2 行"):
        rules.assemble([Cell(5, step="听证"), Cell(1, type="single")], POOL, random.Random(0))


QUESTIONS = {
    "q1": {"type": "single", "options": {"A": "", "B": "", "C": "", "D": ""}, "answer": ["B"], "parts": []},
    "q2": {"type": "judge", "options": {"T": "", "F": ""}, "answer": ["F"], "parts": []},
    "q3": {"type": "case", "options": {}, "answer": [], "parts": [
        {"id": "1", "type": "single", "options": {"A": "", "B": "", "C": ""}, "answer": ["A"]},
        {"id": "2", "type": "multiple", "options": {"A": "", "B": "", "C": ""}, "answer": ["A", "C"]}]},
}


def test_a_paper_keeps_its_drawn_order_and_never_shuffles_true_false():
    a = rules.paper_for_attempt(["q1", "q2", "q3"], QUESTIONS, {}, random.Random(3), shuffle_questions=True,
                                shuffle_options=True)
    b = rules.paper_for_attempt(["q1", "q2", "q3"], QUESTIONS, {}, random.Random(3), shuffle_questions=True,
                                shuffle_options=True)
    assert a == b                                      # the same draw gives the same paper
    judge = next(i for i in a if i.type == "judge")
    assert judge.option_order == ["T", "F"]
    case = next(i for i in a if i.type == "case")
    assert case.key == {"1": ["A"], "2": ["A", "C"]} and set(case.part_option_orders) == {"1", "2"}
    plain = rules.paper_for_attempt(["q1", "q2"], QUESTIONS, {"single": 2}, random.Random(3),
                                    shuffle_questions=False, shuffle_options=False)
    assert [i.question_id for i in plain] == ["q1", "q2"] and plain[0].option_order == ["A", "B", "C", "D"]
    assert plain[0].points == 2 and plain[1].points == rules.DEFAULT_POINTS["judge"]


def test_the_deadline_is_the_time_limit_or_the_window_end_whichever_is_sooner():
    own = dict(mode="own", starts_at=None)
    assert waiting.deadline(NOW, timedelta(minutes=60), closes_at=None, **own) == NOW + timedelta(minutes=60)
    assert (waiting.deadline(NOW, timedelta(minutes=60), closes_at=NOW + timedelta(minutes=20), **own)
            == NOW + timedelta(minutes=20))
    assert rules.remaining_seconds(NOW + timedelta(minutes=2), NOW) == 120
    assert rules.remaining_seconds(NOW - timedelta(seconds=5), NOW) == 0


def test_an_attempt_starts_only_inside_its_window_and_within_its_count():
    rules.check_can_start(NOW, opens_at=NOW, closes_at=NOW + timedelta(hours=1), attempts_allowed=2, attempts_used=1)
    with pytest.raises(rules.ExamClosed, match="尚未开始"):
        rules.check_can_start(NOW, opens_at=NOW + timedelta(minutes=1), closes_at=None, attempts_allowed=1,
                              attempts_used=0)
    with pytest.raises(rules.ExamClosed, match="已结束"):
        rules.check_can_start(NOW, opens_at=None, closes_at=NOW, attempts_allowed=1, attempts_used=0)
    with pytest.raises(rules.AttemptsUsedUp, match="2 次"):
        rules.check_can_start(NOW, opens_at=None, closes_at=None, attempts_allowed=2, attempts_used=2)


def test_saves_are_accepted_until_the_deadline_plus_a_short_grace():
    rules.check_can_save(NOW + rules.SAVE_GRACE, NOW)
    with pytest.raises(rules.DeadlinePassed, match="考试时间已到"):
        rules.check_can_save(NOW + rules.SAVE_GRACE + timedelta(seconds=1), NOW)


@pytest.mark.parametrize("response, all_or_nothing, partial", [
    (["A", "B", "C"], 2.0, 2.0),      # exactly right
    (["A", "B"], 0.0, 1.33),          # right but incomplete: partial credit in proportion
    (["A"], 0.0, 0.67),
    (["A", "D"], 0.0, 0.0),           # any wrong option scores nothing
    (["A", "B", "C", "D"], 0.0, 0.0),
    ([], 0.0, 0.0),
])
def test_multiple_choice_scoring_all_or_nothing_and_partial(response, all_or_nothing, partial):
    key = ["A", "B", "C"]
    assert rules.score_choice("multiple", key, response, 2.0, rules.ALL_OR_NOTHING) == all_or_nothing
    assert rules.score_choice("multiple", key, response, 2.0, rules.PARTIAL) == partial


def test_single_and_true_false_are_always_all_or_nothing():
    assert rules.score_choice("single", ["B"], ["B"], 1.0, rules.PARTIAL) == 1.0
    assert rules.score_choice("single", ["B"], ["A"], 1.0, rules.PARTIAL) == 0.0


def test_a_case_question_shares_its_points_among_its_parts():
    item = PaperItem("q3", "case", 4.0, {"1": ["A"], "2": ["A", "C"]}, part_types={"1": "single", "2": "multiple"})
    assert rules.score_item(item, {"1": ["A"], "2": ["A", "C"]}, rules.ALL_OR_NOTHING) == 4.0
    assert rules.score_item(item, {"1": ["A"], "2": ["A"]}, rules.ALL_OR_NOTHING) == 2.0
    assert rules.score_item(item, {"1": ["A"], "2": ["A"]}, rules.PARTIAL) == 3.0
    assert rules.score_item(item, None, rules.PARTIAL) == 0.0


def test_grading_sums_items_and_applies_the_pass_mark():
    paper = [PaperItem("q1", "single", 1.0, ["B"]), PaperItem("q2", "judge", 1.0, ["F"]),
             PaperItem("m", "multiple", 2.0, ["A", "C"])]
    g = rules.grade(paper, {"q1": ["B"], "q2": ["T"], "m": ["A", "C"]}, rule=rules.ALL_OR_NOTHING, pass_percent=75)
    assert (g.score, g.max_score, g.passed, g.percent) == (3.0, 4.0, True, 75.0)
    assert g.item_scores == {"q1": 1.0, "q2": 0.0, "m": 2.0}
    assert not rules.grade(paper, {}, rule=rules.PARTIAL, pass_percent=60).passed


def test_when_the_review_may_be_shown():
    later = NOW + timedelta(hours=1)
    assert rules.review_visible(rules.REVIEW_IMMEDIATE, NOW, later)
    assert not rules.review_visible(rules.REVIEW_AFTER_CLOSE, NOW, later)
    assert rules.review_visible(rules.REVIEW_AFTER_CLOSE, later, later)
    assert not rules.review_visible(rules.REVIEW_NEVER, later, later)


def _items(volume: str, right: int, wrong: int) -> tuple:
    return ((volume, 1, 1),) * right + ((volume, 0, 1),) * wrong


def test_a_volume_is_certified_by_a_passed_certifying_attempt_with_enough_of_its_questions_at_the_mark():
    attempt = rules.GradedAttempt(True, 60, _items("v1", 30, 0) + _items("v5", 15, 15) + _items("v8", 18, 12))
    assert rules.certified_volumes([attempt]) == {"v1", "v8"}          # v5 at 50 % is under the 60 % mark
    failed = rules.GradedAttempt(False, 60, _items("v8", 30, 0))
    assert rules.certified_volumes([failed]) == set()


def test_a_quiz_or_a_short_paper_never_certifies_a_volume():
    quiz = rules.GradedAttempt(True, 60, _items("v1", 30, 0), certifying=False)
    short = rules.GradedAttempt(True, 60, _items("v1", 29, 0) + _items("v5", 30, 0))
    assert rules.certified_volumes([quiz]) == set()
    assert rules.certified_volumes([short]) == {"v5"}                  # 29 questions of v1 are not enough


def test_exam_settings_out_of_bounds_are_refused_in_chinese():
    ok = dict(points=dict(rules.DEFAULT_POINTS), pass_percent=60, time_limit_minutes=60, attempts_allowed=1,
              focus_loss_limit=5, focus_grace_seconds=3)
    rules.check_settings(**ok)
    for change, message in [
        ({"points": {"single": -5}}, "单选题每题分值应在 0.5 至 100 分之间"),
        ({"points": {"case": 1e308}}, "案例分析题每题分值应在 0.5 至 100 分之间"),
        ({"points": {"judge": float("nan")}}, "判断题每题分值"),
        ({"points": {"judge": 0.25}}, "判断题每题分值"),
        ({"pass_percent": 0}, "及格线应在 1% 至 100% 之间"),
        ({"pass_percent": 101}, "及格线"),
        ({"time_limit_minutes": 0}, "考试时长应在 1 至 600 分钟之间"),
        ({"time_limit_minutes": 601}, "考试时长"),
        ({"attempts_allowed": 0}, "允许作答次数"),
        ({"focus_loss_limit": -1}, "离开页面次数上限"),
        ({"focus_grace_seconds": 61}, "宽限时间"),
    ]:
        with pytest.raises(DomainError, match=message):
            rules.check_settings(**{**ok, **change})
    rules.check_settings(**{**ok, "points": {"single": 0.5, "case": 100}, "pass_percent": 100,
                            "time_limit_minutes": 600})


def test_exam_only_questions_are_drawn_only_by_certifying_exams():
    pool = [rules.Candidate("a", "v1", "决定", 1, "single"), rules.Candidate("b", "v1", "决定", 1, "single", "exam")]
    assert [q.id for q in rules.usable_by(pool, certifying=False)] == ["a"]
    assert [q.id for q in rules.usable_by(pool, certifying=True)] == ["a", "b"]
    only_exam = rules.Cell(count=1, pool="exam")
    assert rules.assemble([only_exam], pool, random.Random(1)) == ["b"]


def test_a_hand_in_by_the_clock_or_after_the_deadline_is_the_deadlines():
    deadline = NOW + timedelta(minutes=1)
    assert rules.ended_by(auto=False, now=NOW, deadline=deadline) == "trainee"
    assert rules.ended_by(auto=True, now=NOW, deadline=deadline) == "deadline"
    assert rules.ended_by(auto=False, now=deadline, deadline=deadline) == "deadline"
    assert rules.ENDED_BY["deadline"] == "时间到自动交卷"


def test_a_response_is_checked_against_the_paper_as_drawn():
    choice = PaperItem("q1", "multiple", 2.0, ["A", "C"], option_order=["C", "A", "B", "D"])
    assert rules.check_paper_response(choice, ["C", "A", "A", " "]) == ["A", "C"]
    assert rules.check_paper_response(choice, []) == []                      # an exam answer may be cleared
    with pytest.raises(InvalidAnswer, match="选项 E 不存在"):
        rules.check_paper_response(choice, ["A", "E"])
    single = PaperItem("q2", "single", 1.0, ["B"], option_order=["A", "B"])
    with pytest.raises(InvalidAnswer, match="只能选择一个"):
        rules.check_paper_response(single, ["A", "B"])
    case = PaperItem("q3", "case", 4.0, {"1": ["A"], "2": ["B", "C"]},
                     part_option_orders={"1": ["B", "A"], "2": ["C", "A", "B"]},
                     part_types={"1": "single", "2": "multiple"})
    assert rules.check_paper_response(case, {"2": ["C", "B"]}) == {"1": [], "2": ["B", "C"]}
    with pytest.raises(InvalidAnswer, match="第 1 小题"):
        rules.check_paper_response(case, {"1": ["A", "B"]})
    with pytest.raises(InvalidAnswer, match="小题 9 不存在"):
        rules.check_paper_response(case, {"9": ["A"]})


def test_a_question_is_right_partial_wrong_or_unanswered():
    from quizapp.domain.exams import outcome
    assert outcome(2.0, 2.0, ["A"]) == "right"
    assert outcome(1.0, 2.0, ["A", "B"]) == "partial"
    assert outcome(0.0, 2.0, ["C"]) == "wrong"
    assert outcome(0.0, 2.0, None) == outcome(0.0, 2.0, []) == "unanswered"
    assert outcome(0.0, 2.0, {"1": [], "2": []}) == "unanswered"           # a case question with no part answered
    assert outcome(0.0, 2.0, {"1": [], "2": ["B"]}) == "wrong"


def test_a_row_of_any_type_never_draws_a_case_question_a_row_typed_case_does():
    case = Candidate("c1", "v1-common", "听证", 3, "case")
    single = Candidate("s9", "v1-common", "听证", 1, "single")
    assert not Cell(1).matches(case) and Cell(1).matches(single)
    assert Cell(1, type="case").matches(case)
    assert "不含案例分析" in Cell(2).describe()
