"""Who holds power over a trainee's account, and on what terms a cohort may
take in an account that already exists.

An instructor's power over a trainee (reset the password, disable the account,
see the trainee's results beyond the instructor's own exams) comes from
*custody*: an enrolment in a cohort the instructor teaches that created the
account, or that took in an account no cohort held yet (one an administrator
created). Enrolling by login name an account that another cohort holds never
takes custody away from its holders and never hands it to a stranger:

- the account is a trainee's (staff accounts are never enrolled by name);
- when the enrolling instructor's own unit (set by an administrator, not by
  the instructor) is the trainee's unit, the enrolment is active at once;
- otherwise it waits for a supervisor's approval, and gives nothing meanwhile;
- either way the new cohort's instructors can run its exams and surveys for
  the trainee and see those results, but cannot reset the password, disable
  the account or see results from elsewhere; the holders see the enrolment.

Plain functions of plain values: the service (quizapp/custody.py) reads the
facts from the database and records the result with an audit entry.
"""
from __future__ import annotations

from dataclasses import dataclass

ACTIVE = "active"
PENDING = "pending"
STATUS_NAMES = {ACTIVE: "已加入", PENDING: "待监督员审批"}


@dataclass(frozen=True)
class Terms:
    status: str          # ACTIVE | PENDING
    custody: bool        # the enrolment gives its cohort's instructors power over the account


def enrolment_terms(*, created: bool, held_elsewhere: bool, held_by_actor: bool, actor_is_supervisor: bool,
                    actor_unit: str, trainee_unit: str) -> Terms:
    """The terms of a new enrolment.

    ``created``: the account is created by this enrolment; ``held_elsewhere``:
    another cohort holds custody of it; ``held_by_actor``: through a cohort
    the enrolling instructor teaches."""
    if created or not held_elsewhere or held_by_actor:
        return Terms(ACTIVE, True)
    same_unit = bool(actor_unit.strip()) and actor_unit.strip() == trainee_unit.strip()
    return Terms(ACTIVE if same_unit or actor_is_supervisor else PENDING, False)


APPROVED = Terms(ACTIVE, False)       # a supervisor approves a pending enrolment: custody stays with the holders


MAX_EXTENSION_REASON = 200


EXTENSION_STEPS = (1, 2, 5, 10, 15, 30)        # minutes the live status offers


def extension_choices(*, time_limit_minutes: int, already_extended_minutes: float) -> list[int]:
    """The minutes an open attempt may still be extended by (extension_allowed's
    room): the steps within it, and the room itself when it is a whole number
    of minutes between two steps; [] only when nothing is left."""
    room = int(time_limit_minutes - max(already_extended_minutes, 0) + 1e-9)
    steps = [m for m in EXTENSION_STEPS if m <= room]
    if room >= 1 and room < EXTENSION_STEPS[-1] and room not in steps:
        steps.append(room)
    return steps


def extension_allowed(*, minutes: int, already_extended_minutes: float, time_limit_minutes: int,
                      actor_id: int, attempt_user_id: int, reason: str) -> str:
    """Why an extension of an open attempt is refused ('' when it is allowed):
    a reason is given, nobody extends their own attempt, and all extensions of
    an attempt together stay within the exam's time limit."""
    if actor_id == attempt_user_id:
        return "不能为自己的作答延长时间"
    if not reason.strip():
        return "请填写延长时间的理由"
    if len(reason) > MAX_EXTENSION_REASON:
        return f"理由不超过 {MAX_EXTENSION_REASON} 字"
    if minutes < 1:
        return "延长时间至少 1 分钟"
    room = time_limit_minutes - max(already_extended_minutes, 0)
    if minutes > room:
        return (f"每次作答累计延长不超过考试时长（{time_limit_minutes} 分钟），"
                f"本次作答最多还能延长 {max(int(room), 0)} 分钟")
    return ""
