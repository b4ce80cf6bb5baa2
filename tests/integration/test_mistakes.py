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
    qid, r = answer(client, db, "/practice/next?step=听证", "/practice/answer", right=False)
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
