"""候考 over HTTP (issue 29): a trainee who comes in before the start second gets the waiting room,
with the paper already drawn and nothing of it shown; nothing can be saved or handed in until the
start; at the start the same address is the exam page; a latecomer joins at once; and the
instructor's live status counts who is waiting."""
import re
from datetime import timedelta

from sqlmodel import select

from quizapp.models import Attempt, Exam, Question, utcnow
from tests import builders
from tests.integration.test_cohort_exams import setup_cohort


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def start_now(db, exam: Exam) -> None:
    """Move the exam's start second (and its waiting attempts' clocks) to one second ago."""
    now = utcnow() - timedelta(seconds=1)
    shift = exam.opens_at - now
    exam.opens_at = now
    for a in db.exec(select(Attempt).where(Attempt.exam_id == exam.id)).all():
        a.started_at -= shift
        a.deadline -= shift
        db.add(a)
    db.add(exam)
    db.commit()


def test_a_trainee_waits_in_the_room_and_the_same_address_opens_the_paper_at_the_start(client, db):
    builders.user(db, unit="某镇综合行政执法办公室")
    singles = db.exec(select(Question.id).where(Question.type == "single", Question.active == True)  # noqa: E712
                      .order_by(Question.id).limit(5)).all()
    exam = builders.exam(db, question_ids=list(singles), opens_at=utcnow() + timedelta(minutes=10),
                         time_limit_minutes=30)
    builders.login(client)
    notice = text_of(client.get(f"/exams/{exam.id}").text)
    assert "候考室已开放" in notice and "进入候考室" in notice

    r = client.post(f"/exams/{exam.id}/start")
    assert r.status_code == 303
    attempt_url = r.headers["location"]
    aid = int(attempt_url.rsplit("/", 1)[1])
    attempt = db.get(Attempt, aid)
    assert attempt.started_at == exam.opens_at                      # the clock starts at the start second
    assert len(attempt.paper) == 5                                  # the paper is drawn while waiting

    room = client.get(attempt_url)
    assert room.status_code == 200
    text = text_of(room.text)
    assert "候考室" in text and "张三" in text and "某镇综合行政执法办公室" in text and "距开考还有" in text
    assert "data-question=" not in room.text and "/submit" not in room.text     # no question, no hand-in
    delay = int(re.search(r'data-delay-ms="(\d+)"', room.text).group(1))
    assert 0 <= delay < 5000
    starts_in = float(re.search(r'data-starts-in="([\d.]+)"', room.text).group(1))
    assert 590 <= starts_in <= 600

    state = client.get(f"/api/attempts/{aid}/state").json()
    assert state["status"] == "waiting" and 590 <= state["starts_in"] <= 600
    assert client.post(f"/api/attempts/{aid}/check", json={}).json()["ok"] is True
    qid = attempt.paper[0]["question_id"]
    refused = client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": ["A"]})
    assert refused.status_code == 409 and "尚未开始" in refused.json()["detail"]
    assert client.post(f"/api/attempts/{aid}/submit", json={}).status_code == 409
    assert db.get(Attempt, aid).status == "open"

    start_now(db, exam)
    paper = client.get(attempt_url)
    assert paper.status_code == 200 and "候考室" not in text_of(paper.text)
    assert paper.text.count('data-question=') >= 5
    assert client.post(f"/api/attempts/{aid}/answers", json={"question_id": qid, "response": ["A"]}).status_code == 200


def test_the_room_is_closed_until_its_minutes_before_the_start(client, db):
    builders.user(db)
    exam = builders.exam(db, opens_at=utcnow() + timedelta(minutes=50), waiting_minutes=30)
    builders.login(client)
    r = client.post(f"/exams/{exam.id}/start")
    assert r.status_code == 409 and "候考室将于开考前 30 分钟开放" in text_of(r.text)
    assert db.exec(select(Attempt)).all() == []


def test_a_latecomer_joins_at_once_and_a_common_deadline_gives_no_extra_time(client, db):
    builders.user(db)
    opens = utcnow() - timedelta(minutes=5)
    exam = builders.exam(db, opens_at=opens, time_limit_minutes=30, deadline_mode="common")
    builders.login(client)
    r = client.post(f"/exams/{exam.id}/start")
    attempt = db.get(Attempt, int(r.headers["location"].rsplit("/", 1)[1]))
    assert attempt.started_at > opens
    assert attempt.deadline == opens + timedelta(minutes=30)
    assert client.get(r.headers["location"]).text.count('data-question=') >= 5


def test_an_own_deadline_runs_from_the_latecomers_start(client, db):
    builders.user(db)
    exam = builders.exam(db, opens_at=utcnow() - timedelta(minutes=5), time_limit_minutes=30)
    builders.login(client)
    r = client.post(f"/exams/{exam.id}/start")
    attempt = db.get(Attempt, int(r.headers["location"].rsplit("/", 1)[1]))
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)


def test_the_instructor_sees_who_is_waiting_and_the_status_refreshes_every_ten_seconds(client, db):
    teacher, cohort, _ = setup_cohort(db)
    exam = builders.exam(db, cohort_id=cohort.id, title="候考测试", opens_at=utcnow() + timedelta(minutes=10))
    builders.login(client, "13800000001")
    client.post(f"/exams/{exam.id}/start")
    client.post("/logout")
    builders.login(client, "teacher")
    page = client.get(f"/instructor/exams/{exam.id}").text
    assert "候考中 1" in page and "作答中 0" in page and "未开始 1" in page
    assert 'data-every="10"' in page
    assert "候考中" in client.get(f"/instructor/exams/{exam.id}/status").text


def test_another_trainee_cannot_check_or_read_the_clock_of_a_waiting_attempt(client, db):
    builders.user(db)
    builders.user(db, "13800000003", display_name="赵六")
    exam = builders.exam(db, opens_at=utcnow() + timedelta(minutes=10))
    builders.login(client)
    aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    client.post("/logout")
    builders.login(client, "13800000003")
    assert client.post(f"/api/attempts/{aid}/check", json={}).status_code == 404
    assert client.get(f"/api/attempts/{aid}/state").status_code == 404
    assert client.get(f"/attempts/{aid}").status_code == 404


def test_the_instructor_sets_the_room_and_the_deadline_mode_and_may_change_them_until_someone_enters(client, db):
    teacher, cohort, _ = setup_cohort(db)
    builders.login(client, "teacher")
    form = client.get("/instructor/exams/new").text
    assert 'name="waiting_minutes"' in form and 'value="30"' in form and "统一截止" in form
    exam = builders.exam(db, cohort_id=cohort.id, title="候考设置", opens_at=utcnow() + timedelta(minutes=10),
                         created_by=teacher.id)
    edit = client.get(f"/instructor/exams/{exam.id}/edit").text
    token = re.search(r'name="csrf_token" value="([^"]*)"', edit).group(1)
    fields = {"csrf_token": token, "title": exam.title, "description": "", "time_limit_minutes": "30",
              "attempts_allowed": "1", "closes_at": "", "opens_at": re.search(r'name="opens_at"[^>]*value="([^"]*)"',
                                                                              edit).group(1)}
    r = client.post(f"/instructor/exams/{exam.id}/edit", data={**fields, "waiting_minutes": "15",
                                                               "deadline_mode": "common"})
    assert r.status_code == 303
    db.refresh(exam)
    assert (exam.waiting_minutes, exam.deadline_mode) == (15, "common")
    bad = client.post(f"/instructor/exams/{exam.id}/edit", data={**fields, "waiting_minutes": "500",
                                                                 "deadline_mode": "common"})
    assert bad.status_code == 422 and "候考时间应为 0 至 180 分钟" in bad.text
    client.post("/logout")
    builders.login(client, "13800000001")
    assert client.post(f"/exams/{exam.id}/start").status_code == 303     # enters the room (15 minutes before)
    client.post("/logout")
    builders.login(client, "teacher")
    edit = client.get(f"/instructor/exams/{exam.id}/edit").text
    assert 'name="waiting_minutes"' not in edit                  # once someone is in, the room stays as it is
