"""The trainee's exam pages over HTTP: 考试须知 before the clock starts, the 答题卡
on the exam page, and the result's header (合格/不合格, 用时)."""
import re
from datetime import timedelta

from sqlmodel import select

from quizapp.models import Attempt, Question, utcnow
from tests import builders


def fixed_paper(db, n_single=3, n_case=1) -> list[str]:
    singles = db.exec(select(Question.id).where(Question.type == "single", Question.active == True)  # noqa: E712
                      .order_by(Question.id).limit(n_single)).all()
    cases = db.exec(select(Question.id).where(Question.type == "case", Question.active == True)  # noqa: E712
                    .order_by(Question.id).limit(n_case)).all()
    return list(singles) + list(cases)


def attempts(db):
    return db.exec(select(Attempt)).all()


def test_the_exams_list_leads_to_the_notice_which_starts_nothing(client, db):
    builders.user(db)
    exam = builders.exam(db, question_ids=fixed_paper(db), points={"single": 1.5, "case": 5},
                         time_limit_minutes=45, pass_percent=60, attempts_allowed=2, focus_loss_limit=3)
    builders.login(client)
    listing = client.get("/exams/").text
    assert f'href="/exams/{exam.id}">开始考试</a>' in listing
    assert f'action="/exams/{exam.id}/start"' not in listing        # the list starts no clock
    notice = client.get(f"/exams/{exam.id}")
    assert notice.status_code == 200
    text = re.sub(r"<[^>]+>", "", notice.text)
    assert "考试须知" in text and "45 分钟" in text
    assert "共 4 题，满分 9.5 分" in text                             # 3 × 1.5 + 1 × 5
    assert "得分率达到 60%（5.7 分）为合格" in text
    assert "可作答 2 次，已用 0 次，剩余 2 次" in text
    assert "超过 3 秒的，计 1 次；累计超过 3 次将自动交卷" in text
    assert "不作为认定作弊的证明" in text and "刷新页面、网络断开后重新连接不计入" in text
    assert "立即自动保存到服务器" in text and "恢复连接后自动重新提交" in text
    assert f'<form method="post" action="/exams/{exam.id}/start"' in notice.text
    assert attempts(db) == []                                         # reading the rules starts no clock
    assert "ExamNotice" not in notice.text and 'class="alert ok"' not in notice.text   # no stray banner


def test_a_blueprint_of_open_types_gives_one_full_mark_and_only_an_older_exam_a_range(client, db):
    builders.user(db)
    exam = builders.exam(db, blueprint=[{"count": 5, "volume": "v1-common"}], pass_percent=80)
    builders.login(client)
    text = client.get(f"/exams/{exam.id}").text
    assert "共 5 题，满分 5 分" in text and "–" not in text.split("满分")[1][:12]   # each: the single-choice points
    # an exam saved before a row of open types had points of its own: the range, and no pass points
    exam.blueprint = [{"count": 5, "volume": "v1-common", "difficulty": None, "step": "", "type": "", "pool": ""}]
    db.add(exam)
    db.commit()
    text = client.get(f"/exams/{exam.id}").text
    assert "共 5 题，满分 5–20 分（题型随机抽取，以实际试卷为准）" in text
    assert "得分率达到 80%为合格" in text


def test_an_open_attempt_goes_straight_back_to_its_page(client, db):
    builders.user(db)
    exam = builders.exam(db)
    builders.login(client)
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 303
    back = client.get(f"/exams/{exam.id}", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == started.headers["location"]
    assert "继续作答" in client.get("/exams/").text
    assert len(attempts(db)) == 1


def test_when_the_trainee_cannot_start_the_notice_says_why_and_offers_no_start(client, db):
    builders.user(db)
    used = builders.exam(db, title="一次性考试")
    later = builders.exam(db, title="明天的考试", opens_at=utcnow() + timedelta(days=1))
    builders.login(client)
    client.post(f"/exams/{used.id}/start")
    aid = attempts(db)[0].id
    client.post(f"/attempts/{aid}/submit")
    for exam, reason in ((used, "本考试允许作答 1 次，您已用完"), (later, "考试尚未开始")):
        page = client.get(f"/exams/{exam.id}")
        assert page.status_code == 200 and reason in page.text
        assert "/start" not in page.text


def test_an_unknown_exam_is_a_chinese_404(client, db):
    builders.user(db)
    builders.login(client)
    r = client.get("/exams/987654")
    assert r.status_code == 404 and "考试不存在" in r.text


def test_the_exam_page_has_an_answer_sheet_that_knows_what_is_answered(client, db):
    builders.user(db)
    exam = builders.exam(db, question_ids=fixed_paper(db, n_single=3, n_case=0))
    builders.login(client)
    aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/attempts/{aid}").text
    assert 'aria-controls="answer-sheet"' in page and 'aria-label="答题卡"' in page
    assert page.count('class="sheet-item"') == 3
    assert 'aria-label="第 1 题，未作答"' in page
    assert page.count('class="mark-toggle" aria-pressed="false"') == 3
    assert "标记只保存在本设备的浏览器中，换设备登录后不保留" in page
    first = re.search(r'data-question="([^"]+)"[^>]*data-number="1"', page).group(1)
    q = db.get(Question, first)
    client.post(f"/api/attempts/{aid}/answers", json={"question_id": q.id, "response": builders.response(q)})
    page = client.get(f"/attempts/{aid}").text
    assert 'aria-label="第 1 题，已作答"' in page and 'aria-label="第 2 题，未作答"' in page
    assert 'id="sheet-summary" class="sheet-summary">1/3<' in page


def test_the_result_header_gives_the_verdict_the_percentage_and_the_time_used(client, db):
    builders.user(db)
    exam = builders.exam(db, question_ids=fixed_paper(db, n_single=4, n_case=0), pass_percent=50)
    builders.login(client)
    aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    attempt = db.get(Attempt, aid)
    for n, item in enumerate(attempt.paper):
        q = db.get(Question, item["question_id"])
        client.post(f"/api/attempts/{aid}/answers", json={"question_id": q.id, "response": builders.response(q, n < 3)})
    result = client.post(f"/attempts/{aid}/submit", follow_redirects=True).text
    header = re.search(r'<section class="card result-summary">(.*?)</section>', result, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", header))
    assert "3 / 4 分" in text and "得分率 75%" in text and "合格" in text and "不合格" not in text
    assert re.search(r"用时 0 分 0\d 秒", text)

