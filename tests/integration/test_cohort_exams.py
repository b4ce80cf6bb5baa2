"""A cohort's exam: who may take it, live status, overrides, results and exports."""
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import select

from quizapp import cohorts, exams, supervision
from quizapp.models import Attempt, AuditEvent, Question, Role
from tests import builders


def setup_cohort(db):
    teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
    builders.user(db, "other-teacher", Role.instructor, display_name="外班老师")
    cohort = cohorts.create_cohort(db, creator=teacher, name="2026年第一期轮训班", unit="某县")
    for login, name in (("13800000001", "张某"), ("13800000002", "李某")):
        cohorts.enrol_one(db, teacher, cohort, username=login, display_name=name, unit="某镇")
    for u in db.exec(select(builders.User).where(builders.User.username.in_(["13800000001", "13800000002"]))):
        u.password_hash = builders.accounts.hash_password(builders.PASSWORD)
        u.must_change_password = False
        db.add(u)
    db.commit()
    builders.user(db, "outsider", display_name="外班学员")
    exam = builders.exam(db, cohort_id=cohort.id, title="轮训班结业考试", certifying=True)
    return teacher, cohort, exam


def test_only_the_cohorts_trainees_see_and_take_its_exam(client, db):
    _, _, exam = setup_cohort(db)
    builders.login(client, "outsider")
    assert "轮训班结业考试" not in client.get("/exams/").text
    r = client.post(f"/exams/{exam.id}/start")
    assert r.status_code == 403 and "不在该考试所属的培训班中" in r.text
    client.post("/logout")
    builders.login(client, "13800000001")
    assert "轮训班结业考试" in client.get("/exams/").text
    assert client.post(f"/exams/{exam.id}/start").status_code == 303


def test_live_status_overrides_and_the_audit_log(client, db):
    _, _, exam = setup_cohort(db)
    builders.login(client, "13800000001")
    client.post(f"/exams/{exam.id}/start")
    client.post("/logout")
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert "未开始 1" in page and "作答中 1" in page and "已交卷 0" in page
    attempt = db.exec(select(Attempt)).one()
    before = attempt.deadline
    assert client.post(f"/instructor/exams/attempts/{attempt.id}/extend",
                       data={"minutes": "10", "reason": "平板电脑死机，换机作答", "confirmed": "yes"}).status_code == 303
    db.refresh(attempt)
    assert attempt.deadline - before == timedelta(minutes=10)
    exams.submit(db, db.get(builders.User, attempt.user_id), attempt.id)
    trainee = db.get(builders.User, attempt.user_id)
    assert client.post(f"/instructor/exams/{exam.id}/grant",
                       data={"user_id": str(trainee.id), "confirmed": "yes"}).status_code == 303
    second = exams.start_attempt(db, trainee, exam.id)
    assert second.number == 2
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert "exam.extend_time" in actions and "exam.grant_attempt" in actions
    client.post("/logout")
    builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    builders.login(client, "jiandu")
    log = client.get("/supervisor/audit").text
    assert "延长考试时间" in log and "增加作答机会" in log and "王老师" in log


def test_results_statistics_and_exports(client, db):
    teacher, _, exam = setup_cohort(db)
    for login, right in (("13800000001", True), ("13800000002", False)):
        trainee = db.exec(select(builders.User).where(builders.User.username == login)).one()
        attempt = exams.start_attempt(db, trainee, exam.id)
        for item in attempt.paper:
            q = db.get(Question, item["question_id"])
            exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, right))
        exams.submit(db, trainee, attempt.id)
    from quizapp import surveys
    survey = surveys.create_survey(db, teacher, db.get(cohorts.Cohort, exam.cohort_id), title="训前调查")
    first = db.exec(select(builders.User).where(builders.User.username == "13800000001")).one()
    surveys.answer(db, first, survey, ratings={t: (2, 4) for t in survey.topics}, answers=[])
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}/results").text
    assert "每人第一次作答，2 人" in page and "及格率 50%" in page and "<svg" in page
    weak = page.split("薄弱主题", 1)[1].split("</table>", 1)[0]
    graded = db.exec(select(Attempt).where(Attempt.exam_id == exam.id)).all()
    expected = round(100 * sum(a.score for a in graded) / sum(a.max_score for a in graded), 1)   # one right, one wrong
    volume_row = weak.split('href="/volumes/v1-common/"', 1)[1].split("</tr>", 1)[0]
    assert f"{round(expected)}%" in volume_row
    assert '<td class="num">2.0</td>' in volume_row                        # the survey's self-assessment beside it
    book = load_workbook(io.BytesIO(client.get(f"/instructor/exams/{exam.id}/results.xlsx").content))
    assert book.sheetnames == ["成绩", "题目分析", "整卷统计"]
    people = list(book["成绩"].iter_rows(values_only=True))
    assert people[0][:4] == ("姓名", "登录名", "单位/镇街", "得分") and {r[0] for r in people[1:]} == {"张某", "李某"}
    assert book["成绩"]["F2"].number_format == "0.0%"
    # 题目分析 names each question by its id and, beside it, its stem (on one line, at most 60 characters)
    items = list(book["题目分析"].iter_rows(values_only=True))
    assert items[0][:4] == ("题目编号", "题干", "环节", "作答人数")
    assert {row[0] for row in items[1:]} == {i["question_id"] for a in graded for i in a.paper}   # each drawn once
    for qid, stem, step, *_ in items[1:]:
        q = db.get(Question, qid)
        whole = " ".join(q.stem.split())
        assert step == q.step and 0 < len(stem) <= 60
        assert stem == whole if len(whole) <= 60 else (stem.endswith("…") and whole.startswith(stem[:-1]))
    assert book["题目分析"]["E2"].number_format == "0.0"                  # 难易度, moved one column right
    csv = client.get(f"/instructor/exams/{exam.id}/results.csv").content
    assert csv.startswith("\ufeff姓名".encode("utf-8"))
    client.post("/logout")
    builders.login(client, "other-teacher")
    for path in (f"/instructor/exams/{exam.id}", f"/instructor/exams/{exam.id}/results",
                 f"/instructor/exams/{exam.id}/results.xlsx"):
        assert client.get(path).status_code == 404, path         # another's cohort: as if it did not exist


def test_the_supervisor_sees_coverage_and_weak_areas_and_nobody_else_does(client, db):
    teacher, cohort, exam = setup_cohort(db)
    trainee = db.exec(select(builders.User).where(builders.User.username == "13800000001")).one()
    attempt = exams.start_attempt(db, trainee, exam.id)
    for item in attempt.paper:
        q = db.get(Question, item["question_id"])
        exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, True))
    exams.submit(db, trainee, attempt.id)
    builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    for login in ("teacher", "13800000001"):
        builders.login(client, login)
        assert client.get("/supervisor/").status_code == 403
        assert client.get("/supervisor/coverage.xlsx").status_code == 403
        client.post("/logout")
    builders.login(client, "jiandu")
    unit = supervision.save_unit(db, None, name="某镇", aliases="")
    for login, name in (("13800000001", "张某"), ("13800000002", "李某"), ("13800000009", "赵某")):
        supervision.save_officer(db, None, unit_id=unit.id, name=name, phone=login)
    page = client.get("/supervisor/").text
    assert "某镇" in page and "第一卷" in page and "赵某" in page                        # never trained: listed
    # the map: 100 % scored over the few answers there are; too few to call anything weak yet
    assert re.search(r'<td class="num unjudged">100<span class="answers">（\d+）</span>', page)
    assert "暂不判断薄弱领域" in page
    book = load_workbook(io.BytesIO(client.get("/supervisor/coverage.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    by_unit = {r[0]: r for r in rows[1:]}
    assert by_unit["某镇"][1:5] == (3, 2, 1, 1)      # three on the roster, two enrolled this year, one passed


def test_the_exams_list_counts_an_attempt_the_instructor_granted(client, db):
    _, _, exam = setup_cohort(db)
    trainee = db.exec(select(builders.User).where(builders.User.username == "13800000001")).one()
    exams.submit(db, trainee, exams.start_attempt(db, trainee, exam.id).id)
    builders.login(client, "13800000001")
    assert "可作答 1 次，已用 1 次" in client.get("/exams/").text
    client.post("/logout")
    builders.login(client, "teacher")
    client.post(f"/instructor/exams/{exam.id}/grant", data={"user_id": str(trainee.id), "confirmed": "yes"})
    client.post("/logout")
    builders.login(client, "13800000001")
    page = client.get("/exams/").text
    assert "可作答 2 次（含教员增加的 1 次），已用 1 次" in page and "开始考试" in page
