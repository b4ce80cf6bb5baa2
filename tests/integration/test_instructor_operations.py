"""Instructor operations (issue 18): the live status lists every expected
trainee, absentees included, and refreshes itself; the results exports mark
absentees 缺考; destructive actions ask first; the roster template's example
row is never imported."""
import csv
import io
import re

from openpyxl import load_workbook
from sqlmodel import func, select

from quizapp import cohorts, exams, roster
from quizapp.models import Enrolment, Role, User
from tests import builders


def trainee(db, cohort, teacher, login, name, unit="某镇"):
    cohorts.enrol_one(db, teacher, cohort, username=login, display_name=name, unit=unit)
    u = db.exec(select(User).where(User.username == login)).one()
    u.password_hash = builders.accounts.hash_password(builders.PASSWORD)
    u.must_change_password = False
    db.add(u)
    db.commit()
    return u


def everyone_exam(db):
    """An exam for everyone (no cohort) made by 王老师, who teaches a cohort of two;
    a trainee of another teacher's cohort; a trainee in no cohort."""
    teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
    other = builders.user(db, "other-teacher", Role.instructor, display_name="外班老师")
    mine = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
    theirs = cohorts.create_cohort(db, creator=other, name="第二期轮训班")
    trainee(db, mine, teacher, "13800000001", "张某")
    trainee(db, mine, teacher, "13800000002", "李某")
    trainee(db, theirs, other, "13800000003", "赵某")
    builders.user(db, "loner", display_name="无班学员")
    exam = builders.exam(db, title="全员普法考试", created_by=teacher.id)
    return teacher, exam


def names_in_status(html: str) -> list[str]:
    table = html[html.index("学员状态"):html.index("</table>", html.index("学员状态"))]
    return re.findall(r'<td class="who">([^<]+)</td>', table)


def test_the_live_status_of_an_exam_for_everyone_lists_the_creators_trainees_who_have_not_started(client, db):
    teacher, exam = everyone_exam(db)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert sorted(names_in_status(page)) == ["张某", "李某"]
    assert "未开始 2" in page and "应考 2 人" in page
    assert "本考试面向全体学员，此处列出创建人王老师所教培训班的在册学员" in page
    # a trainee from elsewhere who sits it is listed too, after the expected ones
    exams.start_attempt(db, db.exec(select(User).where(User.username == "loner")).one(), exam.id)
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert names_in_status(page)[-1] == "无班学员" and "作答中 1" in page and "未开始 2" in page
    assert "以及其他已作答的学员" in page


def test_an_exam_for_everyone_made_by_a_supervisor_expects_every_active_trainee(client, db):
    teacher, _ = everyone_exam(db)
    boss = builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    exam = builders.exam(db, title="全市统一考试", created_by=boss.id)
    gone = db.exec(select(User).where(User.username == "13800000002")).one()
    gone.active = False
    db.add(gone)
    db.commit()
    builders.login(client, "jiandu")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert sorted(names_in_status(page)) == sorted(["张某", "赵某", "无班学员"])      # not the deactivated 李某
    assert "此处列出平台上全部在用的学员账号" in page
    assert "王老师" not in names_in_status(page) and "监督员" not in names_in_status(page)


def test_a_cohort_exam_expects_its_active_members_only(db):
    teacher, _ = everyone_exam(db)
    cohort = cohorts.visible_cohorts(db, teacher)[0]
    exam = builders.exam(db, title="轮训班结业考试", cohort_id=cohort.id, created_by=teacher.id)
    left = db.exec(select(Enrolment).join(User, User.id == Enrolment.user_id)
                   .where(User.username == "13800000002")).one()
    left.status = "pending"
    db.add(left)
    db.commit()
    expected = exams.expected_trainees(db, exam)
    assert expected.basis == "cohort" and [u.display_name for u in expected.users] == ["张某"]


def test_the_status_fragment_is_the_table_alone_not_stored_and_only_for_the_exams_staff(client, db):
    teacher, exam = everyone_exam(db)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert f'data-src="/instructor/exams/{exam.id}/status"' in page and '/static/live_status.js' in page
    r = client.get(f"/instructor/exams/{exam.id}/status")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "<html" not in r.text and '<table class="live-status">' in r.text
    assert sorted(names_in_status(r.text)) == ["张某", "李某"]
    assert "每 30 秒自动更新" in r.text
    client.post("/logout")
    builders.login(client, "other-teacher")                     # not their exam: nothing of it
    r = client.get(f"/instructor/exams/{exam.id}/status")
    assert r.status_code == 404 and "张某" not in r.text
    client.post("/logout")
    builders.login(client, "13800000001")                       # a trainee
    assert client.get(f"/instructor/exams/{exam.id}/status").status_code == 403


def test_the_results_exports_list_the_absentees_as_absent(client, db):
    teacher, exam = everyone_exam(db)
    sat = db.exec(select(User).where(User.username == "13800000001")).one()
    attempt = exams.start_attempt(db, sat, exam.id)
    exams.submit(db, sat, attempt.id)
    exams.close_exam(db, teacher, exam)                      # absent once it has closed (未参加 while open)
    builders.login(client, "teacher")
    ws = load_workbook(io.BytesIO(client.get(f"/instructor/exams/{exam.id}/results.xlsx").content))["成绩"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"张某", "李某"}
    assert rows["张某"][6] in ("合格", "不合格") and rows["李某"][6] == "缺考" and rows["李某"][3] is None
    text = client.get(f"/instructor/exams/{exam.id}/results.csv").content.decode("utf-8-sig")
    by_name = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert by_name["李某"][1] == "13800000002" and by_name["李某"][6] == "缺考" and by_name["李某"][3] == ""


def test_a_trainee_whose_hand_in_is_still_being_graded_is_neither_absent_nor_missing_in_the_exports(client, db,
                                                                                                   monkeypatch):
    monkeypatch.setattr(client.app.state.grader, "_grade_batch", lambda failed: 0)     # the grader is behind
    teacher, exam = everyone_exam(db)
    for username in ("13800000001", "13800000002"):
        trainee = db.exec(select(User).where(User.username == username)).one()
        attempt = exams.start_attempt(db, trainee, exam.id)
        (exams.submit if username.endswith("1") else exams.hand_in)(db, trainee, attempt.id)
    exams.close_exam(db, teacher, exam)         # closed while 李某's hand-in waits for the grader
    builders.login(client, "teacher")
    text = client.get(f"/instructor/exams/{exam.id}/results.csv").content.decode("utf-8-sig")
    by_name = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert by_name["张某"][6] in ("合格", "不合格") and by_name["李某"][6] == "评分中" and by_name["李某"][3] == ""


def test_destructive_actions_ask_before_they_are_sent(client, db):
    teacher, exam = everyone_exam(db)
    cohort = cohorts.visible_cohorts(db, teacher)[0]
    opened = exams.start_attempt(db, db.exec(select(User).where(User.username == "13800000001")).one(), exam.id)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/cohorts/{cohort.id}").text
    assert '<script src="/static/confirm.js" defer></script>' in page
    assert 'data-confirm="重置 张某 的密码？原密码立即失效' in page and 'data-confirm="停用 李某 的账号？' in page
    status = client.get(f"/instructor/exams/{exam.id}").text
    assert status.count('data-confirm="为 李某 增加一次作答机会？') == 1
    extend = f'action="/instructor/exams/attempts/{opened.id}/extend" class="inline extend"'
    assert f'{extend} data-confirm="为 张某 延长' in status
    assert client.get("/static/confirm.js").status_code == 200
    # without script the server still stops a reset while the trainee is in an exam, and asks
    r = client.post(f"/instructor/cohorts/{cohort.id}/trainees/{opened.user_id}/password")
    assert "正在考试" in r.text and 'name="confirm" value="yes"' in r.text


def test_without_script_each_destructive_action_is_asked_on_a_page_and_changes_nothing_until_confirmed(client, db):
    teacher, exam = everyone_exam(db)
    cohort = cohorts.visible_cohorts(db, teacher)[0]
    zhang = db.exec(select(User).where(User.username == "13800000001")).one()
    li = db.exec(select(User).where(User.username == "13800000002")).one()
    opened = exams.start_attempt(db, zhang, exam.id)
    hash_before, deadline_before = li.password_hash, opened.deadline
    builders.login(client, "teacher")
    asked = {
        f"/instructor/cohorts/{cohort.id}/trainees/{li.id}/password": ({}, "重置 李某 的密码？"),
        f"/instructor/cohorts/{cohort.id}/trainees/{li.id}/active": ({"active": "no"}, "停用 李某 的账号？"),
        f"/instructor/exams/{exam.id}/grant": ({"user_id": str(li.id)}, "为 李某 增加一次“全员普法考试”的作答机会？"),
        f"/instructor/exams/attempts/{opened.id}/extend": ({"minutes": "5", "reason": "平板死机"},
                                                           "为 张某 的本次作答延长 5 分钟？"),
    }
    for url, (data, question) in asked.items():
        r = client.post(url, data=data)
        assert r.status_code == 200 and question in r.text, url
        assert f'action="{url}"' in r.text and 'name="confirmed" value="yes"' in r.text, url
        for name, value in data.items():                       # the same fields go again with the confirmation
            assert f'name="{name}" value="{value}"' in r.text, (url, name)
    db.expire_all()
    assert db.get(User, li.id).password_hash == hash_before and db.get(User, li.id).active
    assert exams.allowed_attempts(db, exam, li.id) == exam.attempts_allowed
    assert db.get(type(opened), opened.id).deadline == deadline_before
    # confirmed, each is done
    for url, (data, _) in asked.items():
        r = client.post(url, data={**data, "confirmed": "yes"})
        assert r.status_code in (200, 303) and "请确认" not in r.text, url
    db.expire_all()
    assert db.get(User, li.id).password_hash != hash_before and not db.get(User, li.id).active
    assert exams.allowed_attempts(db, exam, li.id) == exam.attempts_allowed + 1
    assert (db.get(type(opened), opened.id).deadline - deadline_before).total_seconds() == 300


def test_reenabling_an_account_is_not_asked_about(client, db):
    teacher, _ = everyone_exam(db)
    cohort = cohorts.visible_cohorts(db, teacher)[0]
    li = db.exec(select(User).where(User.username == "13800000002")).one()
    builders.login(client, "teacher")
    client.post(f"/instructor/cohorts/{cohort.id}/trainees/{li.id}/active", data={"active": "no", "confirmed": "yes"})
    r = client.post(f"/instructor/cohorts/{cohort.id}/trainees/{li.id}/active", data={"active": "yes"})
    assert r.status_code == 303
    db.expire_all()
    assert db.get(User, li.id).active


def test_the_roster_templates_example_row_is_marked_and_never_imported(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    template = client.get("/instructor/cohorts/template.xlsx").content
    ws = load_workbook(io.BytesIO(template)).active
    example = ws[2]
    assert [c.value for c in example][:3] == ["张某", "某镇综合行政执法办公室", "13800000000"]
    assert all(c.font.italic for c in example) and example[0].font.color.rgb.endswith("808080")
    assert "导入时自动跳过" in example[0].comment.text
    # the template filled in below its example row
    ws.append(["刘某", "某街道综合执法队", "13800000011", "", ""])
    buf = io.BytesIO()
    ws.parent.save(buf)
    cohort_url = client.post("/instructor/cohorts/", data={"name": "第三期轮训班"}).headers["location"]
    r = client.post(f"{cohort_url}/roster", files={"file": ("名单.xlsx", buf.getvalue(), "application/octet-stream")})
    preview = client.get(r.headers["location"]).text
    assert "已跳过模板中的示例行" in preview and "共 1 行：正确 1 行，有误 0 行" in preview
    assert "13800000000" not in preview and "确认导入 1 人" in preview
    imported, _ = builders.confirm_import(client, r.headers["location"])
    assert "新建账号 1 个" in imported.text
    assert db.exec(select(User).where(User.username == "13800000000")).first() is None
    assert db.exec(select(func.count()).select_from(User).where(User.username == "13800000011")).one() == 1
    # the template as it is: nothing to import, and the answer says why
    r = client.post(f"{cohort_url}/roster", files={"file": ("模板.xlsx", template, "application/octet-stream")})
    assert r.status_code == 422 and "只有模板中的示例行" in r.text


def test_a_real_trainee_who_shares_the_example_name_is_imported():
    rows = roster.check_rows([roster.RosterRow(2, "张某", "某镇综合行政执法办公室", "13800000001")], set())
    assert not rows[0].example and rows[0].ok
    assert roster.is_example("张某", "13800000000") and not roster.is_example("张某", "")
