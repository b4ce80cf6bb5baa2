"""The editor's pages (issue 18): the amendment impact as a page with a
summary, grouped by page and by article, linked to the handbook, with the
full report to download; the bank's exports leave suspended questions out
unless asked."""
import html
import io
import re
import xml.etree.ElementTree as ET

from quizapp import reports
from quizapp.models import Role
from tests import builders


def editor(client, db):
    builders.user(db, "editor-a", Role.editor, display_name="编辑甲")
    builders.login(client, "editor-a")


def test_the_impact_page_summarises_and_groups_what_an_amendment_touches(client, db):
    editor(client, db)
    r = client.get("/editor/impact?statute=行政处罚法")
    page = r.text
    # the most-quoted statute: a summary and one line per page and per article, not every excerpt (the lines
    # grow with the handbook: about 110 KB with six volumes written)
    assert r.status_code == 200 and len(r.content) < 200_000 and "impact-entry" not in page
    assert "《行政处罚法》（全部版本）" in page
    for what in ("个页面", "处引文", "道题目"):
        assert what in page
    assert "按手册页面和题库" in page and "按条文" in page and "题库（题目依据）" in page
    assert '<a href="/volumes/v1-common/' in page                      # pages link to the handbook
    assert "第二十四条" in page and "（0 处" not in page
    assert 'href="/editor/impact.txt?statute=' in page
    # each group lists its places one by one
    pages = re.findall(r'href="(/editor/impact\?[^"]*group=p\d+)"', page)
    articles = re.findall(r'href="(/editor/impact\?[^"]*group=a\d+)"', page)
    assert len(pages) > 10 and len(articles) > 10
    first = client.get(html.unescape(pages[0])).text
    assert first.count("impact-entry") >= 1 and "返回分析结果" in first
    bank = client.get("/editor/impact?statute=行政处罚法&group=q").text
    assert '<a href="/instructor/bank/v1-' in bank                     # questions link to the bank browser
    assert "题目 v1-" not in bank and "题目依据" in bank
    article = client.get(html.unescape(articles[0])).text
    assert "引用这一条的页面和题目" in article
    assert "题目：" in client.get(html.unescape(next(                  # questions named by their stems
        a for a, title in zip(articles, re.findall(r'group=a\d+">([^<]+)</a>', page)) if title == "第三十三条"))).text
    for shown in (page, first, bank, article):
        assert "python -m" not in shown and "handbook/volumes" not in shown   # no command line, no file paths
        assert ".md" not in shown and "anchor:" not in shown
    assert client.get("/editor/impact?statute=行政处罚法&group=p9999").status_code == 422


def test_the_full_report_downloads_as_text(client, db):
    editor(client, db)
    page = client.get("/editor/impact?statute=矿产资源法&version=2009-08-27&new=2024-11-08").text
    assert "《矿产资源法》（2009-08-27） → 2024-11-08" in page and "处旧版本引文待处理" in page
    assert "条文变化（2009-08-27 → 2024-11-08，按条号对比）：修改 " in page
    r = client.get("/editor/impact.txt?statute=矿产资源法&version=2009-08-27&new=2024-11-08")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "attachment" in r.headers["content-disposition"]
    assert "法律修订影响分析：《矿产资源法》（2009-08-27）" in r.text and "条文变化（2009-08-27 → 2024-11-08" in r.text


def test_an_unknown_statute_is_refused_in_chinese(client, db):
    editor(client, db)
    r = client.get("/editor/impact.txt?statute=不存在的法")
    assert r.status_code == 400 and "不存在的法" in r.text
    assert client.get("/editor/impact?statute=不存在的法").status_code == 422
    assert client.get("/editor/impact.txt").status_code == 303


def test_the_exports_leave_suspended_questions_out_unless_asked(client, db):
    editor(client, db)
    question = "v1-gp-001"
    reports.set_suspended(db, db.exec(builders.select_user("editor-a")).one(), question, True, "答案待核实")
    queue = client.get("/editor/").text
    assert 'name="include_suspended"' in queue and "包括已暂停使用的题目" in queue
    gift = client.get("/editor/export/gift.txt").text
    assert f"::{question}::" not in gift and gift.count("::v1-") > 100
    assert f"::{question}::" in client.get("/editor/export/gift.txt?include_suspended=1").text
    quiz = ET.parse(io.BytesIO(client.get("/editor/export/moodle.xml").content)).getroot()
    assert not [q for q in quiz.iter("idnumber") if q.text == question]
    quiz = ET.parse(io.BytesIO(client.get("/editor/export/moodle.xml?include_suspended=1").content)).getroot()
    assert [q for q in quiz.iter("idnumber") if q.text == question]


def single_question(db, step: str = "调查取证"):
    from sqlmodel import select
    from quizapp.models import Question
    return db.exec(select(Question).where(Question.type == "single", Question.step == step,
                                          Question.pool == "practice").order_by(Question.id)).first()


def hidden_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.pop("csrf_token", None)
    return fields


def report_from(client, question_id: str, came_from: str, text: str = "C项才对") -> None:
    """Open the report form from ``came_from`` (the browser sends it as the Referer) and send it."""
    form = client.get("/reports/new", params={"question": question_id},
                      headers={"referer": f"http://testserver{came_from}"}).text
    r = client.post("/reports/new", data={**hidden_fields(form), "category": "answer", "text": text})
    assert r.status_code == 303, r.text


def test_the_editor_sees_the_letters_the_reporter_saw_mapped_to_the_banks_options(client, db):
    from sqlmodel import select
    from quizapp.models import ContentReport
    builders.user(db, "trainee1", display_name="学员一")
    q = single_question(db)
    builders.login(client, "trainee1")
    page = client.get("/practice/next", params={"ids": q.id}, follow_redirects=True).text
    fields = hidden_fields(page)
    r = client.post("/practice/answer", data={**fields, "choice": q.answer})
    report_from(client, q.id, r.headers["location"])
    report = db.exec(select(ContentReport)).one()
    assert report.shown_order == {"order": fields["order"]} and sorted(fields["order"]) == sorted(q.options)
    client.post("/logout")
    editor(client, db)
    detail = client.get(f"/editor/reports/{report.id}").text
    pairs = re.findall(r"学员所见 ([A-F]) = 原选项 ([A-F])", detail)
    assert pairs == [("ABCDEF"[n], key) for n, key in enumerate(fields["order"])]


def test_a_report_from_an_exam_result_keeps_the_attempts_option_order(client, db):
    from sqlmodel import select
    from quizapp.models import Attempt, ContentReport
    builders.user(db, "trainee1", display_name="学员一")
    questions = [single_question(db), single_question(db, "听证")]
    exam = builders.exam(db, question_ids=[x.id for x in questions], shuffle_options=True)
    builders.login(client, "trainee1")
    aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    client.post(f"/attempts/{aid}/submit")
    item = db.get(Attempt, aid).paper[1]
    report_from(client, item["question_id"], f"/attempts/{aid}/result")
    assert db.exec(select(ContentReport)).one().shown_order == {"order": "".join(item["option_order"])}
    # another trainee's attempt tells nothing: the order stays unknown
    builders.user(db, "trainee2", display_name="学员二")
    client.post("/logout")
    builders.login(client, "trainee2")
    report_from(client, item["question_id"], f"/attempts/{aid}/result")
    assert db.exec(select(ContentReport).order_by(ContentReport.id.desc())).first().shown_order == {}
    client.post("/logout")
    editor(client, db)
    unknown = client.get(f"/editor/reports/{db.exec(select(ContentReport.id).order_by(ContentReport.id.desc())).first()}").text
    assert "未记录反馈人看到的选项顺序" in unknown and "学员所见" not in unknown


def test_the_report_header_has_no_empty_brackets_and_names_a_section_once(client, db):
    from quizapp import reports as report_service
    builders.user(db, "trainee1", display_name="学员一")                         # no unit
    q = single_question(db, "听证")
    trainee = db.exec(builders.select_user("trainee1")).one()
    report = report_service.submit(db, trainee, category="unclear", text="表述不清", question_id=q.id)
    editor(client, db)
    detail = client.get(f"/editor/reports/{report.id}").text
    assert "学员一（）" not in detail and "（）" not in detail and " · 学员一 · " in detail
    assert "到手册中学习本题知识点" in detail and "本题有误？纠错/建议" not in detail      # an editor files none
    place = re.search(r"位置：<a [^>]*>([^<]+)</a>", detail).group(1)
    assert report.section == "听证" and place == "第一卷 · 听证"                # not 听证 › 听证; its volume first
    assert "听证 › 听证" not in client.get("/editor/?status=").text


def test_suspending_a_question_takes_a_reason_and_a_confirmation(client, db):
    from sqlmodel import select
    from quizapp.models import AuditEvent, Question
    editor(client, db)
    q = single_question(db)
    url = f"/editor/questions/{q.id}/suspend"

    def suspended() -> bool:
        db.expire_all()
        return db.get(Question, q.id).suspended

    # one click without script: a page of its own asks, with the reason to fill in; nothing changed yet
    asked = client.post(url, data={"suspended": "yes", "back": "/editor/"})
    assert asked.status_code == 200 and "请确认" in asked.text and "暂停原因（必填）" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text and not suspended()
    # confirmed but with no reason: refused in Chinese, still asking
    empty = client.post(url, data={"suspended": "yes", "reason": "  ", "confirmed": "yes"})
    assert empty.status_code == 422 and "请填写暂停使用的原因" in empty.text and not suspended()
    # a reason but no confirmation (no script): asked, the reason kept in the form
    kept = client.post(url, data={"suspended": "yes", "reason": "答案待核实"})
    assert kept.status_code == 200 and 'value="答案待核实"' in kept.text and not suspended()
    done = client.post(url, data={"suspended": "yes", "reason": "答案待核实", "confirmed": "yes",
                                  "back": "/editor/reports/7"})
    assert done.status_code == 303 and suspended()
    assert done.headers["location"] == "/editor/reports/7?notice=question-suspended"       # it says so there
    assert "已暂停使用本题" in client.get("/editor/?notice=question-suspended").text
    assert "已暂停使用本题" not in client.get("/editor/?notice=<b>x</b>").text              # fixed texts only
    entry = db.exec(select(AuditEvent).where(AuditEvent.action == "question.suspend")).one()
    assert entry.detail["reason"] == "答案待核实"
    # the report page's form asks with the browser's confirm() (static/confirm.js) and requires the reason
    restored = client.post(url, data={"suspended": "no"})
    assert restored.status_code == 303 and not suspended()                     # 恢复使用: one click


def test_the_report_pages_suspend_form_requires_a_reason_and_confirms(client, db):
    from quizapp import reports as report_service
    builders.user(db, "trainee1", display_name="学员一")
    q = single_question(db)
    report = report_service.submit(db, db.exec(builders.select_user("trainee1")).one(), category="answer",
                                   text="答案有误", question_id=q.id)
    editor(client, db)
    page = client.get(f"/editor/reports/{report.id}").text
    form = page.split(f'action="/editor/questions/{q.id}/suspend"', 1)[1].split("</form>", 1)[0]
    assert "data-confirm=" in form.split(">", 1)[0] and re.search(r'<input name="reason" required', form)


def test_the_queue_is_a_list_of_cards_on_a_phone_and_the_export_option_comes_before_the_buttons(client, db):
    from quizapp import reports as report_service
    builders.user(db, "trainee1", display_name="学员一")
    report_service.submit(db, db.exec(builders.select_user("trainee1")).one(), category="answer",
                          text="答案有误", question_id=single_question(db).id)
    editor(client, db)
    page = client.get("/editor/").text
    table = page.split('<table class="cards report-queue">', 1)[1].split("</table>", 1)[0]
    row = table.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert set(re.findall(r'data-label="([^"]+)"', row)) == {"提交", "类别", "内容", "状态", "经办"}
    exports = page.split('class="exports"', 1)[1].split("</form>", 1)[0]
    assert exports.index('name="include_suspended"') < exports.index("<button")
