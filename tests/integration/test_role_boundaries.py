"""Every instructor and supervisor page and export, walked route by route:
a trainee gets 403, a visitor is sent to the login page."""
import re

from quizapp import cohorts, exams, feedback, surveys
from quizapp.models import Role
from tests import builders


def staff_routes():
    from quizapp.web.app import ROUTERS
    for router in ROUTERS:
        for route in router.routes:
            if route.path.startswith(("/instructor", "/supervisor")):
                for method in route.methods - {"HEAD"}:
                    yield method, route.path


def test_no_staff_route_answers_a_trainee_or_a_visitor(client, db):
    teacher = builders.user(db, "teacher", Role.instructor)
    builders.user(db)
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班")
    exam = builders.exam(db, cohort_id=cohort.id)
    surveys.create_survey(db, teacher, cohort, title="调查")
    feedback.add_session(db, cohort, title="课", held_on=None, teacher="")
    trainee_user = db.exec(builders.select_user("zhangsan")).one()
    cohorts.enrol_one(db, teacher, cohort, username=trainee_user.username, display_name="张三", unit="某镇")
    attempt = exams.start_attempt(db, trainee_user, exam.id)
    ids = {"cohort_id": cohort.id, "exam_id": exam.id, "attempt_id": attempt.id, "survey_id": 1, "upload_id": 1,
           "user_id": trainee_user.id}
    routes = sorted(set(staff_routes()))
    assert len(routes) >= 20
    for who in ("visitor", "trainee"):
        if who == "trainee":
            builders.login(client)
        for method, path in routes:
            url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
            r = client.request(method, url)
            if who == "visitor":
                assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, url, r.status_code)
            else:
                assert r.status_code == 403, (method, url, r.status_code)
