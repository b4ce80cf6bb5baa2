"""The trainee's pages: practice in bounded sets with progress and a summary,
each explanation at its own GET URL (POST-redirect-GET), 练习错题 by volume and
step from the mistake book, and 我的反馈 by titles with the editors' answers."""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from quizapp import exams, reports
from quizapp.domain.practice import SET_SIZE
from quizapp.models import ContentReport, MistakeEntry, PracticeAnswer, Question, Role, utcnow
from tests import builders


def qid_on(page) -> str:
    return re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)


def set_token_on(page) -> str:
    return re.search(r'name="set" value="([^"]+)"', page.text).group(1)


def answer_on(client, db, page, right: bool):
    """Post the answer form shown on ``page`` as a browser does (with its hidden fields)."""
    q = db.get(Question, qid_on(page))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    hidden.pop("csrf_token", None)
    return q, client.post("/practice/answer", data={**hidden, **builders.form_response(q, right)})


def three_questions(db) -> list[str]:
    return list(db.exec(select(Question.id).where(Question.pool == "practice", Question.active == True)  # noqa: E712
                        .order_by(Question.id).limit(3)))


def test_a_practice_set_counts_its_questions_and_ends_with_a_summary(client, db):
    builders.user(db)
    builders.login(client)
    ids = three_questions(db)
    start = client.get("/practice/next", params={"ids": ",".join(ids)})
    assert start.status_code == 303 and start.headers["location"].startswith("/practice/set?set=")
    page = client.get(start.headers["location"])
    assert "第 <strong>1</strong> 题 / 共 3 题" in page.text
    asked, verdicts = [], []
    for n in range(1, 4):
        assert f"第 <strong>{n}</strong> 题 / 共 3 题" in page.text
        q, r = answer_on(client, db, page, right=(n != 2))
        asked.append(q.id)
        assert r.status_code == 303 and r.headers["location"].startswith("/practice/feedback?")
        feedback = client.get(r.headers["location"])
        verdicts.append("回答正确" in feedback.text)
        assert client.get(r.headers["location"]).text.count("回答") == feedback.text.count("回答")  # a refresh is a GET
        next_link = re.search(r'class="button primary" href="([^"]+)">(下一题|查看本组小结)', feedback.text)
        assert next_link.group(2) == ("查看本组小结" if n == 3 else "下一题")
        page = client.get(next_link.group(1).replace("&amp;", "&"))
    assert sorted(asked) == sorted(ids) and verdicts == [True, False, True]       # each question once, no cycling
    assert "本组练习完成" in page.text
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", page.text))
    assert figures["题数"] == "3" and figures["答对"] == "2" and figures["答错"] == "1" and figures["正确率"] == "67%"
    assert "用时" in figures and 'href="/mistakes/"' in page.text


def test_a_set_can_be_ended_early_with_a_summary_of_what_was_answered(client, db):
    builders.user(db)
    builders.login(client)
    page = client.get(client.get("/practice/next", params={"ids": ",".join(three_questions(db))}).headers["location"])
    assert "结束本组" not in page.text                          # nothing answered yet: nothing to sum up
    q, r = answer_on(client, db, page, right=True)
    feedback = client.get(r.headers["location"])
    top = re.search(r'class="next-top" href="([^"]+)">下一题 ›', feedback.text)
    end = re.search(r'class="button" href="([^"]+)">结束本组', feedback.text)
    assert top and end
    summary = client.get(end.group(1).replace("&amp;", "&"))
    assert "本组练习提前结束" in summary.text and "已答 1 题 / 共 3 题" in summary.text
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", summary.text))
    assert figures["已答"] == "1" and figures["答对"] == "1" and figures["正确率"] == "100%"
    second = client.get(top.group(1).replace("&amp;", "&"))
    assert "第 <strong>2</strong> 题 / 共 3 题" in second.text and "结束本组" in second.text   # the set goes on


def test_a_set_is_bounded_and_a_refresh_keeps_its_place(client, db):
    builders.user(db)
    builders.login(client)
    page = client.get("/practice/next", follow_redirects=True)
    assert f"/ 共 {SET_SIZE} 题" in page.text
    _, r = answer_on(client, db, page, right=True)
    url = urlsplit(r.headers["location"])
    set_url = "/practice/set?" + "set=" + parse_qs(url.query)["set"][0]
    again = client.get(set_url)
    assert "第 <strong>2</strong> 题" in again.text and client.get(set_url).text.count("第 <strong>2</strong> 题") == 1


def test_a_set_or_an_explanation_is_its_owners_alone(client, db):
    builders.user(db)
    builders.user(db, "lisi", display_name="李四")
    builders.login(client)
    page = client.get("/practice/next", params={"ids": ",".join(three_questions(db))}, follow_redirects=True)
    token = set_token_on(page)
    _, r = answer_on(client, db, page, right=True)
    mine = r.headers["location"]
    client.post("/logout")
    builders.login(client, "lisi")
    assert client.get(f"/practice/set?set={token}").status_code == 403
    other = client.get(mine)
    assert other.status_code == 403 and "回答正确" not in other.text
    plain = client.get("/practice/feedback?q=" + parse_qs(urlsplit(mine).query)["q"][0])
    assert plain.status_code == 404 and "您还没有作答这道题" in plain.text
    forged = client.get(f"/practice/set?set={token[:-3]}abc")
    assert forged.status_code == 410 and "这组练习已失效" in forged.text


def test_the_mistake_book_is_practised_by_step_and_says_when_reviews_come(client, db):
    builders.user(db)
    builders.login(client)
    hearing = list(db.exec(select(Question).where(Question.step == "听证", Question.pool == "practice")).all())[:2]
    other = db.exec(select(Question).where(Question.step == "送达", Question.pool == "practice")).first()
    for q in [*hearing, other]:
        client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, **builders.form_response(q, False)})
    book = client.get("/mistakes/").text
    assert "FSRS" not in book and "按遗忘规律安排复习" in book
    assert "今日待复习 <strong>0</strong> 题" in book and "下一次复习安排在" in book
    assert "/mistakes/practice?volume=v1-common&amp;step=%E5%90%AC%E8%AF%81" in book
    empty = client.get("/mistakes/review")
    assert empty.status_code == 200 and "今天的复习已全部完成" not in empty.text
    assert "目前没有到期需要复习的题目" in empty.text and "下一次复习安排在" in empty.text
    page = client.get("/mistakes/practice", params={"volume": "v1-common", "step": "听证"}, follow_redirects=True)
    assert "练习错题：第一卷" in page.text and "/ 共 2 题" in page.text
    for _ in range(2):
        q, r = answer_on(client, db, page, right=True)
        assert q.step == "听证"
        page = client.get(r.headers["location"])
        assert "回答正确" in page.text and "移出" not in page.text        # not due: a redo does not clear it
        page = client.get(re.search(r'class="button primary" href="([^"]+)"', page.text).group(1).replace("&amp;", "&"))
    assert "本组练习完成" in page.text and "2" in page.text
    assert len([e for e in db.exec(select(MistakeEntry)).all() if not e.cleared]) == 3


def test_a_due_review_answered_right_twice_leaves_the_book_through_the_set_pages(client, db):
    builders.user(db)
    builders.login(client)
    q = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice")).first()
    client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, **builders.form_response(q, False)})
    for n in (1, 2):
        for entry in db.exec(select(MistakeEntry)).all():
            entry.due = utcnow() - timedelta(minutes=1)
            db.add(entry)
        db.commit()
        page = client.get("/mistakes/review", follow_redirects=True)
        assert "今日复习" in page.text and "第 <strong>1</strong> 题 / 共 1 题" in page.text
        _, r = answer_on(client, db, page, right=True)
        feedback = client.get(r.headers["location"]).text
        assert ("本题已移出错题本" in feedback) is (n == 2)


def test_exam_only_questions_never_enter_a_mistake_set(client, db):
    builders.user(db)
    builders.login(client)
    q = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice")).first()
    client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, **builders.form_response(q, False)})
    q.pool = "exam"
    db.add(q)
    db.commit()
    r = client.get("/mistakes/practice")
    assert r.status_code == 200 and "错题本中没有符合条件的题目" in r.text and q.stem[:20] not in r.text


def test_my_reports_name_the_question_and_mark_an_answer_but_keep_it_while_its_exam_is_open(client, db):
    trainee = builders.user(db)
    editor = builders.user(db, "editor-a", Role.editor, display_name="编辑甲")
    q = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice",
                                       Question.volume == "v1-common")).first()
    report = reports.submit(db, trainee, category="answer", text="选项B也应正确。", question_id=q.id, pages={})
    builders.login(client)
    mine = client.get("/reports/").text
    assert q.id not in mine and q.stem[:15] in mine and "编辑已答复" not in mine
    reports.handle(db, editor, report.id, seen_version=1, status="rejected", answer="经核对，答案为A。", assignee_id=None)
    mine = client.get("/reports/").text
    assert "编辑已答复" in mine and "经核对，答案为A。" in mine
    exam = builders.exam(db, title="小测", question_ids=[q.id])
    exams.start_attempt(db, trainee, exam.id)
    during = client.get("/reports/").text
    assert "经核对，答案为A。" not in during and "交卷后显示" in during
    assert db.exec(select(ContentReport)).one().answer       # withheld on the page only


def option_values(page) -> list[str]:
    return re.findall(r'name="(?:choice|part-\d+)" value="([A-FT])"', page.text)


def test_an_answer_sent_with_nothing_chosen_goes_back_to_the_question_by_get_with_the_message(client, db):
    builders.user(db)
    builders.login(client)
    page = client.get("/practice/next", params={"ids": ",".join(three_questions(db))}, follow_redirects=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    hidden.pop("csrf_token", None)
    r = client.post("/practice/answer", data=hidden)
    # a redirect to a GET page (Back or a reload later never re-posts the form), nothing recorded
    assert r.status_code == 303 and r.headers["location"].startswith("/practice/set?")
    assert db.exec(select(PracticeAnswer)).all() == []
    back = client.get(r.headers["location"])
    assert back.status_code == 200 and "请先选择答案" in back.text
    assert qid_on(back) == hidden["question_id"] and "第 <strong>1</strong> 题 / 共 3 题" in back.text
    assert option_values(back) == option_values(page)             # the options in the order the trainee saw
    # once answered, the same address shows the next question and no message
    answer_on(client, db, back, right=True)
    later = client.get(r.headers["location"])
    assert "请先选择答案" not in later.text and "第 <strong>2</strong> 题 / 共 3 题" in later.text


def test_a_case_answered_in_part_comes_back_with_the_parts_chosen_and_names_the_missing_part(client, db):
    builders.user(db)
    builders.login(client)
    case = db.exec(select(Question).where(Question.type == "case", Question.pool == "practice",
                                          Question.active == True).order_by(Question.id)).first()  # noqa: E712
    page = client.get("/practice/next", params={"ids": case.id}, follow_redirects=True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    hidden.pop("csrf_token", None)
    first = case.parts[0]
    r = client.post("/practice/answer", data={**hidden, f"part-{first['id']}": first["answer"]})
    back = client.get(r.headers["location"])
    assert f"第 {case.parts[1]['id']} 小题：请先选择答案" in back.text
    chosen = re.findall(rf'name="part-{first["id"]}"\s+value="([A-FT])" checked', back.text)
    assert chosen == sorted(first["answer"])


def test_my_results_list_every_step_of_the_bank_with_the_untouched_ones_as_not_answered(client, db):
    builders.user(db)
    builders.login(client)
    empty = client.get("/me").text
    assert "还没有练习记录" in empty and "听证" in empty.split("按程序环节", 1)[1]
    q = db.exec(select(Question).where(Question.step == "听证", Question.pool == "practice",
                                       Question.active == True).order_by(Question.id)).first()  # noqa: E712
    client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, **builders.form_response(q, True)})
    steps = client.get("/me").text.split("按程序环节", 1)[1]
    rows = {name: (answered, pct) for name, answered, pct in re.findall(
        r'step=[^"]+">([^<]+)</a></td>\s*<td class="num">(\d+)</td>.*?<span class="pct">([^<]+)</span>', steps, re.S)}
    in_bank = set(db.exec(select(Question.step).where(Question.pool == "practice", Question.active == True)).all())  # noqa: E712
    assert set(rows) == in_bank and len(rows) > 5
    assert rows["听证"] == ("1", "100%")
    assert all(v == ("0", "未作答") for name, v in rows.items() if name != "听证")
