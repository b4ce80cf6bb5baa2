"""训中问质: trainees rate each session once; the instructor sees the means and comments."""
from quizapp import cohorts, feedback
from quizapp.models import Role
from tests import builders


def test_sessions_are_rated_once_and_summarised(client, db):
    teacher = builders.user(db, "teacher", Role.instructor)
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班")
    for name in ("xa", "xb"):
        t = builders.user(db, name, display_name=name)
        cohorts.enrol_one(db, teacher, cohort, username=t.username, display_name=name, unit="某镇")
    builders.login(client, "teacher")
    client.post(f"/instructor/cohorts/{cohort.id}/sessions", data={"title": "一般程序与易错点", "held_on": "2026-03-02",
                                                                  "teacher": "王老师"})
    session = feedback.summaries(db, cohort)[0].session
    for name, marks in (("xa", (5, 4, 5)), ("xb", (3, 4, 4))):
        client.post("/logout")
        builders.login(client, name)
        assert "一般程序与易错点" in client.get("/feedback/").text
        data = dict(zip(feedback.DIMENSIONS, map(str, marks)), comment="案例很实用" if name == "xa" else "")
        assert client.post(f"/feedback/{session.id}", data=data).status_code == 303
    again = client.post(f"/feedback/{session.id}", data=dict(zip(feedback.DIMENSIONS, ("5", "5", "5"))))
    assert again.status_code == 409 and "只能评价一次" in again.text
    bad = builders.user(db, "xc", display_name="xc")
    cohorts.enrol_one(db, teacher, cohort, username=bad.username, display_name="xc", unit="某镇")
    client.post("/logout")
    builders.login(client, "xc")
    r = client.post(f"/feedback/{session.id}", data={"content_fit": "6", "clarity": "3", "usefulness": "3"})
    assert r.status_code == 422 and "“内容切合实际”" in r.text
    client.post("/logout")
    builders.login(client, "teacher")
    page = client.get(f"/instructor/cohorts/{cohort.id}/sessions").text
    assert "评价人数 2" in page and "4.0" in page and "4.5" in page and "案例很实用" in page
    (summary,) = feedback.summaries(db, cohort)
    assert summary.means == {"content_fit": 4.0, "clarity": 4.0, "usefulness": 4.5}


def test_a_rating_is_confirmed_as_success_and_shown_back_read_only(client, db):
    teacher = builders.user(db, "teacher", Role.instructor)
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班")
    t = builders.user(db, "xa", display_name="xa")
    cohorts.enrol_one(db, teacher, cohort, username=t.username, display_name="xa", unit="某镇")
    session = feedback.add_session(db, cohort, title="一般程序与易错点", held_on=None, teacher="王老师")
    builders.login(client, "xa")
    r = client.post(f"/feedback/{session.id}", data={"content_fit": "5", "clarity": "3", "usefulness": "4",
                                                     "comment": "案例很实用"})
    assert r.status_code == 303
    done = client.get(r.headers["location"]).text
    assert "评价已提交，谢谢。" in done and "alert error" not in done and f'action="/feedback/{session.id}"' not in done
    assert "内容切合实际 5 分；讲解清楚 3 分；对工作有用 4 分" in done and "案例很实用" in done
    assert "评价已提交" not in client.get("/feedback/").text and "已评价，谢谢。" in client.get("/feedback/").text
