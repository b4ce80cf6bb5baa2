"""Exam settings out of bounds are refused in Chinese over HTTP (issue 17, finding 15: an exam with
−5 points per question once scored −5/−5 and passed; bounds in quizapp/domain/exams.check_settings)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from quizapp.models import Exam, Role
from tests import builders

VALID = {"title": "阶段测验", "mode": "blueprint", "count-0": "5", "volume-0": "v1-common", "points-single": "1",
         "points-multiple": "2", "points-judge": "1", "points-case": "4", "pass_percent": "60",
         "time_limit_minutes": "30", "attempts_allowed": "1", "focus_loss_limit": "0", "focus_grace_seconds": "3",
         "review_mode": "immediate", "multiple_rule": "all_or_nothing", "purpose": "exam"}


@pytest.mark.parametrize("field, value, message", [
    ("points-single", "-5", "单选题每题分值应在 0.5 至 100 分之间"),
    ("points-single", "1e308", "单选题每题分值应在 0.5 至 100 分之间"),
    ("points-case", "nan", "案例分析题每题分值应在 0.5 至 100 分之间"),
    ("pass_percent", "0", "及格线应在 1% 至 100% 之间"),
    ("pass_percent", "inf", "及格线应在 1% 至 100% 之间"),
    ("time_limit_minutes", "601", "考试时长应在 1 至 600 分钟之间"),
    ("time_limit_minutes", "-1", "考试时长应在 1 至 600 分钟之间"),
])
def test_out_of_range_settings_are_refused_in_chinese_and_nothing_is_saved(client, db, field, value, message):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    r = client.post("/instructor/exams/new", data={**VALID, field: value})
    assert r.status_code == 422 and message in r.text
    assert db.exec(select(Exam)).all() == []
    assert client.post("/instructor/exams/new", data=VALID).status_code == 303      # the same form, in range
