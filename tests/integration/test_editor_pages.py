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
    # the most-quoted statute: a summary and one line per page and per article, not every excerpt
    assert r.status_code == 200 and len(r.content) < 100_000 and "impact-entry" not in page
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
