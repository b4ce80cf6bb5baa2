"""Cohorts: who sees what, and Excel rosters in and initial passwords out."""
import io

from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from quizapp.models import AuditEvent, Enrolment, Role, User
from tests import builders


def xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def make_cohort(client, name="2026年第一期轮训班"):
    r = client.post("/instructor/cohorts/", data={"name": name, "unit": "某县司法局", "starts_on": "2026-03-01",
                                                  "ends_on": "2026-03-05"})
    assert r.status_code == 303, r.text
    return r.headers["location"]


def test_an_instructor_sees_only_their_own_cohorts_and_a_supervisor_sees_all(client, db):
    builders.user(db, "teacher-a", Role.instructor, display_name="甲老师")
    builders.user(db, "teacher-b", Role.instructor, display_name="乙老师")
    builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    builders.user(db)
    builders.login(client, "teacher-a")
    url = make_cohort(client)
    client.post("/logout")
    builders.login(client, "teacher-b")
    assert "2026年第一期轮训班" not in client.get("/instructor/cohorts/").text
    r = client.get(url)
    assert r.status_code == 404 and "2026年第一期轮训班" not in r.text
    client.post("/logout")
    builders.login(client, "jiandu")
    assert client.get(url).status_code == 200
    client.post("/logout")
    builders.login(client)                       # a trainee
    for path in ("/instructor/cohorts/", url, "/instructor/cohorts/template.xlsx", "/instructor/exams/"):
        assert client.get(path).status_code == 403, path


def test_a_roster_is_checked_row_by_row_and_only_confirmed_rows_are_imported(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.user(db, "13900000009", display_name="老学员")              # an officer who already has an account
    builders.login(client, "teacher")
    cohort_url = make_cohort(client)
    users_before = db.exec(select(func.count()).select_from(User)).one()
    roster = xlsx([
        ["姓名", "单位/镇街", "手机号", "工号", "执法证号"],
        ["张某", "某镇综合行政执法办公室", "13800000001", "", "44000001"],
        ["李某", "某镇综合行政执法办公室", 13800000002, "", ""],          # typed as a number in Excel
        ["", "某街道综合执法队", "13800000003", "", ""],                 # no name
        ["王某", "某街道综合执法队", "1380000", "", ""],                  # not a phone number
        ["赵某", "某镇综合行政执法办公室", "13800000001", "", ""],        # same phone as row 2
        ["钱某", "某镇综合行政执法办公室", "", "ZF-0107", ""],            # staff number instead of phone
        ["老学员", "某镇", "13900000009", "", ""],
    ])
    r = client.post(f"{cohort_url}/roster", files={"file": ("名单.xlsx", roster, "application/octet-stream")})
    assert r.status_code == 303
    preview = client.get(r.headers["location"]).text
    assert "正确 4 行，有误 3 行" in preview and "尚未导入任何记录" in preview
    assert "缺少姓名" in preview and "不是 11 位手机号码" in preview and "与第 2 行重复" in preview
    assert "已有账号，将加入本班" in preview
    assert db.exec(select(func.count()).select_from(User)).one() == users_before          # nothing yet
    confirm = r.headers["location"] + "/confirm"
    refused = client.post(confirm)
    assert refused.status_code == 422 and "有 3 行有误" in refused.text
    imported, done = builders.confirm_import(client, r.headers["location"], good_rows_only="yes")
    assert "已新建账号并加入本班" in imported.text and "新建账号 3 个，已有账号 1 个" in imported.text
    assert done.status_code == 200                                  # the initial-password workbook
    assert db.exec(select(func.count()).select_from(User)).one() == users_before + 3
    assert db.exec(select(func.count()).select_from(Enrolment)).one() == 4
    assert client.post(confirm, data={"good_rows_only": "yes"}).status_code == 422       # not twice
    (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "roster.import")).all()
    assert event.detail["created"] == 3 and event.detail["skipped"] == 3

    sheet = done
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(sheet.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "单位/镇街", "登录名", "初始密码", "说明")
    by_login = {row[2]: row for row in rows[1:]}
    assert set(by_login) == {"13800000001", "13800000002", "ZF-0107"}
    client.post("/logout")
    login = builders.login(client, "ZF-0107", by_login["ZF-0107"][3])
    assert login.headers["location"].startswith("/account/password")       # must change it first
    client.post("/account/password", data={"old": by_login["ZF-0107"][3], "new": "my-own-pass", "again": "my-own-pass"})
    client.post("/logout")
    builders.login(client, "teacher")
    # the workbook was the import's answer, once: nothing keeps the passwords (test_initial_passwords.py)
    assert client.get(r.headers["location"] + "/credentials.xlsx").status_code == 404


def test_a_roster_without_a_required_column_is_refused_with_the_column_named(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    cohort_url = make_cohort(client)
    r = client.post(f"{cohort_url}/roster", files={"file": ("x.xlsx", xlsx([["姓名", "手机号"], ["张某", "13800000001"]]),
                                                            "application/octet-stream")})
    assert r.status_code == 422 and "名单缺少列：单位/镇街" in r.text
    r = client.post(f"{cohort_url}/roster", files={"file": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert r.status_code == 422 and "无法读取该文件" in r.text


def test_a_trainee_added_by_hand_gets_an_initial_password_once(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    cohort_url = make_cohort(client)
    r = client.post(f"{cohort_url}/trainees", data={"username": "13800000011", "display_name": "孙某", "unit": "某镇"})
    assert r.status_code == 303
    r = client.get(r.headers["location"])
    assert "初始密码" in r.text and "平台不保存" in r.text
    bad = client.post(f"{cohort_url}/trainees", data={"username": "138", "display_name": "", "unit": "某镇"})
    assert bad.status_code == 422 and "缺少姓名" in bad.text
