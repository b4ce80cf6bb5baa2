"""Rules behind the instructor's pages, without a database: the hand-over
token, a blueprint's points per row, extensions offered, what may change
once an exam has started, how an absentee is named."""
from datetime import datetime, timedelta, timezone

import pytest

from quizapp import handover
from quizapp.domain import custody, exams

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
KEY = handover.key_from("ab" * 32)


def test_a_hand_over_token_opens_for_its_maker_within_ten_minutes_only():
    token = handover.seal(KEY, handover.Handover(kind="reset", actor_id=7, cohort_id=1, user_id=2,
                                                 password="k3mnpqrstu", issued_at=NOW))
    assert "k3mnpqrstu" not in token
    assert handover.unseal(KEY, token, actor_id=7, now=NOW + timedelta(minutes=10)).password == "k3mnpqrstu"
    for actor, later in ((8, 1), (7, 11)):
        with pytest.raises(handover.HandoverExpired):
            handover.unseal(KEY, token, actor_id=actor, now=NOW + timedelta(minutes=later))
    with pytest.raises(handover.HandoverExpired):
        handover.unseal(handover.key_from("cd" * 32), token, actor_id=7, now=NOW)      # another platform's key
    with pytest.raises(handover.HandoverExpired):
        handover.unseal(KEY, token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1], actor_id=7, now=NOW)


def test_an_imports_passwords_follow_from_its_seed_and_look_like_initial_passwords():
    seed = bytes(range(32))
    first = handover.roster_password(seed, "13800000001")
    assert first == handover.roster_password(seed, "13800000001")
    assert first != handover.roster_password(seed, "13800000002")
    assert first != handover.roster_password(bytes(32), "13800000001")
    assert len(first) == 10 and set(first) <= set(handover.PASSWORD_ALPHABET)


def test_a_row_of_any_type_gives_each_question_the_same_points_and_a_typed_row_its_types():
    points = {"single": 1.5, "multiple": 2.0, "judge": 1.0, "case": 4.0}
    cells = exams.with_row_points([exams.Cell(2), exams.Cell(1, type="case"), exams.Cell(2, points=3.0)], points)
    assert [c.points for c in cells] == [1.5, None, 3.0]
    assert exams.row_points(cells, ["a", "b", "c", "d", "e"]) == {"a": 1.5, "b": 1.5, "d": 3.0, "e": 3.0}
    with pytest.raises(exams.DomainError, match="第 1 行的每题分值"):
        exams.check_row_points([exams.Cell(1, points=0.1)])


def test_extensions_offered_stay_within_what_is_left_and_never_make_an_empty_list_while_time_is_left():
    assert custody.extension_choices(time_limit_minutes=3, already_extended_minutes=0) == [1, 2, 3]
    assert custody.extension_choices(time_limit_minutes=60, already_extended_minutes=0) == [1, 2, 5, 10, 15, 30]
    assert custody.extension_choices(time_limit_minutes=20, already_extended_minutes=8) == [1, 2, 5, 10, 12]
    assert custody.extension_choices(time_limit_minutes=3, already_extended_minutes=3) == []


def test_once_an_exam_has_started_only_its_end_and_description_may_change():
    assert exams.refused_changes(["title", "time_limit_minutes"], started=False) == []
    assert exams.refused_changes(["closes_at", "description", "attempts_allowed"], started=True) == ["允许作答次数"]


def test_an_absentee_is_absent_only_once_the_exam_has_closed_and_an_exam_closes_only_while_open():
    assert exams.absent_label(NOW, None) == "未参加"
    assert exams.absent_label(NOW, NOW + timedelta(hours=1)) == "未参加"
    assert exams.absent_label(NOW, NOW) == "缺考"
    # handed in and still being scored (a common deadline's backlog): neither absent nor missing
    assert exams.absent_label(NOW, NOW, grading=True) == exams.absent_label(NOW, None, grading=True) == "评分中"
    assert exams.close_refusal(NOW, None, None) == ""
    assert exams.close_refusal(NOW, None, NOW) == "考试已经结束"
    assert "尚未开放" in exams.close_refusal(NOW, NOW + timedelta(days=1), None)
    assert [exams.window_state(NOW, a, b) for a, b in ((None, None), (NOW + timedelta(1), None), (None, NOW))] == [
        "开放中", "未开始", "已结束"]
