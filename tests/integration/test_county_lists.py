"""A county's list of delegated items (赋权事项清单) and 赋权评估 by item:
the supervisor uploads the 40-row sample (tests/data/county_list_sample.py),
checks the preview (its 请核对 summary counts exactly the rows marked so;
赋权范围/镇街 shown, the greying said to be county-wide), corrects matches
(the browser walk's rows), confirms; the report's numbers are the
hand-counted ones; nothing counts before confirming; instructors read, only
supervisors import and correct; the handbook learns what is not delegated
(a visitor gets no list, and no error); the readiness table on seeded
answers gives the hand-computed readings and counts survey respondents."""
import io
import re
from datetime import datetime, timezone

from openpyxl import load_workbook
from sqlmodel import select

from quizapp import cohorts, county_list, exams, readiness, surveys
from quizapp.content.items import catalogue
from quizapp.content.statutes import Corpus
from quizapp.domain import readiness as rules
from quizapp.exports import XLSX
from quizapp.models import (Attempt, AuditEvent, CountyList, Exam, PracticeAnswer, Question, Role, SurveyResponse,
                            User)
from quizapp.web.render import local_time
from tests import builders
from tests.data import county_list_sample as sample


def as_supervisor(client, db):
    builders.user(db, "chief", Role.supervisor, display_name="监督员")
    builders.login(client, "chief")


def upload(client, data: bytes = None, title: str = sample.TITLE):
    return client.post("/supervisor/items/lists", data={"title": title},
                       files={"file": ("清单.xlsx", data or sample.workbook(), XLSX)})


def figure(page: str, label: str) -> int:
    return int(re.search(r"<strong>(\d+)</strong> " + label, page).group(1))


def test_the_sample_list_is_checked_matched_and_counted_as_by_hand(client, db):
    as_supervisor(client, db)
    r = upload(client)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "预览（尚未生效）" in page
    assert figure(page, "行") == 40
    covered, uncovered = len(sample.EXPECTED), 40 - len(sample.REFUSED) - len(sample.EXPECTED)     # 30 and 8
    assert figure(page, "行手册已覆盖") == covered and figure(page, "行手册未覆盖") == uncovered
    assert figure(page, "行不导入") == 2 and figure(page, "个手册事项本县未下放") == len(sample.NOT_DELEGATED)
    saved = db.exec(select(CountyList)).one()
    rows = {r.row: r for r in county_list.rows_of(saved)}
    assert {n: r.item_id for n, r in rows.items() if r.item_id} == sample.EXPECTED
    assert {n for n, r in rows.items() if r.method == "名称"} == sample.BY_NAME
    assert all(rows[n].confidence >= 0.9 for n in sample.EXPECTED if n not in sample.BY_NAME | sample.GUESSED | sample.SHARED)
    assert all(rows[n].confidence < county_list.LOW_CONFIDENCE for n in sample.SHARED)
    assert all(rows[n].guessed and any("按近似的《" in note for note in rows[n].notes) for n in sample.GUESSED)
    assert all(any("不在本教程法规库中" in note for note in rows[n].notes) for n in sample.LOCAL_RULES)
    assert {n for n, r in rows.items() if r.errors} == sample.REFUSED
    assert "与第 8 行重复" in " ".join(rows[36].errors) and rows[40].errors == ["缺少事项名称"]
    assert "执法依据为空，仅按事项名称匹配" in rows[37].notes
    assert "对擅自占用城市道路的行政处罚" in page and "请核对" in page
    # 请核对: the summary counts exactly the rows that say it (the guessed statutes, the match by name alone)
    marked = {n for n, r in rows.items() if r.needs_check}
    assert marked == sample.GUESSED | sample.BY_NAME | sample.SHARED
    assert int(re.search(r'其中 <strong class="to-check-count">(\d+)</strong> 行请核对', page).group(1)) == len(marked)
    assert page.count('<strong class="to-check">请核对</strong>') == len(marked)
    # 赋权范围/镇街 is shown, and the page says the greying is county-wide
    assert "赋权范围/镇街" in page and "城关镇、东林街道" in page and "置灰按全县清单计算，不区分镇街" in page


def test_nothing_counts_until_confirmed_and_a_new_list_replaces_the_old(client, db):
    as_supervisor(client, db)
    location = upload(client).headers["location"]
    assert client.get("/api/items/delegated").json() == {"list": None, "ids": [], "confirmed": None}
    assert client.post(location + "/confirm").status_code == 303
    found = client.get("/api/items/delegated").json()
    assert found["list"] == sample.TITLE
    assert set(found["ids"]) == set(catalogue()) - sample.NOT_DELEGATED
    confirmed_at = db.exec(select(CountyList)).one().confirmed_at
    assert found["confirmed"] == local_time(confirmed_at, "%Y-%m-%d")       # the handbook says which list it follows
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", found["confirmed"])
    page = client.get("/supervisor/items/").text
    assert "本县现行清单" in page and sample.TITLE in page and "置灰按全县清单计算，不区分镇街" in page
    confirmed = client.get(location).text
    assert "城关镇、东林街道" in confirmed and "置灰按全县清单计算，不区分镇街" in confirmed    # the confirmed list too
    assert "保存更正" not in confirmed and 'name="match-' not in confirmed                # no correcting after confirming
    again = client.post(location + "/confirm")                     # twice: refused, nothing changes
    assert again.status_code == 200 and "已经确认过" in again.text
    second = upload(client, title="青禾县赋权事项清单（调整后）").headers["location"]
    client.post(second + "/confirm")
    statuses = [c.status for c in db.exec(select(CountyList).order_by(CountyList.id))]
    assert statuses == ["replaced", "active"]
    assert client.get("/api/items/delegated").json()["list"] == "青禾县赋权事项清单（调整后）"


def test_the_report_downloads_with_the_editors_to_do_list(client, db):
    as_supervisor(client, db)
    location = upload(client).headers["location"]
    r = client.get(location + "/report.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["手册未覆盖（编辑待办）", "已覆盖", "未导入的行", "手册有而本县未下放"]
    counts = {name: book[name].max_row - 1 for name in book.sheetnames}
    assert counts == {"手册未覆盖（编辑待办）": 40 - len(sample.REFUSED) - len(sample.EXPECTED),
                      "已覆盖": len(sample.EXPECTED), "未导入的行": len(sample.REFUSED),
                      "手册有而本县未下放": len(sample.NOT_DELEGATED)}
    todo = [row[2] for row in book["手册未覆盖（编辑待办）"].iter_rows(min_row=2, values_only=True)]
    assert "对违反规定饲养犬只的行政处罚" in todo                   # no volume covers dog keeping
    assert "对未取得医疗机构执业许可证擅自执业的行政处罚" not in todo     # volume 4 covers it (v4-sx-001)


def test_bad_files_are_refused_in_chinese_and_nothing_is_saved(client, db):
    as_supervisor(client, db)
    r = upload(client, b"not a workbook")
    assert r.status_code == 422 and "无法读取该文件" in r.text
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["姓名", "手机号"])
    wb.active.append(["张某", "13800000000"])
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(client, buf.getvalue())
    assert r.status_code == 422 and "事项名称" in r.text
    assert db.exec(select(CountyList)).all() == []


def test_instructors_read_lists_only_supervisors_import_and_confirm(client, db):
    as_supervisor(client, db)
    location = upload(client).headers["location"]
    client.post("/logout")
    builders.user(db, "teacher", Role.instructor, display_name="王老师")
    builders.login(client, "teacher")
    assert client.get("/supervisor/items/").status_code == 200
    page = client.get(location).text
    assert "手册未覆盖" in page and "确认，作为本县现行清单" not in page
    assert client.get(location + "/report.xlsx").status_code == 200
    assert upload(client).status_code == 403
    assert client.post(location + "/confirm").status_code == 403
    assert client.get("/supervisor/items/readiness").status_code == 403
    client.post("/logout")
    builders.user(db, "trainee")
    builders.login(client, "trainee")
    assert client.get(location).status_code == 403
    assert client.get("/api/items/delegated").status_code == 200       # the handbook asks for every reader


def test_a_visitor_asking_which_items_are_delegated_gets_no_list_and_no_error(client, db):
    as_supervisor(client, db)
    client.post(upload(client).headers["location"] + "/confirm")
    assert client.get("/api/items/delegated").json()["list"] == sample.TITLE
    client.post("/logout")
    r = client.get("/api/items/delegated")                    # the handbook's script asks on every catalogue page
    assert r.status_code == 200 and r.json() == {"list": None, "ids": [], "confirmed": None}


# --- correcting the matches on the preview --------------------------------------------------------

WALKED = [("1", "对随意倾倒、抛撒、堆放生活垃圾的行政处罚", "县城市管理和综合执法局", "行政处罚",
           "《城市市容和环境卫生管理条例》第三十四条", "城关镇"),
          ("2", "对未取得农药经营许可证经营农药的行政处罚", "县农业农村局", "行政处罚", "《农药管理条理》第五十五条",
           sample.ALL),
          ("3", "对未按照批准的位置、面积、期限占用城市道路的行政处罚", "县住房和城乡建设局", "行政处罚",
           "《城市道路管理条例》第三十一条", "东林街道"),
          ("4", "对擅自占用城市绿化用地的行政处罚", "县住房和城乡建设局", "行政处罚", "《城市绿化条例》第二十七条",
           "城关镇")]


def walked_list() -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(sample.HEADER)
    for row in WALKED:
        wb.active.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_walked_rows_are_matched_and_the_supervisor_corrects_them_before_confirming(client, db):
    as_supervisor(client, db)
    location = upload(client, walked_list(), title="青禾县清单（走查）").headers["location"]
    page = client.get(location).text
    # the rubbish row (another statute's article) matched by its name, the misspelt statute guessed: both 请核对
    saved = {r.row: r for r in county_list.rows_of(db.exec(select(CountyList)).one())}
    assert (saved[2].item_id, saved[2].method) == ("v5-sx-001", "名称") and saved[2].needs_check
    assert (saved[3].item_id, saved[3].guessed) == ("v3-sx-001", True) and saved[3].needs_check
    assert saved[4].item_id is None and saved[5].item_id == "v5-sx-006" and not saved[5].needs_check
    assert figure(page, "行手册已覆盖") == 3 and "其中 <strong class=\"to-check-count\">2</strong> 行请核对" in page
    # each imported row offers the catalogue, its likely volume first, and 手册无对应事项
    select_2 = re.search(r'<select name="match-2".*?</select>', page, re.S).group(0)
    assert '<option value="v5-sx-001" selected>' in select_2 and 'value="none"' in select_2
    assert re.search(r'<optgroup label="([^"]+)">', select_2).group(1).endswith("（可能）")
    assert select_2.count("<option") == len(catalogue()) + 1
    # corrected: the road row is the handbook's road-occupation item after all (第四十二条 punishes both), the
    # greening row has no counterpart, the rubbish row is kept as matched (no change)
    r = client.post(location + "/matches", data={"match-2": "v5-sx-001", "match-4": "v5-sx-004", "match-5": "none"})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert page.count("已更正 2 行的对应事项") == 1                      # said once
    db.expire_all()
    found = db.exec(select(CountyList)).one()
    rows = {r.row: r for r in county_list.rows_of(found)}
    assert (rows[4].item_id, rows[4].method, rows[4].auto_item_id) == ("v5-sx-004", county_list.MANUAL, None)
    assert (rows[5].item_id, rows[5].method, rows[5].auto_item_id) == (None, county_list.MANUAL, "v5-sx-006")
    assert rows[2].method == "名称" and not rows[4].needs_check
    assert "自动对应为“对擅自占用城市绿化用地的行政处罚”（可信度 " in page and "人工核对" in page
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "county_list.correct")).one()
    assert event.target == f"county_list:{found.id}" and event.detail["changed"] == 2
    assert event.detail["rows"] == [{"row": 4, "before": None, "after": "v5-sx-004"},
                                    {"row": 5, "before": "v5-sx-006", "after": None}]
    # refused: an item not in the catalogue, a row not imported; nothing changes
    bad = client.post(location + "/matches", data={"match-2": "v9-sx-999"})
    assert bad.status_code == 422 and "所选事项不在手册的赋权事项目录中" in bad.text
    assert client.post(location + "/matches", data={"match-99": "none"}).status_code == 422
    # choosing the matcher's item again undoes a correction: the row reads as matched, not 人工更正
    assert client.post(location + "/matches", data={"match-5": "v5-sx-006"}).status_code == 303
    db.expire_all()
    row5 = {r.row: r for r in county_list.rows_of(db.exec(select(CountyList)).one())}[5]
    assert (row5.item_id, row5.corrected) == ("v5-sx-006", False) and row5.method != county_list.MANUAL
    # confirming uses the corrected matches
    assert client.post(location + "/confirm").status_code == 303
    own = {i.id for i in catalogue().values() if i.own_power}          # held by law, with or without a list
    assert set(client.get("/api/items/delegated").json()["ids"]) == {"v5-sx-001", "v3-sx-001", "v5-sx-004",
                                                                     "v5-sx-006"} | own
    audit = [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert audit == ["county_list.correct", "county_list.correct", "county_list.confirm"]
    late = client.post(location + "/matches", data={"match-2": "none"})
    assert late.status_code == 422 and "不能再更正" in late.text


def test_only_a_supervisor_corrects_a_preview(client, db):
    as_supervisor(client, db)
    location = upload(client, walked_list()).headers["location"]
    client.post("/logout")
    builders.user(db, "teacher", Role.instructor, display_name="王老师")
    builders.login(client, "teacher")
    page = client.get(location).text
    assert 'name="match-' not in page and "对随意倾倒、抛撒、堆放或者焚烧生活垃圾的行政处罚" in page
    assert client.post(location + "/matches", data={"match-2": "none"}).status_code == 403
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "county_list.correct")).all() == []


# --- 赋权评估 by item -----------------------------------------------------------------------------

THIS_YEAR = datetime.now(timezone.utc).year


def at(month: int, year: int = THIS_YEAR) -> datetime:
    return datetime(year, month, 15, 8, tzinfo=timezone.utc)


def answers(db, user: User, question_id: str, right: int, wrong: int, when: datetime | None = None) -> None:
    for correct in [True] * right + [False] * wrong:
        db.add(PracticeAnswer(user_id=user.id, question_id=question_id, response=[], correct=correct,
                              answered_at=when or at(3)))
    db.commit()


def confirmed_sample(db) -> None:
    chief = builders.user(db, "chief", Role.supervisor, display_name="监督员")
    rows = county_list.check_and_match(county_list.read_list(sample.workbook()), list(catalogue().values()), Corpus())
    county_list.confirm(db, chief, county_list.save_pending(db, chief, sample.TITLE, "清单.xlsx", rows).id)


def test_the_readiness_of_each_item_is_read_as_computed_by_hand(client, db):
    confirmed_sample(db)
    a, b, c = (builders.user(db, f"1380000000{n}", display_name=name) for n, name in ((1, "张某"), (2, "李某"), (3, "王某")))
    teacher = builders.user(db, "teacher", Role.instructor)
    # 道路 (v5-sx-004): 24 answers, 12 right = 50 %: under 60 % -> 建议评估回收
    for trainee in (a, b, c):
        answers(db, trainee, "v1-gp-025", right=4, wrong=4)
    answers(db, teacher, "v1-gp-025", right=30, wrong=0)                        # staff: not counted
    answers(db, a, "v1-gp-025", right=0, wrong=10, when=at(6, THIS_YEAR - 1))    # last year: not counted
    # 农药 (v3-sx-001): 21 answers, 18 right = 86 %, survey confidence 3.5 -> 达标 (送达, a step none of the
    # item's questions is on, does not count)
    for trainee, right in ((a, 6), (b, 6), (c, 6)):
        answers(db, trainee, "v1-di-003", right=right, wrong=1)
    cohort = cohorts.create_cohort(db, creator=teacher, name="第一期")
    survey = surveys.create_survey(db, teacher, cohort, title="训前调查")
    for trainee, confidence in ((a, 4), (b, 3)):
        db.add(SurveyResponse(survey_id=survey.id, user_id=trainee.id, answers=[],
                              ratings={"volume:v3-agriculture": [confidence, 3], "step:送达": [1, 1]}))
    again = surveys.create_survey(db, teacher, cohort, title="训中调查")          # the same two answer a second survey
    for trainee, confidence in ((a, 4), (b, 3)):
        db.add(SurveyResponse(survey_id=again.id, user_id=trainee.id, answers=[],
                              ratings={"volume:v3-agriculture": [confidence, 3]}))
    db.commit()
    # 土地 (v2-sx-002): 25 answers by two officers only -> 数据不足
    answers(db, a, "v1-st-008", right=20, wrong=0)
    answers(db, b, "v1-tp-035", right=5, wrong=0)
    # 噪声 (v5-sx-008): 21 practice answers (15 right) and three exam questions each scored 1 of 2 points:
    # (15 + 3 × 0.5) / 24 = 68.75 % -> 需加强
    for trainee in (a, b, c):
        answers(db, trainee, "v1-di-009", right=5, wrong=2)
        exam = builders.exam(db, title=f"测验{trainee.id}", question_ids=["v1-di-009"])
        db.add(Attempt(exam_id=exam.id, user_id=trainee.id, number=1, status="graded", started_at=at(4),
                       deadline=at(4), submitted_at=at(4), score=1.0, max_score=2.0,
                       paper=[{"question_id": "v1-di-009", "points": 2}], item_scores={"v1-di-009": 1.0}))
    db.commit()

    rows, title = readiness.table(db, THIS_YEAR)
    by_id = {r.item.id: r for r in rows}
    assert title == sample.TITLE and "v2-sx-003" not in by_id                  # not delegated: not assessed
    road, pesticide, land, noise = (by_id[i] for i in ("v5-sx-004", "v3-sx-001", "v2-sx-002", "v5-sx-008"))
    assert (road.evidence.answers, road.evidence.score, road.evidence.officers) == (24, 12, 3)
    assert road.reading == rules.RECALL
    assert (pesticide.evidence.answers, pesticide.evidence.score, pesticide.evidence.confidence) == (21, 18, 3.5)
    assert (pesticide.evidence.ratings, pesticide.evidence.respondents) == (4, 2)     # four ratings by two people
    assert pesticide.reading == rules.READY
    assert (land.evidence.answers, land.evidence.officers, land.reading) == (25, 2, rules.UNKNOWN)
    assert (noise.evidence.answers, noise.evidence.score, noise.reading) == (24, 16.5, rules.IMPROVE)
    assert rows[0].reading == rules.RECALL                                      # weakest first

    builders.login(client, "chief")
    page = client.get("/supervisor/items/readiness").text
    assert rules.RULE in page and "50%" in page and "86%" in page and "/practice/start?item=v5-sx-004" in page
    pesticide_row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>对未取得农药经营许可证经营农药的行政处罚</a>.*?</tr>", page, re.S).group(0)
    assert "3.5" in pesticide_row and "（2 人填报）" in pesticide_row and "份" not in pesticide_row
    assert "括号内是填报了这些项目的学员人数" in page
    book = load_workbook(io.BytesIO(client.get("/supervisor/items/readiness.xlsx").content))
    sheet = {row[0]: row for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert sheet["v5-sx-004"][4:7] == (24, 3, 0.5) and sheet["v5-sx-004"][9] == rules.RECALL
    assert sheet["v3-sx-001"][7] == 3.5 and book.sheetnames[1] == "评估规则"
    assert book.worksheets[0]["I1"].value == "调查填报人数" and sheet["v3-sx-001"][8] == 2


# 临时建设 (v2-sx-004): five questions tagged, all in the practice pool, one of them a case analysis
ITEM, ITEM_NAME = "v2-sx-004", "对未经批准进行临时建设、未按照批准内容进行临时建设或者临时建筑物、构筑物超过批准期限不拆除的行政处罚"


def tagged_questions(db, item: str = ITEM) -> dict[str, Question]:
    return {q.id: q for q in db.exec(select(Question)) if item in (q.items or [])}


def test_a_practice_set_by_item_draws_only_its_questions(client, db):
    builders.user(db, "trainee")
    builders.login(client, "trainee")
    tagged = tagged_questions(db)
    assert len(tagged) == 5 and all(q.pool == "practice" for q in tagged.values())
    r = client.get(f"/practice/start?item={ITEM}", follow_redirects=True)
    assert r.status_code == 200 and f"赋权事项“{ITEM_NAME}”" in r.text
    assert "共 5 题" in r.text
    assert re.search(r'name="question_id" value="([^"]+)"', r.text).group(1) in tagged


def test_an_instructor_builds_an_exam_blueprint_by_item(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    tagged = tagged_questions(db)
    cases = {qid for qid, q in tagged.items() if q.type == "case"}
    assert len(cases) == 1
    # two of the item's four other questions from a row of any type, its case question from a row typed 案例分析
    form = {"title": "临时建设事项测验", "mode": "blueprint", "count-0": "2", "item-0": ITEM,
            "count-1": "1", "item-1": ITEM, "type-1": "case",
            "time_limit_minutes": "20", "pass_percent": "60", "attempts_allowed": "1", "review_mode": "immediate",
            "multiple_rule": "partial", "focus_loss_limit": "0"}
    page = client.get("/instructor/exams/new").text
    assert f'<option value="{ITEM}"' in page and ITEM_NAME in page
    assert client.post("/instructor/exams/new", data={**form, "count-0": "5"}).status_code == 422   # 4 untyped
    r = client.post("/instructor/exams/new", data={**form, "item-0": "v9-sx-999"})
    assert r.status_code == 422 and "赋权事项不在事项目录中" in r.text
    assert client.post("/instructor/exams/new", data=form).status_code == 303
    trainee = builders.user(db, "trainee")
    created = db.exec(select(Exam).where(Exam.title == "临时建设事项测验")).one()
    attempt = exams.start_attempt(db, trainee, created.id)
    paper = {item["question_id"] for item in attempt.paper}
    assert len(paper) == 3 and paper <= set(tagged) and cases <= paper


def test_the_bank_browser_filters_by_item_and_offers_its_practice_link(client, db):
    builders.user(db, "teacher", Role.instructor)
    builders.login(client, "teacher")
    page = client.get(f"/instructor/bank/?item={ITEM}").text
    assert "共 5 题" in page and f"/practice/start?item={ITEM}" in page
    assert set(tagged_questions(db)) == set(re.findall(r'<code class="qid"[^>]*>([^<]+)</code>', page))
    assert client.get("/instructor/bank/?item=v9-sx-999").status_code in (400, 422)
