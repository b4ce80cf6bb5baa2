"""An instructor cannot take over another cohort's trainee (issue 17, finding 1), and an
exam for everyone belongs to its creator (finding 4). Over HTTP, each actor with their own client."""
from __future__ import annotations

import pytest
from sqlmodel import select

from quizapp import cohorts, exams
from quizapp.models import Attempt, AuditEvent, Enrolment, Role, User
from tests import builders
from tests.conftest import make_client


@pytest.fixture
def town(db, sqlite_url):
    """甲班 (instructor 甲老师, unit 甲镇) holds trainee 张三 of 甲镇; 乙老师 (乙镇) teaches 乙班."""
    a = builders.user(db, "teacher-a", Role.instructor, display_name="甲老师", unit="甲镇")
    b = builders.user(db, "teacher-b", Role.instructor, display_name="乙老师", unit="乙镇")
    builders.user(db, "chief", Role.supervisor, display_name="监督员")
    cohort_a = cohorts.create_cohort(db, creator=a, name="甲班", unit="甲镇")
    cohorts.enrol_one(db, a, cohort_a, username="13800000001", display_name="张三", unit="甲镇")
    trainee = db.exec(builders.select_user("13800000001")).one()
    trainee.password_hash = builders.accounts.hash_password(builders.PASSWORD)
    trainee.must_change_password = False
    db.add(trainee)
    db.commit()
    cohort_b = cohorts.create_cohort(db, creator=b, name="乙班", unit="乙镇")
    clients = {name: make_client(sqlite_url) for name in ("teacher-a", "teacher-b", "chief", "13800000001")}
    for name, c in clients.items():
        assert builders.login(c, name).status_code == 303, name
    yield dict(a=a, b=b, trainee=trainee, cohort_a=cohort_a, cohort_b=cohort_b, **clients)
    for c in clients.values():
        c.close()


def enrol_by_name(t, client="teacher-b", cohort="cohort_b"):
    """Add 13800000001 by login name; the cohort page the addition redirects to."""
    r = t[client].post(f"/instructor/cohorts/{t[cohort].id}/trainees",
                       data={"username": "13800000001", "display_name": "张三", "unit": "甲镇"})
    return t[client].get(r.headers["location"]) if r.status_code == 303 else r


def test_enrolling_another_cohorts_trainee_from_another_unit_waits_for_a_supervisor(town, db):
    t = town
    r = enrol_by_name(t)
    assert r.status_code == 200
    enrolment = db.get(Enrolment, (t["cohort_b"].id, t["trainee"].id))
    assert (enrolment.status, enrolment.custody) == ("pending", False)
    assert "待监督员审批" in r.text
    assert "已提交监督员审批，批准后才加入本班" in r.text and "已加入学员" not in r.text   # never told it is done
    # pending: no power and no view
    reset = t["teacher-b"].post(f"/instructor/cohorts/{t['cohort_b'].id}/trainees/{t['trainee'].id}/password")
    assert reset.status_code == 404
    assert "张三" not in t["teacher-b"].get("/instructor/").text
    # audited, and the holders see it on their cohort page
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "cohort.enrol_existing")).one()
    assert audit.actor_id == t["b"].id and audit.detail["status"] == "pending"
    page = t["teacher-a"].get(f"/instructor/cohorts/{t['cohort_a'].id}").text
    assert "本班学员被其他培训班加入的记录" in page and "乙班" in page and "乙老师" in page
    # the supervisor approves: 张三 is in 乙班, but the account stays with 甲班
    assert "乙班" in t["chief"].get("/supervisor/enrolments").text
    assert t["chief"].post(f"/supervisor/enrolments/{t['cohort_b'].id}/{t['trainee'].id}",
                           data={"decision": "approve"}).status_code == 303
    db.refresh(enrolment)
    assert (enrolment.status, enrolment.custody) == ("active", False)


def test_an_instructor_who_took_in_another_cohorts_trainee_cannot_reset_disable_or_see_results(town, db):
    t = town
    t["b"].unit = "甲镇"                       # same unit as the trainee: joins at once
    db.add(t["b"])
    db.commit()
    enrol_by_name(t)
    assert db.get(Enrolment, (t["cohort_b"].id, t["trainee"].id)).status == "active"
    hash_before = db.get(User, t["trainee"].id).password_hash
    base = f"/instructor/cohorts/{t['cohort_b'].id}/trainees/{t['trainee'].id}"
    r = t["teacher-b"].post(base + "/password", data={"confirm": "yes"})
    assert r.status_code == 403 and "由其原培训班的教员管理" in r.text
    r = t["teacher-b"].post(base + "/active", data={"active": "no", "confirm": "yes"})
    assert r.status_code == 403
    db.expire_all()
    trainee = db.get(User, t["trainee"].id)
    assert trainee.password_hash == hash_before and trainee.active
    assert t["13800000001"].get("/me").status_code == 200                 # still logged in
    # no practice statistics of the trainee on 乙老师's desk; 甲老师 sees them
    assert "张三" not in t["teacher-b"].get("/instructor/").text
    assert "张三" in t["teacher-a"].get("/instructor/").text
    # 乙班's own exam: the trainee takes it and 乙老师 sees that attempt
    exam = builders.exam(db, title="乙班考试", cohort_id=t["cohort_b"].id, created_by=t["b"].id)
    assert t["13800000001"].post(f"/exams/{exam.id}/start").status_code == 303
    assert "张三" in t["teacher-b"].get(f"/instructor/exams/{exam.id}").text
    # 甲老师 still holds the account
    assert t["teacher-a"].post(f"/instructor/cohorts/{t['cohort_a'].id}/trainees/{t['trainee'].id}/password",
                               data={"confirm": "yes", "confirmed": "yes"}).status_code == 303


def test_staff_accounts_are_never_enrolled_by_name(town, db):
    t = town
    r = t["teacher-b"].post(f"/instructor/cohorts/{t['cohort_b'].id}/trainees",
                            data={"username": "chief", "display_name": "监督员", "unit": "乙镇"})
    assert r.status_code == 422 and "不是学员账号" in r.text
    assert db.get(Enrolment, (t["cohort_b"].id, db.exec(builders.select_user("chief")).one().id)) is None


def test_a_reset_during_an_open_attempt_asks_first_and_never_ends_the_attempt(town, db):
    t = town
    exam = builders.exam(db, title="甲班考试", cohort_id=t["cohort_a"].id, created_by=t["a"].id)
    t["13800000001"].post(f"/exams/{exam.id}/start")
    attempt = db.exec(select(Attempt)).one()
    url = f"/instructor/cohorts/{t['cohort_a'].id}/trainees/{t['trainee'].id}/password"
    asked = t["teacher-a"].post(url)
    assert asked.status_code == 409 and "正在作答“甲班考试”" in asked.text and "考试不会因此结束" in asked.text
    assert t["13800000001"].get("/me").status_code == 200                # nothing done yet
    done = t["teacher-a"].post(url, data={"confirm": "yes", "confirmed": "yes"})
    assert done.status_code == 303                      # to the cohort page, which shows the new password
    password = builders.handed_over_password(t["teacher-a"].get(done.headers["location"]).text)
    db.refresh(attempt)
    assert attempt.status == "open"
    # the trainee logs in again with the new password and goes on with the same attempt
    again = make_client(str(db.get_bind().url))
    assert builders.login(again, "13800000001", password).status_code == 303
    new = "Qingshui-riverside-2026"
    assert again.post("/account/password", data={"old": password, "new": new, "again": new}).status_code == 200
    state = again.get(f"/api/attempts/{attempt.id}/state")
    assert state.status_code == 200


def test_an_exam_for_everyone_belongs_to_its_creator_and_supervisors(town, db):
    t = town
    exam = builders.exam(db, title="全员测验", created_by=t["a"].id)
    t["13800000001"].post(f"/exams/{exam.id}/start")
    attempt = db.exec(select(Attempt)).one()
    assert "全员测验" not in t["teacher-b"].get("/instructor/exams/").text
    for path in (f"/instructor/exams/{exam.id}", f"/instructor/exams/{exam.id}/results",
                 f"/instructor/exams/{exam.id}/results.csv", f"/instructor/exams/attempts/{attempt.id}"):
        assert t["teacher-b"].get(path).status_code == 404, path
        assert t["teacher-a"].get(path).status_code == 200, path
        assert t["chief"].get(path).status_code == 200, path
    deadline = attempt.deadline
    assert t["teacher-b"].post(f"/instructor/exams/attempts/{attempt.id}/extend",
                               data={"minutes": "10", "reason": "设备故障"}).status_code == 404
    assert t["teacher-b"].post(f"/instructor/exams/{exam.id}/grant",
                               data={"user_id": str(t["trainee"].id)}).status_code == 404
    db.refresh(attempt)
    assert attempt.deadline == deadline


def test_extensions_need_a_reason_stay_within_the_time_limit_and_never_serve_oneself(town, db):
    t = town
    exam = builders.exam(db, title="全员测验", created_by=t["a"].id, time_limit_minutes=30)
    t["13800000001"].post(f"/exams/{exam.id}/start")
    attempt = db.exec(select(Attempt)).one()
    extend = f"/instructor/exams/attempts/{attempt.id}/extend"
    r = t["teacher-a"].post(extend, data={"minutes": "10"})
    assert r.status_code == 303 and "error=" in r.headers["location"]
    assert "请填写延长时间的理由" in t["teacher-a"].get(r.headers["location"]).text
    assert t["teacher-a"].post(extend, data={"minutes": "20", "reason": "停电", "confirmed": "yes"}).headers["location"].endswith(
        f"/instructor/exams/{exam.id}")
    refused = t["teacher-a"].post(extend, data={"minutes": "15", "reason": "再次停电", "confirmed": "yes"})
    assert "最多还能延长 10 分钟" in t["teacher-a"].get(refused.headers["location"]).text
    db.refresh(attempt)
    assert (attempt.deadline - attempt.started_at).total_seconds() == 50 * 60
    # the creator takes their own exam and cannot extend it
    own = exams.start_attempt(db, t["a"], exam.id)
    r = t["teacher-a"].post(f"/instructor/exams/attempts/{own.id}/extend", data={"minutes": "5", "reason": "自测", "confirmed": "yes"})
    assert "不能为自己的作答延长时间" in t["teacher-a"].get(r.headers["location"]).text
    audit = db.exec(select(AuditEvent).where(AuditEvent.action == "exam.extend_time")).one()
    assert audit.detail["reason"] == "停电"


def test_the_supervisor_is_told_what_was_done_and_a_refusal_keeps_its_reason_in_the_log(town, db):
    t = town
    enrol_by_name(t)
    page = t["chief"].get("/supervisor/enrolments").text
    refuse = page.split('<details class="refuse">', 1)[1].split("</details>", 1)[0]
    assert "拒绝理由（选填，记入操作日志）" in refuse and 'name="decision" value="refuse"' in refuse
    r = t["chief"].post(f"/supervisor/enrolments/{t['cohort_b'].id}/{t['trainee'].id}",
                        data={"decision": "refuse", "reason": "不属本辖区"})
    assert r.status_code == 303 and r.headers["location"].startswith("/supervisor/enrolments?")
    after = t["chief"].get(r.headers["location"]).text
    assert "已拒绝 张三（13800000001）加入“乙班”" in after and "没有待审批的加入" in after
    assert db.get(Enrolment, (t["cohort_b"].id, t["trainee"].id)) is None
    entry = db.exec(select(AuditEvent).where(AuditEvent.action == "cohort.enrol_refuse")).one()
    assert entry.detail["reason"] == "不属本辖区"
    assert "原因：不属本辖区" in t["chief"].get("/supervisor/audit").text
    # approving says so too
    enrol_by_name(t)
    r = t["chief"].post(f"/supervisor/enrolments/{t['cohort_b'].id}/{t['trainee'].id}", data={"decision": "approve"})
    assert "已批准 张三（13800000001）加入“乙班”" in t["chief"].get(r.headers["location"]).text


def test_the_holding_instructor_fills_in_a_trainees_unit_and_no_one_else_can(town, db):
    t = town
    trainee = db.get(User, t["trainee"].id)
    trainee.unit = ""
    db.add(trainee)
    db.commit()
    url = f"/instructor/cohorts/{t['cohort_a'].id}/trainees/{t['trainee'].id}/unit"
    page = t["teacher-a"].get(f"/instructor/cohorts/{t['cohort_a'].id}").text
    assert f'action="{url}"' in page and "未填写" in page
    assert t["teacher-a"].post(url, data={"unit": "  "}).status_code == 403            # empty: refused, said why
    assert t["teacher-a"].post(url, data={"unit": " 甲镇  东街 "}).status_code == 303
    db.expire_all()
    assert db.get(User, t["trainee"].id).unit == "甲镇 东街"
    entry = db.exec(select(AuditEvent).where(AuditEvent.action == "account.set_unit")).one()
    assert entry.detail["unit_was"] == "（未填写）" and entry.detail["unit_now"] == "甲镇 东街"
    log = t["chief"].get("/supervisor/audit").text
    assert "填写学员单位" in log and "现单位：甲镇 东街" in log
    # another cohort's instructor may not, even through their own cohort's address
    other = f"/instructor/cohorts/{t['cohort_b'].id}/trainees/{t['trainee'].id}/unit"
    assert t["teacher-b"].post(other, data={"unit": "乙镇"}).status_code in (403, 404)
    assert t["teacher-b"].post(url, data={"unit": "乙镇"}).status_code in (403, 404)
    db.expire_all()
    assert db.get(User, t["trainee"].id).unit == "甲镇 东街"
