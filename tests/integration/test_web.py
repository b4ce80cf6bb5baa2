"""The service's pages over HTTP: login, practice, results, instructor."""
import html
import re
from urllib.parse import unquote

from sqlmodel import select

from quizapp.content.site import page_url
from quizapp.domain.option_letters import relabel, shown_letters
from quizapp.models import Question, Role
from tests import builders


def test_a_wrong_password_gets_a_plain_chinese_message(client, db):
    builders.user(db)
    r = builders.login(client, password="wrong-password")
    assert r.status_code == 401
    assert "用户名或密码不正确" in r.text and "Traceback" not in r.text
    assert "zj_session" not in r.headers.get("set-cookie", "")


def test_login_sets_a_server_side_session_cookie(client, db):
    builders.user(db)
    r = builders.login(client)
    assert r.status_code == 303 and r.headers["location"] == "/practice/"
    cookie = r.headers["set-cookie"]
    assert "zj_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/practice/").status_code == 200


def test_pages_need_a_login_and_come_back_after_it(client, db):
    r = client.get("/practice/next?step=听证")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    builders.user(db)
    r = client.post("/login", data={"username": "zhangsan", "password": builders.PASSWORD,
                                    "next": "/practice/next?step=听证"})
    assert unquote(r.headers["location"]) == "/practice/next?step=听证"


def test_login_never_redirects_to_another_site(client, db):
    builders.user(db)
    r = client.post("/login", data={"username": "zhangsan", "password": builders.PASSWORD,
                                    "next": "//evil.example/"})
    assert r.headers["location"] == "/practice/"


def test_logout_ends_the_session_on_the_server(client, db):
    builders.user(db)
    builders.login(client)
    token = client.cookies.get("zj_session")
    client.post("/logout")
    client.cookies.set("zj_session", token)
    assert client.get("/me").status_code == 303


def answer_once(client, db, right: bool, **query):
    page = client.get("/practice/next", params=query, follow_redirects=True)
    assert page.status_code == 200
    qid = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)
    q = db.get(Question, qid)
    r = client.post("/practice/answer", data={"question_id": qid, **builders.form_response(q, right), **query},
                    follow_redirects=True)
    return q, page, r


def test_practice_shows_verdict_explanation_statute_and_handbook_link(client, db):
    builders.user(db)
    builders.login(client)
    q, page, r = answer_once(client, db, right=False, step="听证")
    assert q.step == "听证"
    assert "正确答案" not in page.text and q.explanation not in page.text     # no key before answering
    assert r.status_code == 200 and "回答错误" in r.text
    assert q.explanation.split("。")[0] in html.unescape(r.text)
    link = re.search(r'class="handbook-link" href="([^"]+)"', r.text).group(1)
    assert html.unescape(link) == page_url(q.anchor) and "#" in link      # the anchor may be in another volume
    for b in q.basis:
        assert b["url"] in r.text


def test_a_right_answer_is_recorded_and_counted_in_my_results(client, db):
    builders.user(db)
    builders.login(client)
    _, _, r = answer_once(client, db, right=True)
    assert "回答正确" in r.text
    me = client.get("/me")
    assert "已练习 1 道题" in me.text and "100%" in me.text


def test_practice_by_explicit_ids_only_serves_those_questions(client, db, site):
    builders.user(db)
    builders.login(client)
    ids = [q.id for q in site.questions[:2]]
    r = client.get("/practice/start", params={"ids": ",".join(ids)})
    assert r.status_code == 303
    seen = set()
    for _ in range(4):
        q, _, _ = answer_once(client, db, right=True, ids=",".join(ids))
        seen.add(q.id)
    assert seen == set(ids)


def test_an_option_that_does_not_exist_is_refused_in_chinese_and_not_saved(client, db):
    builders.user(db)
    builders.login(client)
    page = client.get("/practice/next", follow_redirects=True)
    qid = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)
    q = db.get(Question, qid)
    bad = {"part-1": ["Z"]} if q.type == "case" else {"choice": ["Z"]}
    r = client.post("/practice/answer", data={"question_id": qid, **bad})
    assert r.status_code == 422 and "选项 Z 不存在" in r.text
    r = client.post("/practice/answer", data={"question_id": "no-such-question", "choice": ["A"]})
    assert r.status_code == 404 and "不存在" in r.text
    assert "已练习" not in client.get("/me").text


def test_the_instructor_page_is_for_staff_and_shows_only_their_cohorts_trainees(client, db):
    from quizapp import cohorts
    trainee = builders.user(db)
    teacher = builders.user(db, "teacher", Role.instructor, display_name="李老师")
    builders.user(db, "other", Role.instructor, display_name="赵老师")
    builders.user(db, "jiandu", Role.supervisor, display_name="监督员")
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班")
    cohorts.enrol_one(db, teacher, cohort, username=trainee.username, display_name="张三", unit="某镇")
    builders.login(client)
    r = client.get("/instructor/")
    assert r.status_code == 403 and "没有访问此页面的权限" in r.text
    for login, sees in (("teacher", True), ("other", False), ("jiandu", True)):
        client.post("/logout")
        builders.login(client, login)
        r = client.get("/instructor/")
        assert r.status_code == 200 and "题库分布" in r.text
        assert ("张三" in r.text) is sees, login


def test_practice_shuffles_the_options_each_time_and_hides_the_step_until_answered(client, db):
    builders.user(db)
    builders.login(client)
    q = db.exec(select(Question).where(Question.type == "single", Question.pool == "practice")).first()
    orders = set()
    for _ in range(12):
        page = client.get("/practice/next", params={"ids": q.id}, follow_redirects=True)
        order = re.search(r'name="order" value="([A-F]+)"', page.text).group(1)
        assert sorted(order) == sorted(q.options)
        shown = re.findall(r'name="choice" value="([A-F])"', page.text)
        assert "".join(shown) == order                       # the page shows what the form carries
        assert f'<span class="tag">{q.step}</span>' not in page.text and q.id not in page.text.replace(
            f'value="{q.id}"', "")
        orders.add(order)
    assert len(orders) > 1


def test_the_explanation_names_the_options_by_the_letters_on_screen(client, db):
    builders.user(db)
    builders.login(client)
    q = next(q for q in db.exec(select(Question).where(Question.type == "single", Question.pool == "practice"))
             if re.search(rf"(?<![A-Za-z]){q.answer[0]}(?![A-Za-z])", q.explanation))
    order = "".join(reversed(list(q.options)))               # the bank's last option shown first
    r = client.post("/practice/answer", data={"question_id": q.id, "order": order, "choice": q.answer, "ids": q.id},
                    follow_redirects=True)
    body = html.unescape(r.text)
    shown = relabel(q.explanation, shown_letters(list(order)))
    assert shown != q.explanation and f'<p class="explanation">{shown}</p>' in body
    letters = re.findall(r'<span class="key">([A-F])</span> ([^<]+?)\s*<', body)
    assert [text.strip() for _, text in letters][:len(order)] == [q.options[k] for k in order]
    assert f'<span class="tag">{q.step}</span>' in body      # after the answer, the step may show
