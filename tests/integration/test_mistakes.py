"""The mistake book: wrong answers go in, FSRS reviews bring them out."""
import re
from datetime import timedelta

from sqlmodel import select

from quizapp.models import MistakeEntry, Question, utcnow
from tests import builders


def answer(client, db, path_get, path_post, right):
    page = client.get(path_get, follow_redirects=True)
    qid = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)
    q = db.get(Question, qid)
    return qid, client.post(path_post, data={"question_id": qid, **builders.form_response(q, right)},
                             follow_redirects=True)


def make_due(db):
    for entry in db.exec(select(MistakeEntry)):
        entry.due = utcnow() - timedelta(minutes=1)
        db.add(entry)
    db.commit()


def test_a_wrong_practice_answer_enters_the_book_grouped_by_volume_and_step(client, db):
    builders.user(db)
    builders.login(client)
    qid, r = answer(client, db, "/practice/next?volume=v1-common&step=听证", "/practice/answer", right=False)
    assert "已记入错题本" in r.text
    book = client.get("/mistakes/").text
    stem = db.get(Question, qid).stem
    assert "第一卷" in book and "听证（1 题）" in book and stem[:20] in book
    assert qid not in book                                          # no bank id is shown to a trainee
    assert re.search(r"今日待复习 <strong>0</strong> 题", book)       # due tomorrow, not now


def test_due_reviews_answered_right_twice_take_the_question_out(client, db):
    builders.user(db)
    builders.login(client)
    qid, _ = answer(client, db, "/practice/next", "/practice/answer", right=False)
    make_due(db)
    assert re.search(r"今日待复习 <strong>1</strong> 题", client.get("/mistakes/").text)
    _, first = answer(client, db, "/mistakes/review", "/mistakes/review", right=True)
    assert "回答正确" in first.text and "移出" not in first.text
    make_due(db)
    _, second = answer(client, db, "/mistakes/review", "/mistakes/review", right=True)
    assert "本题已移出错题本" in second.text
    book = client.get("/mistakes/").text
    assert "已移出 1 题" in book and qid not in book.split("已移出")[1]


def test_a_wrong_review_answer_keeps_it_in_the_book(client, db):
    builders.user(db)
    builders.login(client)
    answer(client, db, "/practice/next", "/practice/answer", right=False)
    make_due(db)
    _, r = answer(client, db, "/mistakes/review", "/mistakes/review", right=False)
    assert "已记入错题本" in r.text
    (entry,) = db.exec(select(MistakeEntry)).all()
    db.refresh(entry)
    assert entry.wrong_count == 2 and entry.streak == 0 and not entry.cleared


def single_with_wrong_options(db) -> tuple[Question, list[str]]:
    q = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice",
                                       Question.active == True).order_by(Question.id)).first()  # noqa: E712
    return q, [k for k in q.options if k not in q.answer]


def chosen_on(page: str) -> list[str]:
    """The options a review page marks as the trainee's choice, by their text."""
    return re.findall(r'<li class="wrong">\s*<span class="key">[A-F]?</span> ([^<]+?)\s*<em>（您的选择）</em>', page)


def entry_link(client) -> str:
    return re.search(r'href="(/mistakes/entries/\d+)"', client.get("/mistakes/").text).group(1)


def test_an_entry_opens_with_the_question_the_trainees_last_wrong_answer_the_key_and_the_explanation(client, db):
    builders.user(db)
    builders.login(client)
    q, wrong = single_with_wrong_options(db)
    client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, "choice": [wrong[0]]})
    page = client.get(entry_link(client))
    assert page.status_code == 200
    text = page.text
    assert q.stem[:20] in text and "您最近一次答错" in text and "练习（含错题复习）中" in text
    assert chosen_on(text) == [q.options[wrong[0]]]
    assert "正确答案" in text and q.explanation[:20] in text
    assert "答错 1 次" in text and 'href="/mistakes/"' in text


def test_an_entry_shows_an_exam_answer_only_where_that_exams_review_is_shown(client, db):
    builders.user(db)
    builders.login(client)
    q, wrong = single_with_wrong_options(db)
    client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, "choice": [wrong[0]]})
    link = entry_link(client)

    def exam_answer(exam, choice):
        aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        client.post(f"/api/attempts/{aid}/answers", json={"question_id": q.id, "response": [choice]})
        client.post(f"/attempts/{aid}/submit")

    exam_answer(builders.exam(db, title="不公布答案的测验", question_ids=[q.id], review_mode="never"), wrong[1])
    later = builders.exam(db, title="结束后公布的测验", question_ids=[q.id], review_mode="after_close",
                          closes_at=utcnow() + timedelta(hours=1))
    exam_answer(later, wrong[2])
    text = client.get(link).text
    assert chosen_on(text) == [q.options[wrong[0]]]               # still the practice answer
    assert "不公布答案的测验" not in text and "结束后公布的测验" not in text
    later.closes_at = utcnow() - timedelta(minutes=1)
    db.add(later)
    db.commit()
    text = client.get(link).text
    assert chosen_on(text) == [q.options[wrong[2]]] and "考试“结束后公布的测验”" in text


def test_an_entry_is_its_owners_alone_and_paused_while_an_exam_is_open(client, db):
    builders.user(db)
    builders.user(db, "lisi", display_name="李四")
    builders.login(client)
    q, wrong = single_with_wrong_options(db)
    client.post("/practice/answer", data={"question_id": q.id, "ids": q.id, "choice": [wrong[0]]})
    link = entry_link(client)
    exam = builders.exam(db, question_ids=[q.id])
    client.post(f"/exams/{exam.id}/start")
    during = client.get(link)
    assert during.status_code == 409 and "考试进行中，练习暂停" in during.text
    assert q.explanation[:20] not in during.text and q.stem[:20] not in during.text
    client.post("/logout")
    builders.login(client, "lisi")
    other = client.get(link)
    assert other.status_code == 404 and q.stem[:20] not in other.text
