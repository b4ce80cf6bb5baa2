"""The instructor's usability walk: every action that makes an initial password
answers with a redirect (a reload repeats nothing), the password travels
sealed and shows for ten minutes to its maker only; an exam can be changed,
closed or withdrawn after it is saved; ids, keys and difficulty are shown as
an instructor needs them; a blueprint gives everyone the same full mark;
extensions, exports, dashboard and cohort page say exactly what they count."""
import base64
import csv
import io
import random
import re
from datetime import timedelta

from sqlalchemy import inspect, text
from sqlmodel import func, select

from quizapp import accounts, audit, audit_view, cohorts, devices, exams, handover
from quizapp.exports import XLSX
from quizapp.models import Attempt, AuditEvent, CohortInstructor, PracticeAnswer, Question, Role, User, utcnow
from tests import builders


roster = builders.roster_xlsx


def trainee(db, cohort, teacher, login, name, unit="某镇"):
    """A trainee of the cohort, past the first login's password change (password builders.PASSWORD)."""
    cohorts.enrol_one(db, teacher, cohort, username=login, display_name=name, unit=unit)
    u = db.exec(builders.select_user(login)).one()
    u.password_hash = accounts.hash_password(builders.PASSWORD)
    u.must_change_password = False
    db.add(u)
    db.commit()
    return u


def classroom(db, unit="某镇"):
    """王老师 (of ``unit``) and his cohort of two: 张某 and 李某."""
    teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师", unit=unit)
    cohort = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
    zhang = trainee(db, cohort, teacher, "13800000001", "张某")
    li = trainee(db, cohort, teacher, "13800000002", "李某")
    return teacher, cohort, zhang, li


def audits(db, action: str) -> int:
    return db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)).one()


def every_stored_text(engine) -> str:
    with engine.connect() as conn:
        return "\n".join(repr(tuple(row)) for table in inspect(conn).get_table_names()
                         for row in conn.execute(text(f'SELECT * FROM "{table}"')))




# --- 1. POST-redirect-GET for every action that makes an initial password ------------------------

def test_a_reset_redirects_to_the_new_password_and_reloading_it_resets_nothing(client, db, engine):
    teacher, cohort, zhang, li = classroom(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/trainees/{li.id}/password", data={"confirmed": "yes"})
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith(f"/instructor/cohorts/{cohort.id}?handover=")
    shown = client.get(target)
    password = builders.handed_over_password(shown.text)
    assert "已重置 李某（13800000002）的密码" in shown.text and "平台不保存" in shown.text
    # the address holds ciphertext only, and the database a hash only
    token = re.search(r"handover=([^&#]+)", target).group(1)
    assert password not in target and password.encode() not in base64.urlsafe_b64decode(token + "==")
    assert password not in every_stored_text(engine)
    # a reload shows the same password and resets nothing
    assert builders.handed_over_password(client.get(target).text) == password
    assert audits(db, "account.reset_password") == 1
    assert accounts.check_login(engine, username="13800000002", password=password).user_id == li.id
    # another instructor of the same cohort with the same address: no password
    other = builders.user(db, "co-teacher", Role.instructor, display_name="李老师")
    db.add(CohortInstructor(cohort_id=cohort.id, user_id=other.id))
    db.commit()
    client.post("/logout")
    builders.login(client, "co-teacher")
    page = client.get(target).text
    assert password not in page and "显示时限（10 分钟）已过" in page


def test_the_new_password_shows_for_ten_minutes_only(client, db, engine):
    teacher, cohort, zhang, li = classroom(db)
    key = handover.key_from(devices.signing_key(engine))
    builders.login(client, "teacher")

    def token(minutes_ago: int) -> str:
        return handover.seal(key, handover.Handover(kind="reset", actor_id=teacher.id, cohort_id=cohort.id,
                                                    user_id=li.id, password="abcdefgh23",
                                                    issued_at=utcnow() - timedelta(minutes=minutes_ago)))
    assert "abcdefgh23" in client.get(f"/instructor/cohorts/{cohort.id}", params={"handover": token(9)}).text
    late = client.get(f"/instructor/cohorts/{cohort.id}", params={"handover": token(11)}).text
    assert "abcdefgh23" not in late and "显示时限（10 分钟）已过" in late
    forged = token(1)[:-4] + "AAAA"
    assert "abcdefgh23" not in client.get(f"/instructor/cohorts/{cohort.id}", params={"handover": forged}).text


def test_adding_a_trainee_redirects_to_the_initial_password_and_a_reload_adds_nothing(client, db, engine):
    teacher, cohort, zhang, li = classroom(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/trainees",
                    data={"username": "13800000011", "display_name": "孙某", "unit": "某镇"})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    password = builders.handed_over_password(page)
    assert "已新建账号并加入本班：孙某（某镇），登录名 13800000011" in page
    client.get(r.headers["location"])
    assert db.exec(select(func.count()).select_from(User).where(User.username == "13800000011")).one() == 1
    assert audits(db, "cohort.enrol") == 3                    # 张某, 李某, 孙某: once each
    assert password not in r.headers["location"] and password not in every_stored_text(engine)


def test_a_reset_during_an_exam_is_asked_about_then_redirects(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    exams.start_attempt(db, zhang, exam.id)
    builders.login(client, "teacher")
    url = f"/instructor/cohorts/{cohort.id}/trainees/{zhang.id}/password"
    asked = client.post(url, data={"confirmed": "yes"})
    assert asked.status_code == 409 and "正在作答“结业考试”" in asked.text
    done = client.post(url, data={"confirm": "yes", "confirmed": "yes"})
    assert done.status_code == 303 and "已重置 张某" in client.get(done.headers["location"]).text


def test_a_roster_import_redirects_to_what_it_did_and_offers_the_workbook_once(client, db, engine):
    teacher, cohort, zhang, li = classroom(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/roster", files={"file": (
        "名单.xlsx", roster([("赵某", "某镇", "13800000021"), ("钱某", "某镇", "13800000022"),
                            ("张某", "某镇", "13800000001")]), XLSX)})
    assert r.status_code == 303                                       # the upload: to its preview (a GET)
    upload_url = r.headers["location"]
    assert "尚未导入任何记录" in client.get(upload_url).text
    done = client.post(upload_url + "/confirm")
    assert done.status_code == 303 and done.headers["location"].startswith(upload_url + "?handover=")
    page = client.get(done.headers["location"]).text
    assert "导入 3 人：新建账号 2 个，已有账号 1 个" in page and "尚未导入任何记录" not in page
    assert "下载初始密码表（2 个账号）" in page and "只能下载一次" in page
    assert "已新建账号并加入本班" in page and "已有账号，已加入本班" in page
    assert client.get(done.headers["location"]).status_code == 200       # a reload imports nothing
    assert audits(db, "roster.import") == 1
    token = re.search(r'name="handover" value="([^"]*)"', page).group(1)
    sheet = client.post(upload_url + "/initial-passwords", data={"handover": token})
    assert sheet.status_code == 200 and sheet.headers["content-type"] == XLSX
    from openpyxl import load_workbook
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(min_row=2, values_only=True))
    passwords = {row[2]: row[3] for row in rows}
    assert set(passwords) == {"13800000021", "13800000022"}
    assert accounts.check_login(engine, username="13800000022", password=passwords["13800000022"]).user_id
    assert not [p for p in passwords.values() if p in every_stored_text(engine)]
    # once: a second download is refused, and the page says when it was downloaded
    again = client.post(upload_url + "/initial-passwords", data={"handover": token})
    assert again.status_code == 410 and "已经下载过" in again.text
    page = client.get(done.headers["location"]).text
    assert "初始密码表已于" in page and "下载初始密码表（" not in page
    assert audits(db, "roster.passwords_download") == 1


def test_another_instructor_cannot_download_an_imports_workbook(client, db):
    teacher, cohort, zhang, li = classroom(db)
    other = builders.user(db, "co-teacher", Role.instructor, display_name="李老师")
    db.add(CohortInstructor(cohort_id=cohort.id, user_id=other.id))
    db.commit()
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/roster",
                    files={"file": ("名单.xlsx", roster([("赵某", "某镇", "13800000021")]), XLSX)})
    page = client.get(client.post(r.headers["location"] + "/confirm").headers["location"]).text
    token = re.search(r'name="handover" value="([^"]*)"', page).group(1)
    client.post("/logout")
    builders.login(client, "co-teacher")
    refused = client.post(r.headers["location"] + "/initial-passwords", data={"handover": token})
    assert refused.status_code == 410 and "13800000021" not in refused.text


def test_an_old_pending_upload_confirmed_after_another_import_says_it_created_nothing(client, db):
    teacher, cohort, zhang, li = classroom(db)
    builders.login(client, "teacher")
    people = roster([("赵某", "某镇", "13800000021"), ("钱某", "某镇", "13800000022")])
    first = client.post(f"/instructor/cohorts/{cohort.id}/roster", files={"file": ("a.xlsx", people, XLSX)})
    second = client.post(f"/instructor/cohorts/{cohort.id}/roster", files={"file": ("b.xlsx", people, XLSX)})
    builders.confirm_import(client, first.headers["location"])
    stale = client.get(second.headers["location"]).text                 # as the logins stand now
    assert "将新建账号" not in stale and stale.count("已有账号，将加入本班") == 2
    page, workbook = builders.confirm_import(client, second.headers["location"])
    assert workbook is None
    assert "新建账号 0 个，已有账号 2 个" in page.text and "新建账号 2 个" not in page.text


# --- 2. an exam changed after it is saved -------------------------------------------------------

def test_closing_an_exam_ends_its_window_now_and_open_attempts_keep_their_deadline(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    opened = exams.start_attempt(db, zhang, exam.id)
    deadline = opened.deadline
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert f'action="/instructor/exams/{exam.id}/close"' in page and 'data-confirm="现在关闭“结业考试”？' in page
    asked = client.post(f"/instructor/exams/{exam.id}/close")                   # without script: asked first
    assert asked.status_code == 200 and "现在关闭“结业考试”？" in asked.text
    db.refresh(exam)
    assert exam.closes_at is None
    r = client.post(f"/instructor/exams/{exam.id}/close", data={"confirmed": "yes"})
    assert r.status_code == 303 and "考试已关闭" in client.get(r.headers["location"]).text
    db.refresh(exam)
    assert exam.closes_at is not None and exam.closes_at <= utcnow()
    db.expire_all()
    assert db.get(Attempt, opened.id).deadline == deadline and db.get(Attempt, opened.id).status == "open"
    assert client.post("/logout") and builders.login(client, "13800000002")
    assert client.post(f"/exams/{exam.id}/start").status_code == 409          # 李某 can no longer start
    assert audits(db, "exam.close") == 1


def test_an_after_close_review_waits_for_the_attempts_still_open_when_an_exam_is_closed_early(db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id, review_mode="after_close")
    done = exams.start_attempt(db, zhang, exam.id)
    exams.submit(db, zhang, done.id)
    still = exams.start_attempt(db, li, exam.id)
    exams.close_exam(db, teacher, exam)
    assert not exams.review_open(db, exam, utcnow())                   # 李某 is still answering
    assert exams.review_open(db, exam, still.deadline + timedelta(seconds=1))


def test_an_exam_nobody_has_started_can_be_withdrawn_and_trainees_no_longer_see_it(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="错发的考试", cohort_id=cohort.id, created_by=teacher.id)
    builders.login(client, "teacher")
    assert f'action="/instructor/exams/{exam.id}/withdraw"' in client.get(f"/instructor/exams/{exam.id}").text
    r = client.post(f"/instructor/exams/{exam.id}/withdraw", data={"confirmed": "yes"})
    assert r.status_code == 303 and r.headers["location"] == f"/instructor/exams/?withdrawn={exam.id}"
    listing = client.get(r.headers["location"]).text
    assert "已撤回“错发的考试”" in listing and f'href="/instructor/exams/{exam.id}"' not in listing
    db.refresh(exam)
    assert not exam.active and audits(db, "exam.withdraw") == 1
    client.post("/logout")
    builders.login(client, "13800000001")
    assert "错发的考试" not in client.get("/exams/").text
    assert client.get(f"/exams/{exam.id}").status_code == 404


def test_an_exam_someone_has_started_is_not_withdrawn_and_the_page_says_why_and_offers_closing(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    exams.start_attempt(db, zhang, exam.id)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert f'/instructor/exams/{exam.id}/withdraw"' not in page and "不能撤回" in page
    r = client.post(f"/instructor/exams/{exam.id}/withdraw", data={"confirmed": "yes"})
    page = client.get(r.headers["location"]).text
    assert "已有 1 人次开始作答，不能撤回" in page and "请关闭考试" in page
    assert f'action="/instructor/exams/{exam.id}/close"' in page
    db.refresh(exam)
    assert exam.active and audits(db, "exam.withdraw") == 0


def test_an_exam_is_edited_in_full_before_anyone_starts_and_only_its_end_and_description_after(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    builders.login(client, "teacher")
    form = client.get(f"/instructor/exams/{exam.id}/edit").text
    assert 'name="title"' in form and 'name="time_limit_minutes"' in form and 'name="attempts_allowed"' in form
    r = client.post(f"/instructor/exams/{exam.id}/edit", data={
        "title": "第一卷结业考试", "description": "闭卷", "opens_at": "", "closes_at": "2030-06-01T17:00",
        "time_limit_minutes": "45", "attempts_allowed": "2"})
    assert r.status_code == 303 and "已保存修改" in client.get(r.headers["location"]).text
    db.refresh(exam)
    assert (exam.title, exam.description, exam.time_limit_minutes, exam.attempts_allowed) == ("第一卷结业考试", "闭卷", 45, 2)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "exam.edit")).one()
    assert event.detail["title_before"] == "结业考试" and event.detail["time_limit_minutes_after"] == 45
    [line] = audit_view.readable(db, [(event, teacher)])                 # as the supervisor's audit page reads it
    assert ("原考试名称", "结业考试") in line.details and ("新考试时长（分钟）", "45") in line.details
    assert audit.ACTIONS["exam.edit"] == "修改考试" and audit.ACTIONS["exam.withdraw"] == "撤回考试"
    # someone starts: only the end of the window and the description may change
    exams.start_attempt(db, zhang, exam.id)
    form = client.get(f"/instructor/exams/{exam.id}/edit").text
    assert 'name="time_limit_minutes"' not in form and "只能修改结束时间和说明" in form
    refused = client.post(f"/instructor/exams/{exam.id}/edit", data={"time_limit_minutes": "90"})
    assert refused.status_code == 422 and "考试时长不能再改" in refused.text
    r = client.post(f"/instructor/exams/{exam.id}/edit", data={"description": "闭卷，可带法条汇编",
                                                              "closes_at": "2030-06-02T17:00"})
    assert r.status_code == 303
    db.refresh(exam)
    assert exam.description == "闭卷，可带法条汇编" and exam.time_limit_minutes == 45
    assert exam.closes_at.astimezone().date().isoformat() == "2030-06-02"


def test_changing_closing_and_withdrawing_are_only_for_the_exams_staff(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    builders.user(db, "stranger", Role.instructor, display_name="外班老师")
    builders.login(client, "stranger")
    for path, data in (("edit", {"title": "改名"}), ("close", {"confirmed": "yes"}), ("withdraw", {"confirmed": "yes"})):
        r = client.post(f"/instructor/exams/{exam.id}/{path}", data=data)
        assert r.status_code == 404 and "结业考试" not in r.text, path
    assert client.get(f"/instructor/exams/{exam.id}/edit").status_code == 404
    db.refresh(exam)
    assert exam.title == "结业考试" and exam.active and exam.closes_at is None


# --- 3, 4, 10. ids, keys and difficulty as an instructor needs them --------------------------------

def case_question(db) -> Question:
    return db.exec(select(Question).where(Question.type == "case", Question.active == True)).first()  # noqa: E712


def test_question_ids_are_shown_in_the_bank_the_question_and_the_preview_and_the_form_says_where(client, db):
    builders.user(db, "teacher", Role.instructor)
    q = case_question(db)
    exam = builders.exam(db, question_ids=[q.id], created_by=db.exec(builders.select_user("teacher")).one().id)
    builders.login(client, "teacher")
    assert f'<code class="qid" title="题目编号">{q.id}</code>' in client.get("/instructor/bank/", params={"type": "case"}).text
    assert f'<code class="qid">{q.id}</code>' in client.get(f"/instructor/bank/{q.id}").text
    assert f'<code class="qid" title="题目编号">{q.id}</code>' in client.get(f"/instructor/exams/{exam.id}/preview").text
    form = client.get("/instructor/exams/new").text
    assert "题目编号以等宽小字显示在" in form and 'href="/instructor/bank/"' in form


def test_case_questions_in_the_bank_and_the_preview_show_the_key_without_a_verdict(client, db):
    builders.user(db, "teacher", Role.instructor)
    q = case_question(db)
    exam = builders.exam(db, question_ids=[q.id], created_by=db.exec(builders.select_user("teacher")).one().id)
    builders.login(client, "teacher")
    for page in (client.get(f"/instructor/bank/{q.id}").text, client.get(f"/instructor/exams/{exam.id}/preview").text):
        assert "本小题错误" not in page and "本小题正确" not in page and "正确答案：" not in page
        assert page.count('<p class="part-key">答案：') == len(q.parts)


def test_difficulty_is_named_as_the_bank_names_it(client, db):
    builders.user(db, "teacher", Role.instructor)
    q = db.exec(select(Question).where(Question.active == True, Question.difficulty == 2)).first()  # noqa: E712
    exam = builders.exam(db, question_ids=[q.id], created_by=db.exec(builders.select_user("teacher")).one().id)
    builders.login(client, "teacher")
    bank = client.get("/instructor/bank/").text
    assert '<option value="3" >综合</option>' in bank or '<option value="3">综合</option>' in bank.replace(" >", ">")
    assert 'value="4"' not in bank.split('name="difficulty"')[1].split("</select>")[0]
    for page in (bank, client.get(f"/instructor/bank/{q.id}").text, client.get(f"/instructor/exams/{exam.id}/preview").text):
        assert not re.search(r"难度 \d", page)
    assert '<span class="tag">进阶</span>' in client.get(f"/instructor/bank/{q.id}").text
    refused = client.get("/instructor/bank/", params={"difficulty": "5"})
    assert refused.status_code == 400 and "难度应为基础、进阶或综合" in refused.text


# --- 5. one full mark for a blueprint ------------------------------------------------------------

def test_a_blueprint_row_of_any_type_gives_every_trainee_the_same_full_mark(client, db):
    teacher, cohort, zhang, li = classroom(db)
    others = [trainee(db, cohort, teacher, f"1380000009{n}", f"学员{n}") for n in range(4)]
    exam = builders.exam(db, title="综合测验", cohort_id=cohort.id, created_by=teacher.id,
                         blueprint=[{"count": 12}], points={"single": 1.0, "multiple": 2.0, "judge": 1.0, "case": 4.0})
    marks = set()
    for n, who in enumerate([zhang, li, *others]):
        attempt = exams.start_attempt(db, who, exam.id, rng=random.Random(n))
        marks.add(exams.submit(db, who, attempt.id).max_score)
    assert marks == {12.0}                                     # each question of the row: the single-choice points
    new = builders.exam(db, title="综合测验二", cohort_id=cohort.id, created_by=teacher.id,
                        blueprint=[{"count": 6, "points": 2.5}])
    builders.login(client, "13800000090")
    notice = client.get(f"/exams/{new.id}").text
    assert "满分 15 分" in notice and "–" not in notice.split("满分")[1][:20]
    client.post("/logout")
    builders.login(client, "teacher")
    preview = client.get(f"/instructor/exams/{new.id}/preview").text
    assert "满分 15 分" in preview and preview.count("2.5 分</span>") == 6
    form = client.get("/instructor/exams/new").text
    assert 'name="row-points-0"' in form and "每位学员的满分相同" in form


def test_a_rows_points_outside_their_bounds_are_refused_on_the_form(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    r = client.post("/instructor/exams/new", data={"title": "测验", "mode": "blueprint", "count-0": "3",
                                                   "row-points-0": "500", "time_limit_minutes": "10"})
    assert r.status_code == 422 and "组卷规则第 1 行的每题分值应在 0.5 至 100 分之间" in r.text


# --- 6, 7. extensions and the attempt view ---------------------------------------------------------

def test_a_short_exam_offers_extensions_up_to_what_is_left_never_an_empty_list(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="快问快答", cohort_id=cohort.id, created_by=teacher.id, time_limit_minutes=3)
    opened = exams.start_attempt(db, zhang, exam.id)
    builders.login(client, "teacher")
    status = client.get(f"/instructor/exams/{exam.id}/status").text
    offered = re.findall(r'<option value="(\d+)"', status)
    assert offered == ["1", "2", "3"]
    exams.extend_time(db, teacher, opened.id, 3, "平板死机")
    status = client.get(f"/instructor/exams/{exam.id}/status").text
    assert 'name="minutes"' not in status and "已延长至上限" in status


def test_the_instructors_view_of_an_attempt_marks_the_trainees_choice(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    attempt = exams.start_attempt(db, zhang, exam.id)
    first = attempt.paper[0]
    q = db.get(Question, first["question_id"])
    exams.save_answer(db, zhang, attempt.id, question_id=q.id, response=builders.response(q, right=False))
    exams.submit(db, zhang, attempt.id)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/attempts/{attempt.id}").text
    assert "（学员的选择）" in page and "（您的选择）" not in page


# --- 8. exports ----------------------------------------------------------------------------------

def test_the_csv_writes_whole_percentages_and_absentees_are_absent_only_once_the_exam_has_closed(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    attempt = exams.start_attempt(db, zhang, exam.id)
    q = db.get(Question, attempt.paper[0]["question_id"])
    exams.save_answer(db, zhang, attempt.id, question_id=q.id, response=builders.response(q))
    graded = exams.submit(db, zhang, attempt.id)
    builders.login(client, "teacher")

    def csv_rows():
        r = client.get(f"/instructor/exams/{exam.id}/results.csv")
        return {row[0]: row for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig")))}
    rows = csv_rows()
    assert rows["张某"][5] == f"{round(100 * graded.score / graded.max_score)}%"
    assert rows["李某"][6] == "未参加"                                        # the exam is still open
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(client.get(f"/instructor/exams/{exam.id}/results.xlsx").content))["成绩"]
    cell = next(row[5] for row in ws.iter_rows(min_row=2) if row[0].value == "张某")
    assert isinstance(cell.value, float) and cell.number_format.endswith("%")
    exams.close_exam(db, teacher, exam)
    assert csv_rows()["李某"][6] == "缺考"


# --- 9, 11. the results' topics and the cohort page ---------------------------------------------------

def test_the_weak_topics_table_has_its_own_column_widths(client, db):
    teacher, cohort, zhang, li = classroom(db)
    exam = builders.exam(db, title="结业考试", cohort_id=cohort.id, created_by=teacher.id)
    exams.submit(db, zhang, exams.start_attempt(db, zhang, exam.id).id)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}/results").text
    assert '<table class="bars topics">' in page and '<th class="figure">训前自评</th>' in page
    css = client.get("/static/app.css").text
    assert "table.bars.topics th.figure" in css and "table.bars.topics td:last-child { width: auto; }" in css


def test_the_cohort_page_lists_its_trainees_first_as_cards(client, db):
    teacher, cohort, zhang, li = classroom(db)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/cohorts/{cohort.id}").text
    trainees = page.index("<h2>学员（2）</h2>")
    assert all(trainees < page.index(form) for form in ("<h2>逐个添加学员</h2>", "<h2>导入学员名单（Excel）</h2>",
                                                        "<h2>训前需求调查</h2>", "<h2>训前诊断测验</h2>"))
    assert '<table class="cards trainees">' in page
    assert '<td data-label="登录名">13800000001</td>' in page
    unit = page.split('<td data-label="单位/镇街">', 1)[1].split("</td>", 1)[0]
    assert "<summary>某镇" in unit and 'name="unit" value="某镇"' in unit          # shown, and correctable here


# --- 12. where a login lands ----------------------------------------------------------------------

def test_each_role_lands_on_its_workbench_after_login_unless_a_next_was_given(client, db):
    for name, role in (("teacher", Role.instructor), ("editor", Role.editor), ("chief", Role.supervisor),
                       ("student", Role.trainee)):
        builders.user(db, name, role)
    homes = {"teacher": "/instructor/", "editor": "/editor/", "chief": "/supervisor/", "student": "/practice/"}
    for name, home in homes.items():
        form = client.get("/login").text
        assert 'name="next" value=""' in form
        token = re.search(r'name="csrf_token" value="([^"]*)"', form).group(1)
        r = client.post("/login", data={"username": name, "password": builders.PASSWORD, "next": "",
                                        "csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == home, name
        client.post("/logout")
    form = client.get("/login", params={"next": "/instructor/bank/"}).text
    token = re.search(r'name="csrf_token" value="([^"]*)"', form).group(1)
    r = client.post("/login", data={"username": "teacher", "password": builders.PASSWORD,
                                    "next": "/instructor/bank/", "csrf_token": token})
    assert r.headers["location"] == "/instructor/bank/"


# --- 13. the dashboard counts as the trainee's page does ---------------------------------------------

def test_the_dashboard_counts_practised_questions_as_the_trainees_page_does(client, db):
    teacher, cohort, zhang, li = classroom(db)
    qs = db.exec(select(Question).where(Question.pool == "practice", Question.type == "single")).all()[:3]
    now = utcnow()
    answers = [(qs[0], False), (qs[0], True), (qs[1], True), (qs[2], False)]    # q0 twice: wrong, then right
    for n, (q, ok) in enumerate(answers):
        db.add(PracticeAnswer(user_id=zhang.id, question_id=q.id, response=q.answer, correct=ok,
                              answered_at=now + timedelta(seconds=n)))
    db.commit()
    builders.login(client, "13800000001")
    me = client.get("/me").text
    assert "已练习 3 道题（每题按最近一次作答计），正确率 67%" in me
    client.post("/logout")
    builders.login(client, "teacher")
    page = client.get("/instructor/").text
    assert "<th>已练习题数</th><th>正确率</th><th>作答次数</th>" in page
    row = page[page.index("<td>张某</td>"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["3", "67%", "4"]
    row = page[page.index("<td>李某</td>"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["—", "—", "—"]


# --- 14. an existing account added by login name ----------------------------------------------------

def test_an_existing_account_is_added_by_login_alone_and_the_page_says_what_is_kept(client, db):
    teacher, cohort, zhang, li = classroom(db, unit="甲镇")
    other = cohorts.create_cohort(db, creator=teacher, name="第二期轮训班")
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{other.id}/trainees",
                    data={"username": "13800000001", "display_name": "张三", "unit": ""})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "13800000001 是已有账号：张某（某镇）" in page and "已加入本班，沿用其原有密码" in page
    assert "您填写的姓名未采用：已有账号的姓名和单位保持不变" in page
    assert db.exec(builders.select_user("13800000001")).one().display_name == "张某"
    form = page[page.index("<h2>逐个添加学员</h2>"):]
    assert '<input name="display_name" value="">' in form and "已有账号只需填写登录名" in form


def test_an_account_held_by_another_unit_waits_and_the_message_names_the_instructors_unit(client, db):
    holder = builders.user(db, "holder", Role.instructor, display_name="甲老师", unit="甲镇")
    theirs = cohorts.create_cohort(db, creator=holder, name="甲班")
    trainee(db, theirs, holder, "13800000001", "张某", unit="甲镇")
    teacher = builders.user(db, "teacher", Role.instructor, display_name="乙老师", unit="乙镇")
    mine = cohorts.create_cohort(db, creator=teacher, name="乙班")
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{mine.id}/trainees", data={"username": "13800000001"})
    page = client.get(r.headers["location"]).text
    assert "其单位与您账号登记的单位（乙镇）不同：已提交监督员审批" in page
    assert "与您账号登记的单位（乙镇）不同，须经监督员审批" in page
    assert "其单位与您的单位不一致" not in page
