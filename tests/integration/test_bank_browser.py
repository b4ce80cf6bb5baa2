"""题库浏览, 试卷预览 and the item statistics' question text, over HTTP
(quizapp/web/routes/bank.py, exam_preview.py, instructor_results.html)."""
from __future__ import annotations

import html
import re

import pytest
from sqlmodel import func, select

from quizapp import accounts, cohorts, exams
from quizapp.domain.procedure import VOLUMES
from quizapp.models import Attempt, AuditEvent, Enrolment, Exam, Question, Role, User
from tests import builders
from quizapp.web.deps import COOKIE
from tests.conftest import make_client

SLUGS = [v.code for v in VOLUMES]


def visible_text(page: str) -> str:
    """What a reader sees: the page without its tags, attributes and scripts."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)))


def logged_in(sqlite_url, db, user):
    client = make_client(sqlite_url)
    client.cookies.set(COOKIE, accounts.start_session(db, user, days=1), domain="testserver.local")
    return client


@pytest.fixture
def people(db):
    return {name: builders.user(db, name, role) for name, role in
            (("teacher", Role.instructor), ("other", Role.instructor), ("editor", Role.editor),
             ("supervisor", Role.supervisor))}


def bank(db) -> list[Question]:
    return list(db.exec(select(Question).where(Question.active == True).order_by(Question.id)))  # noqa: E712


def take(db, exam, trainees, right) -> None:
    """Each trainee starts the exam, answers (right or wrong as right(n, question) says) and submits."""
    for n, trainee in enumerate(trainees):
        attempt = exams.start_attempt(db, trainee, exam.id)
        for item in attempt.paper:
            q = db.get(Question, item["question_id"])
            exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, right(n, q)))
        exams.submit(db, trainee, attempt.id)


def cohort_with_trainees(db, teacher, count=4, name="一期班", prefix="t"):
    cohort = cohorts.create_cohort(db, creator=teacher, name=name)
    for n in range(count):
        cohorts.enrol_one(db, teacher, cohort, username=f"{prefix}-{n}", display_name=f"学员{n}", unit="某镇")
    trainees = list(db.exec(select(User).join(Enrolment, Enrolment.user_id == User.id)
                            .where(Enrolment.cohort_id == cohort.id).order_by(User.id)))
    return cohort, trainees


# --- the bank browser ------------------------------------------------------------------

def test_the_browser_filters_searches_and_pages_and_names_volumes_and_steps_by_title(sqlite_url, db, people):
    c = logged_in(sqlite_url, db, people["teacher"])
    questions = bank(db)
    step = "听证"
    wanted = [q for q in questions if q.step == step and q.type == "single"]
    assert wanted
    r = c.get("/instructor/bank/", params={"step": step, "type": "single"})
    assert r.status_code == 200
    assert f"共 {len(wanted)} 题" in r.text
    assert all(f"/instructor/bank/{q.id}?" in r.text for q in wanted[:20])
    # a question's id only in its own small monospace tag (what a fixed paper is made of), nowhere else
    assert all(f'<code class="qid" title="题目编号">{q.id}</code>' in r.text for q in wanted[:20])
    text = visible_text(re.sub(r'<code class="qid"[^>]*>[^<]*</code>', "", r.text))
    assert not [s for s in SLUGS if s in text] and not [q.id for q in wanted if q.id in text]
    assert "第一卷" in text

    # search text: a phrase of one question's explanation finds it
    target = questions[7]
    phrase = target.explanation[10:22]
    r = c.get("/instructor/bank/", params={"q": phrase})
    assert f"/instructor/bank/{target.id}?" in r.text
    assert all(phrase in (q.stem + "".join(q.options.values()) + q.explanation + str(q.parts))
               for q in questions if f"/instructor/bank/{q.id}?" in r.text)

    # pages of 20, the filters kept in the pager's links
    r = c.get("/instructor/bank/", params={"volume": "v1-common"})
    assert f"共 {sum(q.volume == 'v1-common' for q in questions)} 题" in r.text and "第 1 / " in r.text
    assert "volume=v1-common&amp;page=2" in r.text
    second = c.get("/instructor/bank/", params={"volume": "v1-common", "page": 2})
    assert f"/instructor/bank/{questions[20].id}?" in second.text
    assert f"/instructor/bank/{questions[0].id}?" not in second.text

    # statute, pool and status filters
    statute = questions[0].basis[0]["statute"]
    r = c.get("/instructor/bank/", params={"statute": statute})
    assert f"共 {sum(statute in {b['statute'] for b in q.basis} for q in questions)} 题" in r.text
    exam_only = [q for q in questions if q.pool == "exam"]
    assert f"共 {len(exam_only)} 题" in c.get("/instructor/bank/", params={"pool": "exam"}).text
    assert "共 0 题" in c.get("/instructor/bank/", params={"status": "suspended"}).text


def test_a_filter_no_form_could_send_is_refused_in_chinese(sqlite_url, db, people):
    c = logged_in(sqlite_url, db, people["teacher"])
    for params in ({"volume": "v9-nothing"}, {"difficulty": "7"}, {"q": "长" * 101}, {"page": "x"}):
        r = c.get("/instructor/bank/", params=params)
        assert r.status_code in (400, 422) and re.search(r"[\u4e00-\u9fff]", visible_text(r.text)), params


def test_a_question_shows_key_explanation_statute_handbook_link_and_its_statistics_across_exams(
        sqlite_url, db, people):
    teacher = people["teacher"]
    cohort, trainees = cohort_with_trainees(db, teacher, 4)
    single = next(q for q in bank(db) if q.type == "single" and q.pool == "practice")
    others = [q for q in bank(db) if q.type == "single" and q.pool == "practice" and q.id != single.id][:3]
    exam = builders.exam(db, title="阶段测验", cohort_id=cohort.id, created_by=teacher.id,
                         question_ids=[single.id] + [q.id for q in others])
    # trainees 0 and 1 right on everything; 2 and 3 wrong on everything: facility 50 %, discrimination positive
    take(db, exam, trainees, lambda n, q: n < 2)
    c = logged_in(sqlite_url, db, teacher)
    r = c.get(f"/instructor/bank/{single.id}")
    assert r.status_code == 200
    text = visible_text(r.text)
    assert single.stem in text and "答案：" in text and "解析" in text
    assert single.basis[0]["quote"] in text and f"《{single.basis[0]['statute']}》" in text
    assert "到手册中学习本题知识点" in text and f"/reports/new?question={single.id}" in r.text
    expected = next(i for i in exams.results(db, exam).items if i.question_id == single.id)
    assert expected.facility == pytest.approx(50.0)
    row = re.search(r"阶段测验</a></td>(.*?)</tr>", r.text, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[:3] == ["4", "4", "50%"]          # percentages are whole numbers
    assert cells[5] == f"{round(expected.discrimination_index)}%"
    assert "共被抽入 4 份试卷" in text
    # the instructor reports; only editors suspend
    assert "报告问题" in text and "/suspend" not in r.text


def test_exams_the_viewer_may_not_see_are_counted_but_not_named(sqlite_url, db, people):
    cohort, trainees = cohort_with_trainees(db, people["teacher"], 2, name="保密班", prefix="s")
    q = next(q for q in bank(db) if q.type == "judge" and q.pool == "practice")
    exam = builders.exam(db, title="保密班结业考试", cohort_id=cohort.id, created_by=people["teacher"].id,
                         question_ids=[q.id])
    take(db, exam, trainees, lambda n, _: n == 0)
    for who in ("other", "editor"):
        r = logged_in(sqlite_url, db, people[who]).get(f"/instructor/bank/{q.id}")
        assert r.status_code == 200 and "保密班" not in r.text and "其他培训班的考试" in r.text, who
        assert f"/instructor/exams/{exam.id}" not in r.text
    r = logged_in(sqlite_url, db, people["supervisor"]).get(f"/instructor/bank/{q.id}")
    assert "保密班结业考试" in r.text


def test_a_trainee_never_reaches_the_bank_not_even_by_id(sqlite_url, db, people):
    trainee = builders.user(db, "xueyuan")
    q = bank(db)[0]
    c = logged_in(sqlite_url, db, trainee)
    for url in ("/instructor/bank/", f"/instructor/bank/{q.id}", f"/instructor/bank/?q={q.stem[:5]}"):
        r = c.get(url)
        assert r.status_code == 403 and q.explanation not in r.text and "您没有访问此页面的权限" in r.text


def test_an_unknown_question_is_a_chinese_404(sqlite_url, db, people):
    r = logged_in(sqlite_url, db, people["editor"]).get("/instructor/bank/no-such-question")
    assert r.status_code == 404 and "题目不存在" in r.text


def test_an_editor_suspends_and_restores_from_the_question_page_audited_and_back_on_it(sqlite_url, db, people):
    q = bank(db)[3]
    c = logged_in(sqlite_url, db, people["editor"])
    page = c.get(f"/instructor/bank/{q.id}").text
    assert f'action="/editor/questions/{q.id}/suspend"' in page and f'value="/instructor/bank/{q.id}"' in page
    r = c.post(f"/editor/questions/{q.id}/suspend", data={"suspended": "yes", "reason": "答案待核实",
                                                          "back": f"/instructor/bank/{q.id}", "confirmed": "yes"})
    assert r.status_code == 303 and r.headers["location"] == f"/instructor/bank/{q.id}?notice=question-suspended"
    db.expire_all()
    assert db.get(Question, q.id).suspended
    assert "已暂停使用" in c.get(f"/instructor/bank/{q.id}").text
    assert f"/instructor/bank/{q.id}?" in c.get("/instructor/bank/", params={"status": "suspended"}).text
    c.post(f"/editor/questions/{q.id}/suspend", data={"suspended": "no", "back": f"/instructor/bank/{q.id}"})
    db.expire_all()
    assert not db.get(Question, q.id).suspended
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.target == f"question:{q.id}")
                      .order_by(AuditEvent.id)).all()
    assert actions == ["question.suspend", "question.restore"]
    # back elsewhere is not followed
    r = c.post(f"/editor/questions/{q.id}/suspend", data={"suspended": "no", "back": "https://evil.example/"})
    assert r.headers["location"] == "/editor/?notice=question-restored"


# --- the exam preview -------------------------------------------------------------------

def paper_of(page: str) -> list[str]:
    return re.findall(r'<a href="/instructor/bank/([^"?]+)">在题库中查看</a>', page)


def test_a_blueprint_preview_is_a_new_draw_each_time_with_keys_and_saved_nowhere(sqlite_url, db, people):
    teacher = people["teacher"]
    exam = builders.exam(db, title="抽题考试", created_by=teacher.id,
                         blueprint=[{"count": 5, "volume": "v1-common", "type": "single"}])
    c = logged_in(sqlite_url, db, teacher)
    assert f'href="/instructor/exams/{exam.id}/preview"' in c.get(f"/instructor/exams/{exam.id}").text
    attempts_before = db.exec(select(func.count()).select_from(Attempt)).one()
    draws = []
    for _ in range(4):
        r = c.get(f"/instructor/exams/{exam.id}/preview")
        assert r.status_code == 200 and "每位学员开考时各自抽取一份试卷" in r.text
        assert "答案：" in r.text and "解析" in r.text
        draws.append(paper_of(r.text))
    assert all(len(d) == 5 for d in draws)
    assert len({tuple(d) for d in draws}) > 1
    singles = {q.id for q in bank(db) if q.type == "single"}
    assert all(set(d) <= singles for d in draws)
    assert db.exec(select(func.count()).select_from(Attempt)).one() == attempts_before


def test_a_fixed_paper_previews_in_order_and_only_for_those_who_may_see_the_exam(sqlite_url, db, people):
    teacher = people["teacher"]
    cohort, _ = cohort_with_trainees(db, teacher, 1)
    ids = [q.id for q in bank(db) if q.pool == "practice"][5:9]
    exam = builders.exam(db, title="固定卷", cohort_id=cohort.id, created_by=teacher.id, question_ids=ids)
    r = logged_in(sqlite_url, db, teacher).get(f"/instructor/exams/{exam.id}/preview")
    assert paper_of(r.text) == ids and "每位学员的题目相同" in r.text
    assert logged_in(sqlite_url, db, people["supervisor"]).get(f"/instructor/exams/{exam.id}/preview").status_code == 200
    assert logged_in(sqlite_url, db, people["other"]).get(f"/instructor/exams/{exam.id}/preview").status_code == 404
    assert logged_in(sqlite_url, db, people["editor"]).get(f"/instructor/exams/{exam.id}/preview").status_code == 403
    trainee = builders.user(db, "xueyuan")
    r = logged_in(sqlite_url, db, trainee).get(f"/instructor/exams/{exam.id}/preview")
    assert r.status_code == 403 and "答案：" not in r.text


def test_the_new_exam_form_previews_its_paper_without_saving(sqlite_url, db, people):
    c = logged_in(sqlite_url, db, people["teacher"])
    assert 'formaction="/instructor/exams/new/preview"' in c.get("/instructor/exams/new").text
    form = {"title": "草稿", "mode": "blueprint", "count-0": "3", "volume-0": "v1-common", "type-0": "judge",
            "time_limit_minutes": "30"}
    r = c.post("/instructor/exams/new/preview", data=form)
    assert r.status_code == 200 and "考试尚未保存" in r.text and len(paper_of(r.text)) == 3
    assert db.exec(select(func.count()).select_from(Exam)).one() == 0
    r = c.post("/instructor/exams/new/preview", data={**form, "count-0": "999"})
    assert r.status_code == 422 and "需要 999 题" in r.text
    r = c.post("/instructor/exams/new/preview", data={"mode": "fixed", "question_ids": "no-such-1"})
    assert r.status_code == 422 and "no-such-1" in r.text


# --- the item statistics ----------------------------------------------------------------------

def test_item_statistics_show_the_question_text_and_a_tap_explanation_per_column(sqlite_url, db, people):
    teacher = people["teacher"]
    cohort, trainees = cohort_with_trainees(db, teacher, 3)
    qs = [q for q in bank(db) if q.type == "single" and q.pool == "practice"][:3]
    exam = builders.exam(db, title="分析卷", cohort_id=cohort.id, created_by=teacher.id,
                         question_ids=[q.id for q in qs])
    take(db, exam, trainees, lambda n, q: n != 1)
    r = logged_in(sqlite_url, db, teacher).get(f"/instructor/exams/{exam.id}/results")
    assert r.status_code == 200
    text = visible_text(r.text)
    for q in qs:
        assert q.stem in text                       # in full, inside the row's <details>
        assert f'href="/instructor/bank/{q.id}"' in r.text and f"/reports/new?question={q.id}" in r.text
    assert r.text.count('<details class="stat-help">') == 5
    assert "平均得分占本题满分的比例" in r.text
    assert "/suspend" not in r.text
    cells = re.findall(r'<tbody>(.*?)</tbody>', r.text, re.S)
    assert not [q.id for q in qs if q.id in visible_text("".join(cells))]
