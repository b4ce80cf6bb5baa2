"""执法监督: units and their officer rosters, coverage counted against the
rosters, unmatched unit names, the roster import and the exports."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone

from openpyxl import load_workbook
from sqlmodel import select

from quizapp import cohorts, exams, supervision
from quizapp.exports import XLSX
from quizapp.models import Attempt, AuditEvent, Officer, Question, Role
from tests import builders

roster_xlsx = builders.roster_xlsx


YEAR = date.today().year




def as_supervisor(client, db):
    builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    builders.login(client, "jiandu")
    return client


def trained(db, *people, unit="东山镇", starts_on=date(YEAR, 3, 1), cert_no=""):
    """A cohort of this year with these trainees (login, name) enrolled."""
    teacher = db.exec(builders.select_user("teacher")).first() or builders.user(db, "teacher", Role.instructor)
    cohort = cohorts.create_cohort(db, creator=teacher, name=f"{starts_on.year}年轮训班", starts_on=starts_on,
                                   ends_on=starts_on)
    for login, name in people:
        cohorts.enrol_one(db, teacher, cohort, username=login, display_name=name, unit=unit, cert_no=cert_no)
    return cohort


def pass_final(db, login, cohort, submitted_at=None):
    trainee = db.exec(builders.select_user(login)).one()
    exam = builders.exam(db, cohort_id=cohort.id, title="结业考试", certifying=True)
    attempt = exams.start_attempt(db, trainee, exam.id)
    for item in attempt.paper:
        q = db.get(Question, item["question_id"])
        exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, True))
    exams.submit(db, trainee, attempt.id)
    attempt = db.get(Attempt, attempt.id)
    assert attempt.passed
    if submitted_at:
        attempt.submitted_at = submitted_at
        db.add(attempt)
        db.commit()


def test_an_officer_never_enrolled_counts_as_not_covered_and_is_listed(client, db):
    unit = supervision.save_unit(db, None, name="东山镇", aliases="")
    supervision.save_officer(db, None, unit_id=unit.id, name="张三", phone="13800000001")
    supervision.save_officer(db, None, unit_id=unit.id, name="从未参训", phone="13800000002")
    cohort = trained(db, ("13800000001", "张三"))
    pass_final(db, "13800000001", cohort)
    (row,) = supervision.coverage(db).rows
    assert (row.officers, row.trained, row.passed, row.percent) == (2, 1, 1, 50.0)
    assert row.never_trained == ["从未参训"]
    page = as_supervisor(client, db).get("/supervisor/").text
    assert "50%" in page and "从未参训" in page and "已参训：" in page and "已合格：" in page


def test_two_spellings_of_one_unit_count_as_one(client, db):
    supervision.save_unit(db, None, name="东山镇", aliases="东山镇人民政府\n东山")
    trained(db, ("13800000001", "张三"), unit="东山镇人民政府")
    trained(db, ("13800000003", "王五"), unit="东 山")
    trained(db, ("13800000004", "赵六"), unit="东山街道")
    as_supervisor(client, db)
    r = client.post("/supervisor/units/roster", files={"file": ("名册.xlsx", roster_xlsx(
        [("张三", "东山镇人民政府", "13800000001", "", ""), ("王五", "东山", "13800000003", "", "")]), XLSX)})
    assert r.status_code == 303
    report = supervision.coverage(db)
    assert [(c.unit, c.officers, c.trained) for c in report.rows] == [("东山镇", 2, 2)]
    assert [(u.name, u.accounts) for u in report.unmatched] == [("东山街道", 1)]   # shown so it can be added as an alias
    assert "东山街道" in client.get("/supervisor/units").text
    unit = supervision.units(db)[0]
    assert client.post("/supervisor/units/aliases", data={"unit_id": str(unit.id), "alias": "东山街道"}).status_code == 303
    db.expire_all()
    assert supervision.coverage(db).unmatched == []
    # a name that is another unit's spelling is refused in Chinese
    r = client.post("/supervisor/units", data={"name": "东山", "aliases": ""})
    assert r.status_code == 422 and "已是单位“东山镇”的名称或别名" in r.text


def test_a_certifying_exam_passed_last_year_does_not_count_this_year(db):
    unit = supervision.save_unit(db, None, name="东山镇", aliases="")
    supervision.save_officer(db, None, unit_id=unit.id, name="张三", phone="13800000001")
    cohort = trained(db, ("13800000001", "张三"))
    pass_final(db, "13800000001", cohort, submitted_at=datetime(YEAR - 1, 12, 20, tzinfo=timezone.utc))
    (row,) = supervision.coverage(db, YEAR).rows
    assert (row.trained, row.passed, row.percent) == (1, 0, 0.0)
    (last,) = supervision.coverage(db, YEAR - 1).rows
    assert (last.trained, last.passed) == (0, 0)        # and last year it was not trained: the cohort is this year's


def test_a_cohort_of_last_year_does_not_train_this_year_and_a_match_by_certificate_counts(db):
    unit = supervision.save_unit(db, None, name="东山镇", aliases="")
    supervision.save_officer(db, None, unit_id=unit.id, name="张三", phone="13800000001")
    supervision.save_officer(db, None, unit_id=unit.id, name="李四", staff_no="LS-01", cert_no="ZF0099")
    trained(db, ("13800000001", "张三"), starts_on=date(YEAR - 1, 5, 1))
    trained(db, ("13900000099", "李四"), cert_no="ZF0099")     # another login, the same 执法证号
    (row,) = supervision.coverage(db, YEAR).rows
    assert (row.officers, row.trained, row.never_trained) == (2, 1, ["张三"])


def test_the_roster_import_refuses_bad_rows_in_chinese_and_imports_nothing(client, db):
    supervision.save_unit(db, None, name="东山镇", aliases="")
    as_supervisor(client, db)
    r = client.post("/supervisor/units/roster", files={"file": ("名册.xlsx", roster_xlsx([
        ("张三", "东山镇", "13800000001", "", ""),
        ("", "东山镇", "13800000002", "", ""),
        ("王五", "西山镇", "13800000003", "", ""),
        ("赵六", "东山镇", "12345", "", ""),
        ("孙七", "东山镇", "13800000001", "", "")]), XLSX)})
    assert r.status_code == 422
    for message in ("第 3 行：缺少姓名", "第 4 行：单位“西山镇”不在单位列表中", "第 5 行：手机号“12345”不是 11 位手机号码",
                    "第 6 行：与第 2 行重复", "未导入任何人员"):
        assert message in r.text, message
    # one line per bad row, under the sentence that says nothing was imported
    alert = re.search(r'<div class="alert error rows-refused" role="alert">(.*?)</div>', r.text, re.S).group(1)
    assert re.search(r"<p>名册有 4 行有问题，未导入任何人员，请改正后重新上传。</p>", alert)
    lines = re.findall(r"<li>(.*?)</li>", alert)
    assert [line.split("：")[0] for line in lines] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行"]
    assert lines[0] == "第 3 行：缺少姓名"
    assert db.exec(select(Officer)).all() == []
    r = client.post("/supervisor/units/roster", files={"file": ("名册.xlsx", b"not a workbook", XLSX)})
    assert r.status_code == 422 and "无法读取该文件" in r.text


def test_the_roster_import_adds_and_updates_and_officers_are_kept_on_the_units_page(client, db):
    unit = supervision.save_unit(db, None, name="东山镇", aliases="")
    other = supervision.save_unit(db, None, name="西湖街道", aliases="")
    supervision.save_officer(db, None, unit_id=unit.id, name="张某", phone="13800000001")
    as_supervisor(client, db)
    r = client.post("/supervisor/units/roster", files={"file": ("名册.xlsx", roster_xlsx([
        ("张三", "西湖街道", "13800000001", "", "ZF01"), ("李四", "东山镇", "", "DS-02", "")]), XLSX)})
    assert r.status_code == 303 and "新增 1 人，更新 1 人" in client.get(r.headers["location"]).text
    zhang = db.exec(select(Officer).where(Officer.login == "13800000001")).one()
    assert (zhang.name, zhang.unit_id, zhang.cert_no) == ("张三", other.id, "ZF01")    # moved with the new roster
    # one by one on the unit's page: add, a login already on a roster refused, edit, remove
    assert client.post(f"/supervisor/units/{unit.id}/officers", data={"name": "王五", "phone": "13800000005"}).status_code == 303
    r = client.post(f"/supervisor/units/{unit.id}/officers", data={"name": "重复", "phone": "13800000005"})
    assert r.status_code == 422 and "登录名 13800000005 已在名册中（王五）" in r.text
    r = client.post(f"/supervisor/units/{unit.id}/officers", data={"name": "无号"})
    assert r.status_code == 422 and "手机号和工号至少填一项" in r.text
    wang = db.exec(select(Officer).where(Officer.login == "13800000005")).one()
    assert client.post(f"/supervisor/officers/{wang.id}", data={"name": "王五", "phone": "13800000006",
                                                               "unit_id": str(unit.id)}).status_code == 303
    page = client.get(f"/supervisor/units/{unit.id}").text
    assert "王五" in page and "13800000006" in page and "李四" in page
    assert client.post(f"/supervisor/units/{unit.id}/delete").status_code == 422      # its roster is not empty
    asked = client.post(f"/supervisor/officers/{wang.id}/remove")                  # no script: a page asks first
    assert asked.status_code == 200 and f"把 王五 从 {unit.name} 的名册中移除？" in asked.text
    assert "王五" in client.get(f"/supervisor/units/{unit.id}").text
    assert client.post(f"/supervisor/officers/{wang.id}/remove", data={"confirmed": "yes"}).status_code == 303
    assert "王五" not in client.get(f"/supervisor/units/{unit.id}").text
    assert client.post(f"/supervisor/officers/{wang.id}/remove", data={"confirmed": "yes"}).status_code == 404
    assert client.get("/supervisor/units/99999").status_code == 404


def test_the_exports_open_in_openpyxl(client, db):
    unit = supervision.save_unit(db, None, name="东山镇", aliases="")
    supervision.save_officer(db, None, unit_id=unit.id, name="张三", phone="13800000001")
    supervision.save_officer(db, None, unit_id=unit.id, name="李四", phone="13800000002")
    cohort = trained(db, ("13800000001", "张三"), unit="东山街道")
    pass_final(db, "13800000001", cohort)
    as_supervisor(client, db)
    r = client.get(f"/supervisor/coverage.xlsx?year={YEAR}")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == [f"{YEAR}年轮训覆盖", "未参训人员", "未匹配的单位名称"]
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[1] == ("东山镇", 2, 1, 1, 1, 0.5) and summary[-1][0] == "合计"
    assert list(book["未参训人员"].iter_rows(min_row=2, values_only=True)) == [("东山镇", "李四")]
    assert list(book["未匹配的单位名称"].iter_rows(min_row=2, values_only=True)) == [("东山街道", 1)]
    r = client.get("/supervisor/weak-areas.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "分卷" and rows[1][0].startswith("第一卷")
    assert any(isinstance(v, (int, float)) and 0 <= v <= 1 for v in rows[1][1:])


def test_a_year_out_of_range_is_refused_in_chinese(client, db):
    as_supervisor(client, db)
    for url in ("/supervisor/?year=99999999999", "/supervisor/coverage.xlsx?year=-5", "/supervisor/?year=1999"):
        r = client.get(url)
        assert r.status_code == 422 and "年份应在 2000 至 2999 之间" in r.text, url


def test_every_change_to_units_and_rosters_is_in_the_audit_log_by_name(client, db):
    as_supervisor(client, db)
    client.post("/supervisor/units", data={"name": "东山镇"})
    unit_id = db.exec(select(supervision.Unit.id).where(supervision.Unit.name == "东山镇")).one()
    client.post(f"/supervisor/units/{unit_id}", data={"name": "东山镇", "aliases": "东山"})
    client.post(f"/supervisor/units/{unit_id}/officers", data={"name": "王五", "phone": "13800000005"})
    wang = db.exec(select(Officer).where(Officer.login == "13800000005")).one()
    client.post(f"/supervisor/officers/{wang.id}", data={"name": "王武", "phone": "13800000005"})
    client.post("/supervisor/units/roster", files={"file": ("名册.xlsx", roster_xlsx([
        ("张三", "东山", "13800000001", "", "")]), XLSX)})
    client.post(f"/supervisor/officers/{wang.id}/remove", data={"confirmed": "yes"})
    zhang = db.exec(select(Officer).where(Officer.login == "13800000001")).one()
    client.post(f"/supervisor/officers/{zhang.id}/remove", data={"confirmed": "yes"})
    client.post(f"/supervisor/units/{unit_id}/delete", data={"confirmed": "yes"})
    db.expire_all()
    assert db.get(supervision.Unit, unit_id) is None
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["unit.create", "unit.edit", "officer.add", "officer.edit", "officer.import",
                       "officer.remove", "officer.remove", "unit.delete"]
    log = client.get("/supervisor/audit").text
    for words in ("新增单位", "修改单位", "名册添加人员", "名册修改人员", "导入人员名册", "名册移除人员", "删除单位",
                  "单位「东山镇」", "王武", "新增人数：1"):
        assert words in log, words
    assert "unit:" not in log and "officer." not in log


def graded_answers(db, step: str, n: int, *, right: bool) -> None:
    """``n`` graded exam answers to a question of ``step``, all right or all wrong (attempts made directly)."""
    q = db.exec(select(Question).where(Question.step == step, Question.volume == "v1-common",
                                       Question.type == "single")).first()
    trainee = db.exec(builders.select_user("kaosheng")).first() or builders.user(db, "kaosheng", display_name="考生")
    exam = builders.exam(db, title=f"{step}测验", question_ids=[q.id])
    now = datetime.now(timezone.utc)
    for number in range(1, n + 1):
        db.add(Attempt(exam_id=exam.id, user_id=trainee.id, number=number, status="graded", started_at=now,
                       deadline=now, submitted_at=now, ended_by="trainee", score=float(right), max_score=1.0,
                       passed=right, item_scores={q.id: float(right)},
                       paper=[{"question_id": q.id, "type": "single", "points": 1.0, "key": q.answer,
                               "option_order": list(q.options), "part_option_orders": {}, "part_types": {}}]))
    db.commit()


def test_the_weak_area_chart_draws_weakness_with_the_answers_behind_it_from_a_minimum(client, db):
    from quizapp.domain.supervision import MIN_ANSWERS
    graded_answers(db, "听证", MIN_ANSWERS + 5, right=False)
    graded_answers(db, "决定", MIN_ANSWERS, right=True)
    graded_answers(db, "送达", 3, right=False)                     # the lowest score, but too few answers
    page = as_supervisor(client, db).get("/supervisor/").text
    assert f"作答不足 {MIN_ANSWERS} 人次的格子" in page                       # the rule is on the page
    chart = page.split('<ul class="coverage weakest">', 1)[1].split("</ul>", 1)[0]
    bars = re.findall(r'<span>第一卷　公共法律法规规章运用 · (\S+)</span>.*?<rect width="([\d.]+)".*?(\d+) 人次作答',
                      chart, re.S)
    # the weakest (听证, nothing scored) first with the full bar; 决定 (all right) last with none; 送达 not judged
    assert bars == [("听证", "100.0", str(MIN_ANSWERS + 5)), ("决定", "0.0", str(MIN_ANSWERS))]
    cells = dict(re.findall(r'<td class="num ([\w-]+)">(\d+)<span class="answers">（(?:\d+)）</span>', page))
    assert cells == {"heat-10": "0", "heat-0": "100", "unjudged": "0"}


def test_accounts_without_a_unit_are_listed_as_such_beside_the_coverage(client, db):
    builders.user(db, "13800000021", display_name="无单位甲")
    builders.user(db, "13800000022", display_name="无单位乙", unit="  ")
    builders.user(db, "13800000023", display_name="有单位", unit="东山镇")
    page = as_supervisor(client, db).get("/supervisor/").text
    found = page.split('id="unitless"', 1)[1].split("</div>", 1)[0]
    assert "未填写单位的账号 <strong>2</strong> 个" in found
    assert "无单位甲（13800000021）" in found and "无单位乙（13800000022）" in found and "有单位" not in found


def test_adding_an_alias_starts_from_please_choose_and_an_empty_choice_is_refused(client, db):
    supervision.save_unit(db, None, name="东山镇", aliases="")
    supervision.save_unit(db, None, name="西河镇", aliases="")
    trained(db, ("13800000004", "赵六"), unit="南坪社区")                 # close to no unit: nothing guessed
    as_supervisor(client, db)
    page = client.get("/supervisor/units").text
    form = page.split('<input type="hidden" name="alias" value="南坪社区">', 1)[1].split("</form>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>', form)
    assert options[0] == ("", "", "请选择") and not [o for o in options if o[1]]
    r = client.post("/supervisor/units/aliases", data={"unit_id": "", "alias": "南坪社区"})
    assert r.status_code == 422 and "请选择要把这个名称加为哪个单位的别名" in r.text
    assert all(u.aliases == [] for u in supervision.units(db))


def test_the_audit_log_filters_by_actor_action_and_dates_and_exports_what_it_shows(client, db):
    as_supervisor(client, db)
    other = builders.user(db, "jiandu2", Role.supervisor, display_name="监督员乙")
    me = db.exec(builders.select_user("jiandu")).one()
    for name, actor in (("东山镇", me), ("西河镇", other), ("南坪镇", me)):
        supervision.save_unit(db, None, name=name, aliases="", actor=actor)
    supervision.save_officer(db, None, unit_id=supervision.units(db)[0].id, name="张三", phone="13800000001",
                             actor=me)
    old = db.exec(select(AuditEvent).where(AuditEvent.detail["unit"].as_string() == "南坪镇")).one()
    old.at = datetime(2020, 5, 1, 2, 0, tzinfo=timezone.utc)                    # 2020-05-01 10:00 Beijing time
    db.add(old)
    db.commit()

    def targets(**params) -> list[str]:
        page = client.get("/supervisor/audit", params=params).text
        return re.findall(r'<td data-label="对象">单位「([^」]+)」</td>', page)

    assert sorted(targets()) == ["东山镇", "东山镇", "南坪镇", "西河镇"]
    assert sorted(targets(actor=str(me.id))) == ["东山镇", "东山镇", "南坪镇"]
    assert targets(actor=str(other.id)) == ["西河镇"]
    assert sorted(targets(action="新增单位")) == ["东山镇", "南坪镇", "西河镇"]
    assert targets(since="2020-05-01", until="2020-05-01") == ["南坪镇"]          # both days included
    assert "南坪镇" not in targets(since=date.today().isoformat())
    page = client.get("/supervisor/audit", params={"actor": str(me.id), "action": "新增单位"}).text
    assert f'<option value="{me.id}" selected>' in page and "<option selected>新增单位</option>" in page
    query = f"actor={me.id}&action=%E6%96%B0%E5%A2%9E%E5%8D%95%E4%BD%8D"                     # 新增单位
    assert f'href="/supervisor/audit.xlsx?{query.replace("&", "&amp;")}"' in page
    r = client.get(f"/supervisor/audit.xlsx?{query}")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "对象", "详情")
    assert sorted(row[3] for row in rows[1:]) == ["单位「东山镇」", "单位「南坪镇」"]
    assert {row[1:3] for row in rows[1:]} == {("监督员", "新增单位")}
    # a wrong range is said on the audit page itself, the filters kept as entered and no export offered
    bad = client.get("/supervisor/audit", params={"since": "2026-02-01", "until": "2026-01-01", "action": "新增单位"})
    assert bad.status_code == 200 and "起始日期不能晚于截止日期" in bad.text
    assert 'value="2026-02-01"' in bad.text and 'value="2026-01-01"' in bad.text and "<option selected>新增单位" in bad.text
    assert "/supervisor/audit.xlsx" not in bad.text and "单位「东山镇」" not in bad.text
    assert "时间格式有误" in client.get("/supervisor/audit", params={"since": "2026-13-45"}).text
    assert client.get("/supervisor/audit.xlsx", params={"since": "2026-02-01", "until": "2026-01-01"}).status_code == 422


def test_a_refusal_naming_rows_is_split_one_line_per_row_and_other_messages_are_kept_whole():
    from quizapp.web.routes.supervisor import message_lines
    lead, lines = message_lines("名册有 22 行有问题，未导入任何人员，请改正后重新上传。第 2 行：缺少姓名 "
                                "第 6 行：与第 2 行重复；单位“某镇”的别名（另有 2 行有问题）")
    assert lead == "名册有 22 行有问题，未导入任何人员，请改正后重新上传。"
    assert lines == ["第 2 行：缺少姓名", "第 6 行：与第 2 行重复；单位“某镇”的别名", "另有 2 行有问题"]
    assert message_lines("无法读取该文件：请上传 Excel 工作簿（.xlsx）") == ("无法读取该文件：请上传 Excel 工作簿（.xlsx）", [])
