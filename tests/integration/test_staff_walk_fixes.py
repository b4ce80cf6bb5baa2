"""The instructor's and editor's pages after a usability walk in a browser at 360 and 1280 px
(the layouts themselves are checked in Chromium: tests/e2e/test_staff_walk_layout.py):

- 题库分布 is a row a step and a column a volume named short (第一卷, its whole title below);
- the lists of records an instructor decides on (the roster's check, 题目分析, 需求排序) are cards on a phone,
  every figure under its name;
- the one-time initial-password workbook: its button gives way to a note once used (a script on that page
  only), and a second request gets a page that says plainly why not and what to do;
- each blueprint field carries its name for the phone's cards;
- the amendment impact report refuses a version the statute library does not hold, naming the ones it has;
- a report's handling is confirmed after saving (已保存), and the form is reached from the top;
- the editor sees why each question was suspended, and which volume a report on a handbook page is about."""
import re

from sqlmodel import select

from quizapp import cohorts, exams, reports, surveys
from quizapp.domain.procedure import ALL_STEPS, VOLUME_BY_CODE
from quizapp.exports import XLSX
from quizapp.models import ContentReport, Question, Role
from quizapp.web.routes.instructor_exams import stem_excerpt
from tests import builders




roster = builders.roster_xlsx


def table(page: str, cls: str) -> str:
    """The HTML of the first table whose class list holds ``cls``."""
    start = re.search(rf'<table class="[^"]*\b{re.escape(cls)}\b[^"]*">', page)
    assert start, f"no table.{cls}"
    return page[start.start():page.index("</table>", start.start())]


def body_rows(html: str) -> list[str]:
    return re.findall(r"<tr[^>]*>(.*?)</tr>", html.split("<tbody>", 1)[1], re.S)


def cells(row: str) -> list[tuple[str, str]]:
    """(attributes, content) of each td of a row."""
    return re.findall(r"<td([^>]*)>(.*?)</td>", row, re.S)


def label_of(attrs: str) -> str | None:
    found = re.search(r'data-label="([^"]*)"', attrs)
    return found.group(1) if found else None


def classroom(db):
    teacher = builders.user(db, "teacher", Role.instructor, display_name="王老师")
    cohort = cohorts.create_cohort(db, creator=teacher, name="第一期轮训班")
    trainees = []
    for login, name in (("13800000001", "张某"), ("13800000002", "李某")):
        cohorts.enrol_one(db, teacher, cohort, username=login, display_name=name, unit="某镇")
        trainees.append(db.exec(builders.select_user(login)).one())
    return teacher, cohort, trainees


# --- 1. 题库分布 ----------------------------------------------------------------------------------

def test_the_bank_matrix_is_a_row_a_step_and_a_column_a_volume_named_short(client, db):
    classroom(db)
    builders.login(client, "teacher")
    page = client.get("/instructor/").text
    matrix = table(page, "bank-matrix")
    head = matrix.split("</thead>", 1)[0]
    volumes = sorted({q.volume for q in db.exec(select(Question).where(Question.active == True))})  # noqa: E712
    for code in volumes:                  # 第一卷 in the head, its whole title on hover and below the table
        v = VOLUME_BY_CODE[code]
        assert f'<abbr title="{v.title}">{v.ordinal}</abbr>' in head
        assert f"{v.ordinal}：{v.name}" in page
    assert not any(step in head for step in ALL_STEPS)          # no column per step: 16 columns did not fit
    row_heads = re.findall(r'<th scope="row">([^<]+)</th>', matrix.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
    assert row_heads == list(ALL_STEPS)
    hearing = next(r for r in body_rows(matrix) if '<th scope="row">听证</th>' in r)
    count = db.exec(select(Question).where(Question.active == True, Question.step == "听证",  # noqa: E712
                                           Question.volume == volumes[0])).all()
    assert re.findall(r'<td class="num">(\d*)</td>', hearing)[0] == str(len(count))


# --- 2. the records an instructor decides on: cards on a phone ---------------------------------------

def test_the_roster_check_is_a_card_a_row_with_its_result_under_its_name(client, db):
    teacher, cohort, _ = classroom(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/roster", files={"file": (
        "名单.xlsx", roster([("赵某", "某镇", "13800000021"), ("钱某", "某镇", "1380000002")]), XLSX)})
    page = client.get(r.headers["location"]).text
    rows = body_rows(table(page, "roster-rows"))
    assert 'class="cards roster-rows"' in page and len(rows) == 2
    for row in rows:
        labelled = {label_of(a): c for a, c in cells(row) if label_of(a)}
        assert set(labelled) == {"行", "单位/镇街", "手机号", "工号", "检查结果"}
        assert '<td class="title">' in row                      # the name heads the card
    assert "正确，将新建账号" in {label_of(a): c for a, c in cells(rows[0])}["检查结果"]
    assert "11 位手机号码" in {label_of(a): c for a, c in cells(rows[1])}["检查结果"]


def take(db, trainee, exam_id, right):
    attempt = exams.start_attempt(db, trainee, exam_id)
    for item in attempt.paper:
        q = db.get(Question, item["question_id"])
        exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, right(q)))
    exams.submit(db, trainee, attempt.id)


def test_item_analysis_and_the_needs_ranking_are_cards_with_every_figure_named(client, db):
    teacher, cohort, (zhang, li) = classroom(db)
    exam = builders.exam(db, cohort_id=cohort.id, created_by=teacher.id)
    take(db, zhang, exam.id, lambda q: True)
    take(db, li, exam.id, lambda q: False)
    survey = surveys.create_survey(db, teacher, cohort, title="训前调查")
    surveys.answer(db, zhang, survey, ratings={t: (2, 4) for t in survey.topics}, answers=[])
    builders.login(client, "teacher")

    items = table(client.get(f"/instructor/exams/{exam.id}/results").text, "exam-items")
    assert "cards" in items.split(">", 1)[0]
    for row in body_rows(items):
        labels = [label_of(a) for a, _ in cells(row)]
        assert labels == [None, "环节", "人数", "难易度", "标准差", "区分度", "区分效率", None]
        assert 'class="item-question title"' in row

    needs = table(client.get(f"/instructor/surveys/{survey.id}").text, "needs")
    assert "cards" in needs.split(">", 1)[0]
    first = body_rows(needs)[0]
    labelled = {label_of(a): c for a, c in cells(first) if label_of(a)}
    assert set(labelled) == {"人数", "掌握", "频率", "优先度", "训前测验"}
    assert labelled["掌握"] == "2.0" and labelled["频率"] == "4.0" and "16.0" in labelled["优先度"]   # 4 × (6 − 2)


# --- 3. the initial-password workbook, once --------------------------------------------------------

def test_the_workbooks_button_gives_way_to_a_note_and_a_second_request_says_why_not(client, db):
    teacher, cohort, _ = classroom(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/roster",
                    files={"file": ("名单.xlsx", roster([("赵某", "某镇", "13800000021")]), XLSX)})
    upload_url = r.headers["location"]
    script = '<script src="/static/initial_passwords.js" defer></script>'
    assert script not in client.get(upload_url).text                  # only where the workbook is offered
    page = client.get(client.post(upload_url + "/confirm").headers["location"]).text
    assert page.count(script) == 1
    form = re.search(r'<form [^>]*action="[^"]*/initial-passwords"[^>]*>', page).group(0)
    assert 'class="initial-passwords"' in form and 'data-note="passwords-taken"' in form
    note = re.search(r'<p [^>]*id="passwords-taken"[^>]*>(.*?)</p>', page, re.S)
    assert note and " hidden" in note.group(0).split(">", 1)[0]          # shown by the script, once the form is sent
    assert "初始密码表已下载；如需再次获取，请为学员重置密码" in note.group(1)
    js = client.get("/static/initial_passwords.js")
    assert js.status_code == 200 and "form.initial-passwords" in js.text and "data-note" in js.text
    assert script not in client.get(f"/instructor/cohorts/{cohort.id}").text

    token = re.search(r'name="handover" value="([^"]*)"', page).group(1)
    assert client.post(upload_url + "/initial-passwords", data={"handover": token}).status_code == 200
    again = client.post(upload_url + "/initial-passwords", data={"handover": token})
    assert again.status_code == 410
    assert "<h1>初始密码表已经下载过</h1>" in again.text and "无法完成操作" not in again.text
    downloaded = cohorts.passwords_downloaded(db, cohorts.upload_for(db, teacher, int(upload_url.rsplit("/", 1)[1])))
    assert downloaded is not None and "已于 " in again.text
    assert f'href="/instructor/cohorts/{cohort.id}"' in again.text and "重置密码" in again.text
    assert "13800000021" not in again.text                              # no row of the roster on it


def test_an_expired_workbook_says_so_and_what_to_do(client, db):
    teacher, cohort, _ = classroom(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/roster",
                    files={"file": ("名单.xlsx", roster([("赵某", "某镇", "13800000021")]), XLSX)})
    upload_url = r.headers["location"]
    client.post(upload_url + "/confirm")
    gone = client.post(upload_url + "/initial-passwords", data={"handover": "a-token-past-its-ten-minutes"})
    assert gone.status_code == 410 and "<h1>初始密码表已过期</h1>" in gone.text
    assert "导入后 10 分钟内" in gone.text and "重置密码" in gone.text and "已经下载过" not in gone.text


# --- 4. the results workbook names questions by their stems ------------------------------------------

def test_a_stem_excerpt_is_one_line_of_at_most_60_characters():
    assert stem_excerpt("某镇执法队\n立案后") == "某镇执法队 立案后"
    long = "甲" * 59 + "乙" * 10
    assert stem_excerpt(long) == "甲" * 59 + "…" and len(stem_excerpt(long)) == 60
    assert stem_excerpt("丙" * 60) == "丙" * 60


# --- 5. the blueprint's fields carry their names --------------------------------------------------

def test_every_blueprint_field_is_named_for_the_phones_cards(client, db):
    classroom(db)
    builders.login(client, "teacher")
    blueprint = table(client.get("/instructor/exams/new").text, "blueprint")
    for row in body_rows(blueprint):
        assert [label_of(a) for a, _ in cells(row)] == ["题量", "分卷", "环节", "难度", "题型", "题目来源",
                                                        "赋权事项", "每题分值"]


# --- 8. the amendment impact report and the statute library's versions ----------------------------

def editor(client, db):
    builders.user(db, "editor-a", Role.editor, display_name="编辑甲")
    builders.login(client, "editor-a")


def test_a_version_the_statute_library_does_not_hold_is_refused_naming_those_it_has(client, db):
    editor(client, db)
    for query, which in (("version=&new=2030-01-01", "2030-01-01 版本（新版本）"),
                         ("version=2030-01-01&new=2024-11-08", "2030-01-01 版本（被替换的版本）"),
                         ("version=2030-01-01&new=", "2030-01-01 版本（被替换的版本）")):
        r = client.get(f"/editor/impact?statute=矿产资源法&{query}")
        assert r.status_code == 422, query
        assert f"法规库中没有《矿产资源法》的 {which}" in r.text and "法规库中的版本：2024-11-08、2009-08-27" in r.text
        assert "旧版本引文待处理" not in r.text and "impact-summary" not in r.text        # no false all-clear
        txt = client.get(f"/editor/impact.txt?statute=矿产资源法&{query}")          # the full report: the same refusal
        assert txt.status_code == 400 and "法规库中的版本：2024-11-08、2009-08-27" in txt.text
    # the form offers the versions the library holds
    page = client.get("/editor/impact?statute=矿产资源法&new=2030-01-01").text
    assert 'list="statute-versions"' in page
    datalist = page.split('<datalist id="statute-versions">', 1)[1].split("</datalist>", 1)[0]
    assert re.findall(r'<option value="([^"]+)" label="矿产资源法">', datalist) == ["2024-11-08", "2009-08-27"]
    assert "矿产资源法（2024-11-08、2009-08-27）" in page
    # a new version alone is compared with the one before it, as the command does
    alone = client.get("/editor/impact?statute=矿产资源法&new=2024-11-08")
    assert alone.status_code == 200 and "《矿产资源法》（2009-08-27） → 2024-11-08" in alone.text
    same = client.get("/editor/impact?statute=矿产资源法&version=2024-11-08&new=2024-11-08")
    assert same.status_code == 422 and "两个不同版本" in same.text


# --- 9. a report's handling: reached from the top, confirmed after saving ----------------------------

def test_saving_a_reports_handling_redirects_to_a_confirmation(client, db):
    trainee = builders.user(db, "trainee1", display_name="学员一")
    q = db.exec(select(Question).where(Question.type == "single").order_by(Question.id)).first()
    report = reports.submit(db, trainee, category="answer", text="答案有误", question_id=q.id)
    editor(client, db)
    url = f"/editor/reports/{report.id}"
    page = client.get(url).text
    assert "已保存" not in page
    jump, form, question = page.index('href="#handle"'), page.index('id="handle"'), page.index("所涉题目")
    assert jump < question < form and ">处理此报告</a>" in page      # a jump at the top to the form at the end
    r = client.post(url, data={"version": str(report.version), "status": "accepted", "answer": "已更正答案，谢谢。",
                               "assignee_id": ""})
    assert r.status_code == 303 and r.headers["location"] == f"{url}?saved=1"
    saved = client.get(r.headers["location"]).text
    assert "已保存" in saved and "当前状态：已采纳" in saved.split("<section", 1)[0]
    stale = client.post(url, data={"version": str(report.version), "status": "rejected", "answer": "不采纳"})
    assert stale.status_code == 409 and "已保存" not in stale.text       # refused: nothing saved, nothing confirmed


# --- 10. why a question is suspended; a handbook report's volume -------------------------------------

def test_the_suspended_list_gives_each_reason_and_a_page_report_its_volume(client, db):
    editor(client, db)
    first, second = db.exec(select(Question).where(Question.volume == "v1-common").order_by(Question.id).limit(2)).all()
    editor_user = db.exec(builders.select_user("editor-a")).one()
    reports.set_suspended(db, editor_user, first.id, True, "答案待核实：法条已修订")
    reports.set_suspended(db, editor_user, second.id, True, "选项表述有歧义")
    reports.set_suspended(db, editor_user, second.id, False)
    reports.set_suspended(db, editor_user, second.id, True, "再次暂停：解析待补充")
    trainee = builders.user(db, "trainee1", display_name="学员一")
    db.add(ContentReport(user_id=trainee.id, page="volumes/v1-common/guide/step-06-hearing.md", volume="v1-common",
                         category="other", text="建议补充听证笔录的示例。"))
    db.commit()
    page = client.get("/editor/?status=").text
    listed = page.split("<h2>已暂停使用的题目</h2>", 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert len(items) == 2
    assert "暂停原因：答案待核实：法条已修订" in items[0] and "编辑甲" in items[0]
    assert "暂停原因：再次暂停：解析待补充" in items[1] and "选项表述有歧义" not in items[1]   # the latest suspension's
    queue = table(page, "report-queue")
    assert re.search(r'<td class="title object"><a [^>]*>第一卷 · 听证</a></td>', queue)
    assert {'class="status"', 'class="assignee"'} <= set(re.findall(r'class="(?:status|assignee)"', queue))
    report = db.exec(select(ContentReport).where(ContentReport.question_id == None)).one()  # noqa: E711
    detail = client.get(f"/editor/reports/{report.id}").text
    assert re.search(r"位置：<a [^>]*>第一卷 · 听证</a>", detail)
