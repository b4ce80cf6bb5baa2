"""纠错与建议: a reader's report reaches the editors' queue, is answered and the
reader sees the answer; questions with several reports are marked in practice;
an editor suspends a question at once; only editors reach the editor pages."""
import io
import json
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import func, select

from quizapp import exams, reports
from quizapp.content import generate
from quizapp.models import AuditEvent, ContentReport, Question, Role
from tests import builders
from tests.conftest import make_client

PAGE = "volumes/v1-common/guide/step-02-investigation.md"


@pytest.fixture
def site_dir(site, tmp_path):
    """The page list the handbook build writes (hooks/handbook.py), without building the handbook."""
    out = tmp_path / "site"
    out.mkdir()
    listed = generate.report_pages(site, [p for p in site.pages if generate.takes_reports(site, p)])
    (out / generate.REPORT_PAGES).write_text(json.dumps(listed, ensure_ascii=False), encoding="utf-8")
    return out


@pytest.fixture
def client(sqlite_url, engine, site_dir):
    with make_client(sqlite_url, site_dir=site_dir) as c:
        yield c


def people(db):
    builders.user(db, "zhangsan", display_name="张某")
    builders.user(db, "lisi", display_name="李某")
    builders.user(db, "editor-a", Role.editor, display_name="编辑甲")
    builders.user(db, "editor-b", Role.editor, display_name="编辑乙")


def count(db) -> int:
    return db.exec(select(func.count()).select_from(ContentReport)).one()


def test_a_report_on_a_section_goes_through_the_queue_and_the_reader_sees_the_answer(client, db):
    people(db)
    builders.login(client, "zhangsan")
    form = client.get(f"/reports/new?page_path={PAGE}&section=调查取证").text
    assert 'value="调查取证" selected' in form and "法条引用有误" in form
    r = client.post("/reports/new", data={"page_path": PAGE, "section": "调查取证", "category": "statute",
                                          "text": "第二段所引条文的版本应为2021年修订版。"})
    assert r.status_code == 303
    assert "第二段所引条文" in client.get("/reports/").text and "新提交" in client.get("/reports/").text
    client.post("/logout")

    builders.login(client, "editor-a")
    queue = client.get("/editor/?volume=v1-common&category=statute&status=open").text
    assert "第二段所引条文" in queue and "张某" in queue
    assert "第二段所引条文" not in client.get("/editor/?volume=v2-natural-resources").text
    assert "第二段所引条文" not in client.get("/editor/?category=answer").text
    report = db.exec(select(ContentReport)).one()
    editor_b = db.exec(builders.select_user("editor-b")).one()
    r = client.post(f"/editor/reports/{report.id}", data={"version": "1", "status": "in_progress",
                                                          "assignee_id": str(editor_b.id), "answer": ""})
    assert r.status_code == 303
    r = client.post(f"/editor/reports/{report.id}", data={"version": "2", "status": "accepted",
                                                          "assignee_id": str(editor_b.id),
                                                          "answer": "已核对，下一版改为2021年修订版。"})
    assert r.status_code == 303
    client.post("/logout")

    builders.login(client, "zhangsan")
    mine = client.get("/reports/").text
    assert "已采纳" in mine and "已核对，下一版改为2021年修订版。" in mine


def test_a_report_closed_by_another_editor_is_not_overwritten(client, db, site_dir):
    people(db)
    reader = db.exec(builders.select_user("zhangsan")).one()
    report = reports.submit(db, reader, category="unclear", text="本节第三段表述不清。", page=PAGE,
                            pages=reports.handbook_pages(site_dir))
    builders.login(client, "editor-a")
    client.post(f"/editor/reports/{report.id}", data={"version": "1", "status": "rejected", "answer": "原文无误。"})
    client.post("/logout")
    builders.login(client, "editor-b")                      # still looking at version 1
    r = client.post(f"/editor/reports/{report.id}", data={"version": "1", "status": "accepted", "answer": "同意修改。"})
    assert r.status_code == 409 and "已由编辑甲处理为“未采纳”" in r.text
    db.refresh(report)
    assert (report.status, report.answer) == ("rejected", "原文无误。")
    r = client.post(f"/editor/reports/{report.id}", data={"version": "2", "status": "accepted", "answer": "改判。"})
    assert r.status_code == 409 and "您的修改未保存" in r.text     # closed is closed, even seen up to date
    db.refresh(report)
    assert (report.status, report.answer, report.version) == ("rejected", "原文无误。", 2)


def test_bad_reports_get_a_clear_message_and_nothing_is_stored(client, db):
    people(db)
    builders.login(client, "zhangsan")
    cases = [({"page_path": PAGE, "category": "unclear", "text": "   "}, "请写明问题"),
             ({"page_path": PAGE, "category": "unclear", "text": "长" * 2001}, "内容过长"),
             ({"page_path": "volumes/v1-common/guide/no-such-page.md", "category": "unclear", "text": "有误"}, "不存在"),
             ({"page_path": "../../etc/passwd.md", "category": "unclear", "text": "有误"}, "不存在"),
             ({"page_path": PAGE, "section": "没有这一节", "category": "unclear", "text": "有误"}, "没有“没有这一节”这一节"),
             ({"question": "v1-no-such", "category": "answer", "text": "答案错"}, "题目 v1-no-such 不存在"),
             ({"page_path": PAGE, "category": "nonsense", "text": "有误"}, "请选择问题类别")]
    for data, message in cases:
        r = client.post("/reports/new", data=data)
        assert r.status_code == 422 and message in r.text, (data, r.status_code)
    assert count(db) == 0


def test_a_question_reported_twice_is_marked_in_practice_until_an_editor_closes_the_reports(client, db):
    people(db)
    qid = db.exec(select(Question.id).where(Question.type == "single").order_by(Question.id)).first()
    builders.login(client, "zhangsan")
    page = client.get(f"/practice/next?ids={qid}", follow_redirects=True).text
    assert "已有" not in page
    right = builders.form_response(db.get(Question, qid))
    feedback = client.post("/practice/answer", data={"question_id": qid, "ids": qid, **right}, follow_redirects=True).text
    assert f'/reports/new?question={qid}' in feedback
    for login in ("zhangsan", "lisi"):
        client.post("/logout")
        builders.login(client, login)
        assert client.post("/reports/new", data={"question": qid, "category": "answer",
                                                 "text": "选项B也应正确。"}).status_code == 303
    assert "已有 2 位学员反馈本题可能有误" in client.get(f"/practice/next?ids={qid}", follow_redirects=True).text
    for report in db.exec(select(ContentReport)):
        reports.handle(db, db.exec(builders.select_user("editor-a")).one(), report.id, seen_version=1,
                       status="rejected", answer="经核对答案无误。", assignee_id=None)
    assert "已有" not in client.get(f"/practice/next?ids={qid}", follow_redirects=True).text


def test_a_suspended_question_leaves_new_papers_and_practice_but_past_grades_stay(client, db):
    people(db)
    ids = list(db.exec(select(Question.id).where(Question.type == "judge").order_by(Question.id).limit(3)))
    exam = builders.exam(db, question_ids=ids, attempts_allowed=2)
    trainee = db.exec(builders.select_user("zhangsan")).one()
    first = exams.start_attempt(db, trainee, exam.id)
    for item in first.paper:
        exams.save_answer(db, trainee, first.id, question_id=item["question_id"],
                          response=builders.response(db.get(Question, item["question_id"])))
    first = exams.submit(db, trainee, first.id)
    score = first.score
    builders.login(client, "editor-a")
    r = client.post(f"/editor/questions/{ids[0]}/suspend", data={"suspended": "yes", "reason": "答案待核实",
                                                                  "confirmed": "yes"})
    assert r.status_code == 303
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "question.suspend")).one().detail["reason"] == "答案待核实"
    second = exams.start_attempt(db, trainee, exam.id)
    assert [i["question_id"] for i in second.paper] == ids[1:]
    db.refresh(first)
    assert first.score == score and ids[0] in first.item_scores
    client.post("/logout")
    builders.login(client, "zhangsan")
    assert client.get(f"/practice/next?ids={ids[0]}").text.count('name="question_id"') == 0
    assert ids[0] not in {c.id for c in exams.candidates(db)}


def test_only_editors_reach_the_editor_pages(client, db):
    people(db)
    builders.user(db, "teacher", Role.instructor)
    builders.user(db, "jiandu", Role.supervisor)
    for path in ("/editor/", "/editor/impact", "/editor/export/gift.txt"):
        assert client.get(path).status_code == 303                       # a visitor: to the login page
    for login in ("zhangsan", "teacher", "jiandu"):
        builders.login(client, login)
        for path in ("/editor/", "/editor/impact", "/editor/export/moodle.xml"):
            assert client.get(path).status_code == 403, (login, path)
        assert client.post("/editor/questions/v1-gp-001/suspend", data={"suspended": "yes"}).status_code == 403
        client.post("/logout")
    assert not db.exec(select(Question).where(Question.suspended == True)).all()  # noqa: E712


def test_the_editor_sees_what_an_amendment_touches_and_exports_the_bank(client, db):
    people(db)
    builders.login(client, "editor-a")
    page = client.get("/editor/impact?statute=矿产资源法&version=2009-08-27&new=2024-11-08").text
    assert "《矿产资源法》（2009-08-27） → 2024-11-08" in page        # the page: tests/integration/test_editor_pages.py
    assert 'href="/volumes/v2-natural-resources/' in page and "下载完整报告" in page
    quiz = ET.parse(io.BytesIO(client.get("/editor/export/moodle.xml").content)).getroot()
    assert quiz.tag == "quiz" and len(quiz.findall("question[@type='multichoice']")) > 50
    gift = client.get("/editor/export/gift.txt").text
    assert gift.count("::v1-") > 100
