"""Custody of trainee accounts and extensions of attempts: the rules (quizapp/domain/custody.py)."""
from quizapp.domain.custody import ACTIVE, PENDING, Terms, enrolment_terms, extension_allowed


def terms(**kw) -> Terms:
    base = dict(created=False, held_elsewhere=True, held_by_actor=False, actor_is_supervisor=False,
                actor_unit="乙镇", trainee_unit="甲镇")
    return enrolment_terms(**{**base, **kw})


def test_an_account_the_enrolment_creates_is_held_by_its_cohort():
    assert terms(created=True) == Terms(ACTIVE, True)


def test_an_account_no_cohort_holds_is_taken_in_with_custody():
    assert terms(held_elsewhere=False) == Terms(ACTIVE, True)


def test_another_cohorts_trainee_from_another_unit_waits_for_a_supervisor_and_gives_no_power():
    assert terms() == Terms(PENDING, False)


def test_another_cohorts_trainee_of_the_instructors_own_unit_joins_at_once_but_custody_stays():
    assert terms(actor_unit="甲镇") == Terms(ACTIVE, False)
    assert terms(actor_unit="", trainee_unit="") == Terms(PENDING, False)      # no unit is no match


def test_a_supervisor_enrols_at_once_without_taking_custody_from_the_holders():
    assert terms(actor_is_supervisor=True) == Terms(ACTIVE, False)


def test_an_instructor_who_holds_the_account_already_keeps_custody_in_a_new_cohort():
    assert terms(held_by_actor=True) == Terms(ACTIVE, True)


def allowed(**kw) -> str:
    base = dict(minutes=10, already_extended_minutes=0, time_limit_minutes=60, actor_id=1, attempt_user_id=2,
                reason="设备故障")
    return extension_allowed(**{**base, **kw})


def test_an_extension_with_a_reason_within_the_time_limit_is_allowed():
    assert allowed() == ""
    assert allowed(minutes=20, already_extended_minutes=40) == ""


def test_nobody_extends_their_own_attempt():
    assert allowed(actor_id=2) == "不能为自己的作答延长时间"


def test_an_extension_needs_a_reason():
    assert allowed(reason="  ") == "请填写延长时间的理由"


def test_extensions_of_one_attempt_together_stay_within_the_exams_time_limit():
    assert "最多还能延长 20 分钟" in allowed(minutes=21, already_extended_minutes=40)
    assert "最多还能延长 0 分钟" in allowed(minutes=1, already_extended_minutes=60)
