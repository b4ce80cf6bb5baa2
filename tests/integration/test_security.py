"""Security over HTTP, route by route.

1. The route matrix: every route of the app against the table ACCESS below,
   for a visitor, a trainee, the cohort's instructor, another instructor, an
   editor and a supervisor, with real ids of one cohort's objects.
2. Another user's objects by id: 404, and nothing of them in the answer.
3. CSRF on every POST; no GET changes anything (see GET_MAY_WRITE).
4. Free text is escaped on every page that shows it.
5. Free text cannot become a formula in any export (quizapp.exports).
6. No key, explanation or statute quote reaches the trainee before grading.
7. Generated requests (schemathesis, from app.openapi()) never get a 5xx.
8. Login sessions: renewed at login, revoked at once, idle and absolute time-outs, cookie flags.
9. The login throttle over HTTP: tests/integration/test_login_throttle.py (its rules: tests/unit/test_throttle.py);
   login CSRF and redirects: test_login_forms.py; initial passwords: test_initial_passwords.py.
"""
from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from openpyxl import load_workbook
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from quizapp import accounts, cohorts, county_list, exams, feedback, reports, supervision, surveys
from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.exports import FORMULA_TRIGGERS, XLSX
from quizapp.domain.errors import DomainError
from quizapp.models import (Attempt, Enrolment, Exam, LoginSession, MistakeEntry, Question, Role, Survey,
                            TeachingSession, User, utcnow)
from quizapp.web.app import create_app
from quizapp.web.csrf import HEADER, token_for
from quizapp.web.deps import COOKIE
from tests import builders
from tests.conftest import IN_CI, BrowserLikeClient

# --- who may do what -------------------------------------------------------------------
#
# anyone           no login needed
# logged-in        any logged-in user
# owner            the trainee whose attempt it is; any other logged-in user: 404
# member           a trainee enrolled in the object's cohort; anyone else logged in: 404
#                  (DENIED overrides this for one route)
# staff            instructor or supervisor; trainee, editor: 403
# staff-of-cohort  the cohort's instructors and any supervisor; another instructor: 404; trainee, editor: 403
# supervisor       supervisor only; everyone else: 403
# editor           editor only; everyone else: 403
# bank             instructor, supervisor or editor (the bank browser shows keys); trainee: 403
#
# A visitor is sent to /login (303) from a page, or gets 401 JSON from /api/.

roster_xlsx = builders.roster_xlsx


ACCESS = {
    ("GET", "/"): "anyone",                        # the handbook (here: the "not built yet" page)
    ("GET", "/healthz"): "anyone",
    ("GET", "/login"): "anyone",
    ("POST", "/login"): "anyone",
    ("POST", "/logout"): "anyone",
    ("GET", "/account/password"): "logged-in",
    ("POST", "/account/password"): "logged-in",
    ("GET", "/practice/"): "logged-in",
    ("GET", "/practice/start"): "anyone",          # the handbook's 练一练 links: a redirect to /practice/next
    ("GET", "/practice/next"): "logged-in",
    ("POST", "/practice/answer"): "logged-in",
    ("GET", "/practice/set"): "logged-in",            # a set's token names its owner: another user's is 403
    ("GET", "/practice/feedback"): "logged-in",       # the user's own latest answer only
    ("GET", "/exams/"): "logged-in",
    ("GET", "/exams/{exam_id}"): "member",               # 考试须知 (the trainee's open attempt: back to it)
    ("POST", "/exams/{exam_id}/start"): "member",
    ("GET", "/attempts/{attempt_id}"): "owner",
    ("POST", "/attempts/{attempt_id}/submit"): "owner",
    ("GET", "/attempts/{attempt_id}/result"): "owner",
    ("POST", "/api/attempts/{attempt_id}/answers"): "owner",
    ("GET", "/api/attempts/{attempt_id}/state"): "owner",
    ("POST", "/api/attempts/{attempt_id}/events"): "owner",
    ("POST", "/api/attempts/{attempt_id}/check"): "owner",
    ("GET", "/api/attempts/{attempt_id}/sealed-paper"): "owner",
    ("GET", "/api/exams/{exam_id}/paper-key"): "anyone",   # the key of sealed papers, from the start second on
    ("POST", "/api/attempts/{attempt_id}/submit"): "owner",
    ("GET", "/mistakes/"): "logged-in",
    ("GET", "/mistakes/review"): "logged-in",
    ("POST", "/mistakes/review"): "logged-in",
    ("GET", "/mistakes/practice"): "logged-in",
    ("GET", "/mistakes/entries/{entry_id}"): "logged-in",  # the user's own entry only: anyone else's is 404
    ("GET", "/me"): "logged-in",
    ("GET", "/api/whoami"): "anyone",              # the handbook header's name ({"name": null} for a visitor)
    ("GET", "/surveys/"): "logged-in",
    ("GET", "/surveys/{survey_id}"): "member",
    ("POST", "/surveys/{survey_id}"): "member",
    ("GET", "/feedback/"): "logged-in",
    ("POST", "/feedback/{session_id}"): "member",
    ("GET", "/reports/new"): "logged-in",
    ("POST", "/reports/new"): "logged-in",
    ("GET", "/reports/"): "logged-in",
    ("GET", "/instructor/"): "staff",
    ("GET", "/instructor/exams/"): "staff",
    ("GET", "/instructor/exams/new"): "staff",
    ("POST", "/instructor/exams/new"): "staff",
    ("GET", "/instructor/exams/{exam_id}"): "staff-of-cohort",
    ("POST", "/instructor/exams/{exam_id}/grant"): "staff-of-cohort",
    ("POST", "/instructor/exams/attempts/{attempt_id}/extend"): "staff-of-cohort",
    ("GET", "/instructor/exams/{exam_id}/status"): "staff-of-cohort",
    ("GET", "/instructor/exams/{exam_id}/results"): "staff-of-cohort",
    ("GET", "/instructor/exams/{exam_id}/results.xlsx"): "staff-of-cohort",
    ("GET", "/instructor/exams/{exam_id}/results.csv"): "staff-of-cohort",
    ("GET", "/instructor/exams/attempts/{attempt_id}"): "staff-of-cohort",
    ("GET", "/instructor/exams/{exam_id}/preview"): "staff-of-cohort",
    ("GET", "/instructor/exams/{exam_id}/edit"): "staff-of-cohort",          # 修改, 关闭考试, 撤回: as every exam route
    ("POST", "/instructor/exams/{exam_id}/edit"): "staff-of-cohort",
    ("POST", "/instructor/exams/{exam_id}/close"): "staff-of-cohort",
    ("POST", "/instructor/exams/{exam_id}/withdraw"): "staff-of-cohort",
    ("POST", "/instructor/exams/new/preview"): "staff",
    ("GET", "/instructor/bank/"): "bank",
    ("GET", "/instructor/bank/{question_id}"): "bank",
    ("GET", "/instructor/cohorts/"): "staff",
    ("POST", "/instructor/cohorts/"): "staff",
    ("GET", "/instructor/cohorts/template.xlsx"): "staff",
    ("GET", "/instructor/cohorts/{cohort_id}"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/trainees"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/trainees/{user_id}/password"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/trainees/{user_id}/active"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/trainees/{user_id}/throttle"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/trainees/{user_id}/unit"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/roster"): "staff-of-cohort",
    ("GET", "/instructor/cohorts/uploads/{upload_id}"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/uploads/{upload_id}/confirm"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/uploads/{upload_id}/initial-passwords"): "staff-of-cohort",   # with the import's sealed token
    ("POST", "/instructor/cohorts/{cohort_id}/pretest"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/surveys"): "staff-of-cohort",
    ("GET", "/instructor/surveys/{survey_id}"): "staff-of-cohort",
    ("GET", "/instructor/surveys/{survey_id}/result.xlsx"): "staff-of-cohort",
    ("POST", "/instructor/cohorts/{cohort_id}/sessions"): "staff-of-cohort",
    ("GET", "/instructor/cohorts/{cohort_id}/sessions"): "staff-of-cohort",
    ("GET", "/supervisor/"): "supervisor",
    ("GET", "/supervisor/coverage.xlsx"): "supervisor",
    ("GET", "/supervisor/weak-areas.xlsx"): "supervisor",
    ("GET", "/supervisor/units"): "supervisor",
    ("POST", "/supervisor/units"): "supervisor",
    ("POST", "/supervisor/units/aliases"): "supervisor",
    ("POST", "/supervisor/units/roster"): "supervisor",
    ("GET", "/supervisor/units/{unit_id}"): "supervisor",
    ("POST", "/supervisor/units/{unit_id}"): "supervisor",
    ("POST", "/supervisor/units/{unit_id}/delete"): "supervisor",
    ("POST", "/supervisor/units/{unit_id}/officers"): "supervisor",
    ("POST", "/supervisor/officers/{officer_id}"): "supervisor",
    ("POST", "/supervisor/officers/{officer_id}/remove"): "supervisor",
    ("GET", "/supervisor/audit"): "supervisor",
    ("GET", "/supervisor/audit.xlsx"): "supervisor",
    ("GET", "/supervisor/enrolments"): "supervisor",
    ("POST", "/supervisor/enrolments/{cohort_id}/{user_id}"): "supervisor",
    ("GET", "/supervisor/items/"): "staff",                       # 赋权事项清单: instructors read, supervisors import
    ("POST", "/supervisor/items/lists"): "supervisor",
    ("GET", "/supervisor/items/lists/{list_id}"): "staff",
    ("POST", "/supervisor/items/lists/{list_id}/confirm"): "supervisor",
    ("POST", "/supervisor/items/lists/{list_id}/matches"): "supervisor",     # correcting the preview's matches
    ("GET", "/supervisor/items/lists/{list_id}/report.xlsx"): "staff",
    ("GET", "/api/items/delegated"): "anyone",     # the handbook's greying ({"list": null} for a visitor, as whoami)
    ("GET", "/supervisor/items/readiness"): "supervisor",
    ("GET", "/supervisor/items/readiness.xlsx"): "supervisor",                 # the handbook greys what the county did not delegate
    ("GET", "/editor/"): "editor",
    ("GET", "/editor/reports/{report_id}"): "editor",
    ("POST", "/editor/reports/{report_id}"): "editor",
    ("POST", "/editor/questions/{question_id}/suspend"): "editor",
    ("GET", "/editor/impact"): "editor",
    ("GET", "/editor/impact.txt"): "editor",
    ("GET", "/editor/export/moodle.xml"): "editor",
    ("GET", "/editor/export/gift.txt"): "editor",
}

# Where a refusal is not the category's usual one. Starting a cohort's exam by id
# (or reading its 考试须知) when not enrolled says so (403, "您不在该考试所属的培训班中"; no title or data of the exam).
DENIED = {("POST", "/exams/{exam_id}/start"): 403, ("GET", "/exams/{exam_id}"): 403}

# What an allowed user gets besides < 400 (a POST with minimal form data may also get 422).
DOCUMENTED = {
    ("POST", "/login"): {401},       # the walk posts an unknown account: the login page says so
    ("POST", "/supervisor/enrolments/{cohort_id}/{user_id}"): {404},   # the victim's enrolment is not pending
    # the walk has no import's hand-over token: the initial-password workbook is gone (410), as after 10 minutes
    ("POST", "/instructor/cohorts/uploads/{upload_id}/initial-passwords"): {410},
    # the world's trainee has an open attempt: practice and the mistake book are paused (考试进行中，练习暂停)
    **{route: {409} for route in (("GET", "/practice/"), ("GET", "/practice/next"), ("POST", "/practice/answer"),
                                  ("GET", "/mistakes/"), ("GET", "/mistakes/review"), ("POST", "/mistakes/review"),
                                  ("GET", "/practice/set"), ("GET", "/practice/feedback"), ("GET", "/mistakes/practice"))},
    ("GET", "/mistakes/entries/{entry_id}"): {404, 409},   # not in one's own book; the trainee's: paused
    # the world's attempt has started: no sealed paper to give; its exam has no start second: no key
    ("GET", "/api/attempts/{attempt_id}/sealed-paper"): {409},
    ("GET", "/api/exams/{exam_id}/paper-key"): {404},
}

COOKIE_DOMAIN = "testserver.local"       # where the test client keeps the cookies the app sets
ACTORS = ("anonymous", "trainee", "teacher", "instructor", "editor", "supervisor")
ROLE_OF = {"trainee": Role.trainee, "teacher": Role.instructor, "instructor": Role.instructor,
           "editor": Role.editor, "supervisor": Role.supervisor}
# The cohort's own data; none of it may reach anyone but its trainee, its instructor, a supervisor (and editors
# for the trainee's report). Every name and title below contains it.
SECRET = "机密"
LATE = ("/attempts/{attempt_id}/submit", "/api/attempts/{attempt_id}/submit", "/logout")   # walked last


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every API route (HEAD left out; the static mounts are not API routes)."""
    try:        # FastAPI >= 0.16x includes routers lazily: app.routes holds one entry per router
        from fastapi.routing import iter_route_contexts
        found = [(rc.original_route, rc.path, rc.methods) for rc in iter_route_contexts(app.routes)]
    except ImportError:
        found = [(r, getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    return {(m, path) for route, path, methods in found if isinstance(route, APIRoute) for m in methods - {"HEAD"}}


def expected(route: tuple[str, str], actor: str) -> str:
    """'ok', 'login', 403 or 404 (as a string) for this actor on this route."""
    kind = ACCESS[route]
    if kind == "anyone":
        return "ok"
    if actor == "anonymous":
        return "login"
    denied = str(DENIED.get(route, 404))
    return {
        "logged-in": "ok",
        "owner": "ok" if actor == "trainee" else denied,
        "member": "ok" if actor == "trainee" else denied,
        "staff": "ok" if actor in ("teacher", "instructor", "supervisor") else "403",
        "staff-of-cohort": ("ok" if actor in ("teacher", "supervisor") else "404" if actor == "instructor"
                            else "403"),
        "supervisor": "ok" if actor == "supervisor" else "403",
        "editor": "ok" if actor == "editor" else "403",
        "bank": "403" if actor == "trainee" else "ok",
    }[kind]


# --- the world: one cohort and its objects, owned by "teacher" ---------------------------------



def one_of_each_type(db: Session) -> dict[str, Question]:
    out = {}
    for q in db.exec(select(Question).where(Question.active == True).order_by(Question.id)):  # noqa: E712
        out.setdefault(q.type, q)
    assert set(out) == {"single", "multiple", "judge", "case"}, set(out)
    return out


@dataclass
class World:
    app: object
    db: Session
    engine: object
    users: dict[str, User]
    cohort: object = None
    exam: object = None
    attempt: object = None
    survey: object = None
    session: object = None
    upload: object = None
    report: object = None
    unit: object = None            # a unit (镇街) with two officers on its roster: the first is removed by the walk
    officer: object = None
    county_list: object = None     # a pending 赋权事项清单: confirmed by the walk
    victim: User | None = None
    questions: dict[str, Question] = field(default_factory=dict)
    clients: dict[str, BrowserLikeClient] = field(default_factory=dict)

    def login(self, user: User | None, **kw) -> BrowserLikeClient:
        """A client with a live session of ``user`` (made in the database: no password hashing, no throttle)."""
        client = BrowserLikeClient(self.app, follow_redirects=False, **kw)
        if user is not None:
            client.cookies.set(COOKIE, accounts.start_session(self.db, user, days=14), domain=COOKIE_DOMAIN)
        return client

    def client(self, actor: str) -> BrowserLikeClient:
        if actor not in self.clients:
            self.clients[actor] = self.login(self.users.get(actor))
        return self.clients[actor]

    @property
    def ids(self) -> dict[str, object]:
        return {"exam_id": self.exam.id, "attempt_id": self.attempt.id, "cohort_id": self.cohort.id,
                "user_id": self.victim.id, "upload_id": self.upload.id, "survey_id": self.survey.id,
                "session_id": self.session.id, "report_id": self.report.id,
                "unit_id": self.unit.id, "officer_id": self.officer.id, "list_id": self.county_list.id,
                "question_id": self.questions["single"].id, "entry_id": 1}

    def url(self, path: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: str(self.ids[m.group(1)]), path)


@pytest.fixture
def app(sqlite_url, engine):
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def world(app, db, engine) -> World:
    users = {actor: builders.user(db, actor, role, display_name={"trainee": f"{SECRET}学员张三"}.get(actor, actor),
                                  unit={"trainee": f"{SECRET}镇"}.get(actor, ""))
             for actor, role in ROLE_OF.items()}
    w = World(app, db, engine, users, questions=one_of_each_type(db))
    teacher = users["teacher"]
    w.cohort = cohorts.create_cohort(db, creator=teacher, name=f"{SECRET}轮训班", unit=f"{SECRET}司法所")
    cohorts.enrol_one(db, teacher, w.cohort, username="trainee", display_name=f"{SECRET}学员张三", unit=f"{SECRET}镇")
    cohorts.enrol_one(db, teacher, w.cohort, username="victim", display_name=f"{SECRET}学员李四", unit=f"{SECRET}街道")
    w.victim = db.exec(builders.select_user("victim")).one()
    w.victim.must_change_password = False          # has changed the initial password (tests/integration/test_initial_passwords.py)
    db.add(w.victim)
    db.commit()
    w.exam = builders.exam(db, title=f"{SECRET}结业考试", cohort_id=w.cohort.id,
                           question_ids=[q.id for q in w.questions.values()])
    w.attempt = exams.start_attempt(db, users["trainee"], w.exam.id)
    w.survey = surveys.create_survey(db, teacher, w.cohort, title=f"{SECRET}需求调查")
    w.session = feedback.add_session(db, w.cohort, title=f"{SECRET}课程", held_on=None, teacher=f"{SECRET}讲师")
    upload = cohorts.upload_roster(db, teacher, w.cohort, filename="roster.xlsx",
                                   data=roster_xlsx([(f"{SECRET}学员王五", f"{SECRET}社区", "13900000002")]))
    w.upload, _ = cohorts.confirm_upload(db, teacher, upload, good_rows_only=False)
    w.report = reports.submit(db, users["trainee"], category="other", text=f"{SECRET}反馈内容",
                              question_id=w.questions["single"].id)
    w.unit = supervision.save_unit(db, None, name=f"{SECRET}镇", aliases="")
    w.officer = supervision.save_officer(db, None, unit_id=w.unit.id, name=f"{SECRET}执法员甲", phone="13900000011")
    supervision.save_officer(db, None, unit_id=w.unit.id, name=f"{SECRET}执法员乙", phone="13900000012")
    w.county_list = county_list.save_pending(db, users["supervisor"], f"{SECRET}县赋权事项清单", "list.xlsx",
                                             [county_list.ListRow(2, "1", f"{SECRET}事项", basis="《农药管理条例》第五十五条")])
    return w


def request_data(w: World, actor: str, method: str, path: str) -> dict:
    """Minimal valid request arguments of each POST route (a route without an entry fails the walk)."""
    if method != "POST":
        return {}
    q = w.questions["single"]
    data = {
        "/login": {"data": {"username": f"nobody-{actor}", "password": "wrong-password"}},
        "/logout": {},
        "/account/password": {"data": {}},
        "/practice/answer": {"data": {"question_id": q.id, "choice": q.answer}},
        "/mistakes/review": {"data": {"question_id": q.id, "choice": q.answer}},
        "/exams/{exam_id}/start": {},
        "/attempts/{attempt_id}/submit": {},
        "/api/attempts/{attempt_id}/answers": {"json": {"question_id": q.id, "response": q.answer}},
        "/api/attempts/{attempt_id}/events": {"json": {"kind": "focus"}},
        "/api/attempts/{attempt_id}/check": {"json": {}},
        "/api/attempts/{attempt_id}/submit": {},
        "/surveys/{survey_id}": {"data": {}},
        "/feedback/{session_id}": {"data": {}},
        "/reports/new": {"data": {}},
        "/instructor/exams/new": {"data": {}},
        "/instructor/exams/new/preview": {"data": {"mode": "fixed", "question_ids": q.id}},
        "/instructor/exams/{exam_id}/grant": {"data": {"user_id": str(w.users["trainee"].id), "confirmed": "yes"}},
        "/instructor/exams/attempts/{attempt_id}/extend": {"data": {"minutes": "5", "confirmed": "yes"}},
        "/instructor/exams/{exam_id}/edit": {"data": {"description": "考试说明"}},     # allowed once started
        "/instructor/exams/{exam_id}/close": {"data": {}},              # unconfirmed: only asked, the exam stays open
        "/instructor/exams/{exam_id}/withdraw": {"data": {"confirmed": "yes"}},   # refused: the exam has an attempt
        "/instructor/cohorts/": {"data": {}},
        "/instructor/cohorts/{cohort_id}/trainees": {"data": {}},
        "/instructor/cohorts/{cohort_id}/trainees/{user_id}/password": {"data": {"confirmed": "yes"}},
        "/instructor/cohorts/{cohort_id}/trainees/{user_id}/active": {"data": {"active": "yes"}},
        "/instructor/cohorts/{cohort_id}/trainees/{user_id}/throttle": {},
        "/instructor/cohorts/{cohort_id}/trainees/{user_id}/unit": {"data": {"unit": "某镇"}},
        "/instructor/cohorts/{cohort_id}/roster": {"files": {"file": (
            "roster.xlsx", roster_xlsx([("赵六", "某镇", "13900000003")]), XLSX)}},
        "/instructor/cohorts/uploads/{upload_id}/confirm": {"data": {}},
        "/instructor/cohorts/uploads/{upload_id}/initial-passwords": {"data": {"handover": "expired"}},
        "/instructor/cohorts/{cohort_id}/pretest": {"data": {}},
        "/instructor/cohorts/{cohort_id}/surveys": {"data": {}},
        "/instructor/cohorts/{cohort_id}/sessions": {"data": {"title": "新课程"}},
        "/supervisor/enrolments/{cohort_id}/{user_id}": {"data": {"decision": "approve"}},
        "/supervisor/units": {"data": {"name": f"新单位{actor}"}},
        "/supervisor/units/aliases": {"data": {"unit_id": str(w.unit.id), "alias": f"别名{actor}"}},
        "/supervisor/units/roster": {"files": {"file": (
            "officers.xlsx", roster_xlsx([("赵六", f"{SECRET}镇", "13900000013")]), XLSX)}},
        "/supervisor/units/{unit_id}": {"data": {"name": f"{SECRET}镇"}},
        "/supervisor/units/{unit_id}/delete": {"data": {"confirmed": "yes"}},          # refused while the roster has the second officer
        "/supervisor/units/{unit_id}/officers": {"data": {"name": "钱七", "phone": "13900000014"}},
        "/supervisor/officers/{officer_id}": {"data": {"name": "执法员甲", "phone": "13900000011"}},
        "/supervisor/officers/{officer_id}/remove": {"data": {"confirmed": "yes"}},
        "/supervisor/items/lists": {"files": {"file": ("list.xlsx", roster_xlsx([("事项名称", "执法依据"),
                                                                              ("对擅自占用城市道路的行政处罚", "")]), XLSX)}},
        "/supervisor/items/lists/{list_id}/confirm": {},
        "/supervisor/items/lists/{list_id}/matches": {"data": {"match-2": "none"}},
        "/editor/reports/{report_id}": {"data": {"version": "1", "status": "in_progress"}},
        "/editor/questions/{question_id}/suspend": {"data": {"suspended": "no"}},
    }
    assert path in data, f"POST {path}: add its minimal form data to request_data() in {__file__}"
    return data[path]


def walk_order(routes):
    """GETs, then POSTs, then those that end the attempt or the session."""
    return sorted(routes, key=lambda r: (r[1] in LATE, r[0] != "GET", r[1], r[0]))


def check(route, actor, r, expect):
    method, path = route
    where = f"{actor} {method} {path} -> {r.status_code}: {r.text[:300]}"
    assert r.status_code < 500, where
    if expect == "ok":
        assert (r.status_code < 400 or (method == "POST" and r.status_code == 422)
                or r.status_code in DOCUMENTED.get(route, ())), where
    elif expect == "login":
        if path.startswith("/api/"):
            assert r.status_code == 401 and r.headers["content-type"].startswith("application/json"), where
            assert r.json() == {"detail": "登录已失效，请重新登录"}, where
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), where
    else:
        assert r.status_code == int(expect), where
        if actor != "trainee":      # the trainee's own name is in the footer; everyone else sees none of the cohort
            assert SECRET not in r.text, where


# --- 1. the route matrix ---------------------------------------------------------------------

def test_the_access_table_covers_exactly_the_apps_routes(app):
    routes = app_routes(app)
    missing = sorted(routes - set(ACCESS))
    stale = sorted(set(ACCESS) - routes)
    assert not missing, f"routes without an entry in ACCESS ({__file__}): {missing}"
    assert not stale, f"entries in ACCESS for routes the app no longer has: {stale}"
    assert len(routes) >= 70


def test_every_route_answers_each_role_as_the_table_says(world):
    routes = walk_order(app_routes(world.app))
    for route in routes:
        method, path = route
        for actor in ACTORS:
            r = world.client(actor).request(method, world.url(path), **request_data(world, actor, method, path))
            check(route, actor, r, expected(route, actor))


# --- 2. another user's objects -----------------------------------------------------------------

def test_another_users_objects_by_id_are_404_and_show_nothing_of_them(world, db):
    w = world
    # a trainee of another cohort, and a classmate: the trainee's attempt is theirs alone
    other_teacher = w.users["instructor"]
    other = cohorts.create_cohort(db, creator=other_teacher, name="别的班")
    cohorts.enrol_one(db, other_teacher, other, username="outsider", display_name="外班学员", unit="外镇")
    outsider_user = db.exec(builders.select_user("outsider")).one()
    outsider_user.must_change_password = False          # past the first login's password change
    db.add(outsider_user)
    db.commit()
    outsider = w.login(outsider_user)
    classmate = w.login(w.victim)
    exams.submit(db, w.users["trainee"], w.attempt.id)
    own = w.client("trainee").get(w.url("/attempts/{attempt_id}/result"))
    assert own.status_code == 200 and f"{SECRET}结业考试" in own.text
    trainee_side = ["/attempts/{attempt_id}", "/attempts/{attempt_id}/result", "/api/attempts/{attempt_id}/state",
                    "/surveys/{survey_id}"]
    for path in trainee_side:
        for who, client in (("outsider", outsider), ("classmate", classmate)):
            if who == "classmate" and "attempt" not in path:
                continue            # the cohort's survey is the classmate's too
            r = client.get(w.url(path))
            assert r.status_code == 404, (who, path, r.status_code)
            leaked = [s for s in (f"{SECRET}学员张三", f"{SECRET}镇", str(w.attempt.id) + "/result") if s in r.text]
            if who == "outsider":
                leaked += [SECRET] if SECRET in r.text else []
            assert not leaked, (who, path, leaked)
    for path, kw in (("/surveys/{survey_id}", {"data": {"q0": "x"}}), ("/feedback/{session_id}", {"data": {}}),
                     ("/api/attempts/{attempt_id}/answers", {"json": {"question_id": "x", "response": []}}),
                     ("/api/attempts/{attempt_id}/submit", {}), ("/api/attempts/{attempt_id}/check", {"json": {}})):
        r = outsider.post(w.url(path), **kw)
        assert r.status_code == 404 and SECRET not in r.text, (path, r.status_code)

    stranger = w.client("instructor")
    staff_side = [p for (m, p), kind in ACCESS.items() if kind == "staff-of-cohort" and m == "GET"]
    assert len(staff_side) >= 10
    for path in staff_side:
        r = stranger.get(w.url(path))
        assert r.status_code == 404, (path, r.status_code)
        assert SECRET not in r.text and "xlsx" not in r.headers["content-type"] + r.headers.get("content-disposition", "")
    # nor on the stranger's own lists
    for path in ("/instructor/", "/instructor/cohorts/", "/instructor/exams/", "/instructor/exams/new", "/exams/",
                 "/surveys/", "/feedback/", "/me", "/reports/"):
        r = stranger.get(path)
        assert r.status_code == 200 and SECRET not in r.text, (path, [m.start() for m in re.finditer(SECRET, r.text)])


# --- 3. CSRF; GET changes nothing ----------------------------------------------------------------

VOLATILE = {("login_sessions", "last_seen_at")}


def snapshot(engine) -> dict[str, list[str]]:
    """Every row of every table (login_sessions.last_seen_at left out)."""
    out = {}
    with engine.connect() as conn:
        insp = inspect(conn)
        for table in insp.get_table_names():
            cols = [c["name"] for c in insp.get_columns(table) if (table, c["name"]) not in VOLATILE]
            rows = conn.execute(text(f'SELECT {", ".join(cols)} FROM "{table}"')).all()
            out[table] = sorted(map(repr, rows))
    return out


def changed(before, after) -> list[str]:
    return [t for t in after if before.get(t) != after[t]]


def first_allowed(route) -> str:
    return next(a for a in ("trainee", "teacher", "editor", "supervisor") if expected(route, a) == "ok")


def test_every_post_without_or_with_a_wrong_token_is_refused_and_changes_nothing(world):
    w = world
    tokens = {a: token_for(w.client(a).cookies.get(COOKIE)) for a in ("supervisor", "teacher")}
    posts = [r for r in walk_order(app_routes(w.app)) if r[0] == "POST"]
    assert len(posts) >= 25
    for actor in ACTORS:
        w.client(actor)             # sessions made before the snapshot
    before = snapshot(w.engine)
    for route in posts:
        method, path = route
        actor = first_allowed(route)
        client = w.client(actor)
        kw = request_data(w, actor, method, path)
        other_token = tokens["teacher" if actor == "supervisor" else "supervisor"]     # another user's token
        for headers in (None, {HEADER: "0" * 40}, {HEADER: other_token}, {HEADER: ""}):
            r = client.request(method, w.url(path), csrf=False, headers=headers, **kw)
            assert r.status_code == 403, (headers, method, path, r.status_code, r.text[:200])
            if path.startswith("/api/"):
                assert r.json()["detail"] == "页面已过期或来源不明，请刷新页面后重试"
            else:
                assert "页面已过期或来源不明" in r.text
        # a forged hidden form field is no better than a forged header
        if "data" in kw:
            r = client.post(w.url(path), csrf=False, data={**kw["data"], "csrf_token": other_token})
            assert r.status_code == 403, (path, r.status_code)
        after = snapshot(w.engine)
        assert not changed(before, after), f"POST {path} without a valid token changed {changed(before, after)}"


def test_a_refused_post_would_have_changed_something(world, db):
    """The same requests with the token do change things: the 403s above are the protection, not a no-op."""
    w = world
    teacher, trainee = w.client("teacher"), w.client("trainee")
    q = w.questions["single"]
    cases = [
        (teacher, "/instructor/cohorts/", {"data": {"name": "新班"}}, "cohorts"),
        (teacher, w.url("/instructor/cohorts/{cohort_id}/trainees"),
         {"data": {"username": "13900000009", "display_name": "新学员", "unit": "某镇"}}, "enrolments"),
        (trainee, w.url("/api/attempts/{attempt_id}/answers"), {"json": {"question_id": q.id, "response": q.answer}},
         "attempt_answers"),
        (teacher, w.url("/instructor/cohorts/{cohort_id}/roster"),
         {"files": {"file": ("r.xlsx", roster_xlsx([("赵六", "某镇", "13900000003")]), XLSX)}}, "roster_uploads"),
    ]
    for client, url, kw, table in cases:
        before = snapshot(w.engine)
        assert client.post(url, csrf=False, **kw).status_code == 403
        assert snapshot(w.engine) == before
        r = client.post(url, **kw)
        assert r.status_code < 400, (url, r.status_code)
        assert table in changed(before, snapshot(w.engine)), url
    # the page's own hidden field is accepted as well as the header
    token = token_for(teacher.cookies.get(COOKIE))
    r = teacher.post("/instructor/cohorts/", csrf=False, data={"name": "表单令牌班", "csrf_token": token})
    assert r.status_code == 303


# What a GET may write (each is tested in test_the_only_writes_a_get_may_make):
GET_MAY_WRITE = """
- login_sessions.last_seen_at: written at most once a minute by any request of a live session;
- login_sessions: the row of a session found idle past settings.session_idle_minutes is deleted;
- attempts (+ mistake_entries): an open attempt past its deadline is graded by any read of it or of
  the lists that show it (exams list, my results, instructor pages), as the sweeper would.
- prepared_papers: the waiting room's page (GET /attempts/{id} or GET .../sealed-paper before the
  start second) renders the paper for the session and keeps it (tests/integration/test_prepared_paper.py).
"""


def test_no_get_changes_anything(world):
    """Every GET route as every actor leaves every row of every table as it was, except
    GET_MAY_WRITE (documented and tested in test_the_only_writes_a_get_may_make): none of
    those is due in this walk, so here every table must stay exactly the same."""
    w = world
    gets = [r for r in walk_order(app_routes(w.app)) if r[0] == "GET"]
    for actor in ACTORS:
        w.client(actor)             # sessions made before the first snapshot
    before = snapshot(w.engine)
    for route in gets:
        for actor in ACTORS:
            assert w.client(actor).get(w.url(route[1])).status_code < 500
        after = snapshot(w.engine)          # once per route: every table read in full is slow
        assert not changed(before, after), f"GET {route[1]} (as {ACTORS}) changed {changed(before, after)}"


def test_the_only_writes_a_get_may_make(world, db):
    w = world
    trainee = w.client("trainee")
    token = trainee.cookies.get(COOKIE)
    row = db.get(LoginSession, accounts.token_hash(token))
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    db.add(row)
    # the attempt's time is up
    attempt = db.get(Attempt, w.attempt.id)
    attempt.deadline = utcnow() - timedelta(minutes=5)
    db.add(attempt)
    db.commit()
    before = snapshot(w.engine)
    assert trainee.get("/exams/").status_code == 200
    assert set(changed(before, snapshot(w.engine))) == {"attempts", "mistake_entries"}
    db.expire_all()
    assert db.get(Attempt, w.attempt.id).status == "graded"
    assert db.get(LoginSession, accounts.token_hash(token)).last_seen_at > utcnow() - timedelta(minutes=1)
    # idle past the limit: the session row goes
    row = db.get(LoginSession, accounts.token_hash(token))
    row.last_seen_at = utcnow() - timedelta(minutes=w.app.state.settings.session_idle_minutes + 1)
    db.add(row)
    db.commit()
    assert trainee.get("/exams/").status_code == 303
    db.expire_all()
    assert db.get(LoginSession, accounts.token_hash(token)) is None


# --- 4. free text is escaped -----------------------------------------------------------------------

XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
RAW = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><img')


@dataclass
class Texts:
    """Free text put in every field a user can fill that is shown to others."""
    cohort: str
    exam: str
    survey: str
    session: str
    enrolled: list[tuple[str, str]]           # (display name, unit) added one by one
    roster: list[tuple[str, str]]             # (name, unit) from an uploaded roster
    answers: list[str]                        # survey free-text answers
    comment: str                              # teaching-session comment
    report: str


@dataclass
class Populated:
    cohort_id: int
    exam_id: int
    survey_id: int
    session_id: int
    upload_id: int
    report_id: int
    attempt_ids: list[int]
    trainees: list[User]
    credentials: object = None        # the import's answer: the initial-password workbook


def populate(w: World, t: Texts) -> Populated:
    """Everything made over HTTP by the cohort's instructor and its trainees."""
    db, teacher = w.db, w.client("teacher")
    r = teacher.post("/instructor/cohorts/", data={"name": t.cohort, "unit": t.cohort})
    assert r.status_code == 303, r.text
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    for n, (name, unit) in enumerate(t.enrolled):
        r = teacher.post(f"/instructor/cohorts/{cid}/trainees",
                         data={"username": f"1380000000{n}", "display_name": name, "unit": unit})
        assert r.status_code == 303 and "初始密码" in teacher.get(r.headers["location"]).text, r.text
    rows = [(name, unit, f"1370000000{n}") for n, (name, unit) in enumerate(t.roster)]
    r = teacher.post(f"/instructor/cohorts/{cid}/roster", files={"file": ("名单.xlsx", roster_xlsx(rows), XLSX)})
    assert r.status_code == 303, r.text
    upload_id = int(r.headers["location"].rsplit("/", 1)[1])
    _, credentials = builders.confirm_import(teacher, f"/instructor/cohorts/uploads/{upload_id}")
    assert credentials.status_code == 200, credentials.text          # the initial-password workbook
    r = teacher.post("/instructor/exams/new", data={
        "title": t.exam, "mode": "fixed", "question_ids": " ".join(q.id for q in w.questions.values()),
        "time_limit_minutes": "30", "cohort_id": str(cid), "review_mode": "immediate", "attempts_allowed": "1"})
    assert r.status_code == 303, r.text
    exam_id = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    r = teacher.post(f"/instructor/cohorts/{cid}/surveys", data={"title": t.survey})
    survey_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert teacher.post(f"/instructor/cohorts/{cid}/sessions",
                        data={"title": t.session, "teacher": t.session}).status_code == 303
    session_id = db.exec(select(TeachingSession.id).where(TeachingSession.cohort_id == cid)).one()
    survey = db.get(Survey, survey_id)
    trainees = list(db.exec(select(User).join(Enrolment, Enrolment.user_id == User.id)
                            .where(Enrolment.cohort_id == cid).order_by(User.id)))
    assert len(trainees) == len(t.enrolled) + len(t.roster)
    for trainee in trainees:                    # as if each had changed the initial password
        trainee.must_change_password = False
        db.add(trainee)
    db.commit()
    attempt_ids = []
    for n, trainee in enumerate(trainees):
        c = w.login(trainee)
        ratings = {f"{k}:{topic}": "3" for topic in survey.topics for k in "cf"}
        answers = {f"q{i}": a for i, a in enumerate(t.answers)}
        assert c.post(f"/surveys/{survey_id}", data={**ratings, **answers}).status_code == 303   # to the answers, read-only
        r = c.post(f"/feedback/{session_id}", data={"content_fit": "4", "clarity": "4", "usefulness": "4",
                                                     "comment": t.comment})
        assert r.status_code == 303, r.text
        r = c.post(f"/exams/{exam_id}/start")
        attempt_id = int(r.headers["location"].rsplit("/", 1)[1])
        q = w.questions["single"]
        c.post(f"/api/attempts/{attempt_id}/answers", json={"question_id": q.id, "response": q.answer if n % 2 else []})
        assert c.post(f"/attempts/{attempt_id}/submit").status_code == 303
        attempt_ids.append(attempt_id)
    r = w.login(trainees[0]).post("/reports/new", data={"question": w.questions["single"].id, "category": "other",
                                                        "text": t.report})
    assert r.status_code == 303, r.text
    report_id = max(rr.id for rr in reports.queue(db))
    return Populated(cid, exam_id, survey_id, session_id, upload_id, report_id, attempt_ids, trainees, credentials)


def test_free_text_is_escaped_on_every_page_that_shows_it(world):
    w = world
    p = populate(w, Texts(cohort=XSS, exam=XSS, survey=XSS, session=XSS, enrolled=[(XSS, XSS)], roster=[(XSS, XSS)],
                          answers=[XSS, XSS], comment=XSS, report=XSS))
    trainee = w.login(p.trainees[0])
    pages = [
        (w.client("teacher"), ["/instructor/", "/instructor/cohorts/", f"/instructor/cohorts/{p.cohort_id}",
                               f"/instructor/cohorts/uploads/{p.upload_id}", "/instructor/exams/",
                               "/instructor/exams/new", f"/instructor/exams/{p.exam_id}",
                               f"/instructor/exams/{p.exam_id}/results", f"/instructor/exams/attempts/{p.attempt_ids[0]}",
                               f"/instructor/exams/{p.exam_id}/preview", f"/instructor/bank/{w.questions['single'].id}",
                               f"/instructor/surveys/{p.survey_id}", f"/instructor/cohorts/{p.cohort_id}/sessions"]),
        (w.client("supervisor"), ["/supervisor/", "/supervisor/audit", "/supervisor/units", f"/instructor/cohorts/{p.cohort_id}"]),
        (w.client("editor"), ["/editor/", f"/editor/reports/{p.report_id}"]),
        (trainee, ["/exams/", f"/attempts/{p.attempt_ids[0]}/result", "/surveys/", f"/surveys/{p.survey_id}",
                   "/feedback/", "/me", "/practice/", "/reports/", "/mistakes/"]),
    ]
    for client, urls in pages:
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            assert not [s for s in RAW if s in r.text], (url, [r.text[max(0, r.text.find(s) - 200):r.text.find(s) + 60]
                                                               for s in RAW if s in r.text])
            assert XSS in html.unescape(r.text), f"{url} does not show the free text at all"
    # echoed back in a form or a message
    echoes = [
        (w.client("anonymous"), "post", "/login", {"data": {"username": XSS, "password": "x", "next": "/" + XSS}}),
        (w.client("anonymous"), "get", "/login?next=/" + XSS, {}),
        (trainee, "post", f"/surveys/{p.survey_id}", {"data": {"q0": XSS}}),
        (trainee, "post", f"/feedback/{p.session_id}", {"data": {"comment": XSS}}),
        (trainee, "post", "/reports/new", {"data": {"page_path": XSS, "section": XSS, "category": "other", "text": XSS}}),
        (trainee, "get", "/practice/next?statute=" + XSS, {}),
        (trainee, "get", "/reports/new?page_path=" + XSS, {}),
        (w.client("teacher"), "post", "/instructor/cohorts/", {"data": {"name": XSS, "starts_on": XSS}}),
        (w.client("teacher"), "post", "/instructor/exams/new",
         {"data": {"title": XSS, "mode": "fixed", "question_ids": XSS, "time_limit_minutes": "30"}}),
        (w.client("teacher"), "post", f"/instructor/cohorts/{p.cohort_id}/trainees",
         {"data": {"username": XSS, "display_name": XSS, "unit": XSS}}),
        (w.client("editor"), "get", "/editor/impact?statute=" + XSS, {}),
        (w.client("editor"), "get", "/editor/?volume=" + XSS, {}),
    ]
    for client, method, url, kw in echoes:
        r = getattr(client, method)(url, **kw)
        assert r.status_code < 500 and not [s for s in RAW if s in r.text], (method, url, r.status_code)


# --- 5. no formula in any export -------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\t=1+2", "\r=1+2", "=1+2"]


def stored(value: str) -> str:
    return value.strip()                    # names, units and answers are stored stripped


def xlsx_cells(body: bytes) -> list:
    wb = load_workbook(io.BytesIO(body))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def test_no_export_lets_free_text_become_a_formula(world):
    w = world
    p = populate(w, Texts(cohort=FORMULAS[0], exam=FORMULAS[2], survey=FORMULAS[1], session=FORMULAS[3],
                          enrolled=[(FORMULAS[0], FORMULAS[1]), (FORMULAS[4], FORMULAS[5])],
                          roster=[(FORMULAS[2], FORMULAS[3]), (FORMULAS[6], FORMULAS[0])],
                          answers=[FORMULAS[0], FORMULAS[1]], comment=FORMULAS[2], report=FORMULAS[3]))
    teacher, supervisor = w.client("teacher"), w.client("supervisor")
    names = {stored(n) for n in (FORMULAS[0], FORMULAS[4], FORMULAS[2], FORMULAS[6])}
    units = {stored(u) for u in (FORMULAS[1], FORMULAS[5], FORMULAS[3], FORMULAS[0])}
    exports = {
        "results.xlsx": (teacher, f"/instructor/exams/{p.exam_id}/results.xlsx", names | units),
        "survey.xlsx": (teacher, f"/instructor/surveys/{p.survey_id}/result.xlsx", {stored(a) for a in FORMULAS[:2]}),
        "credentials.xlsx": (None, None,            # the answer to the import (populate)
                             {stored(FORMULAS[2]), stored(FORMULAS[3]), stored(FORMULAS[6]), stored(FORMULAS[0])}),
        "coverage.xlsx": (supervisor, "/supervisor/coverage.xlsx", units),   # unmatched unit names: a sheet
        "weak-areas.xlsx": (supervisor, "/supervisor/weak-areas.xlsx", set()),
        "audit-log.xlsx": (supervisor, "/supervisor/audit.xlsx", set()),
    }
    for label, (client, url, texts) in exports.items():
        r = client.get(url) if client else p.credentials
        assert r.status_code == 200 and r.headers["content-type"] == XLSX, (label, r.status_code)
        cells = xlsx_cells(r.content)
        assert not [c.coordinate for c in cells if c.data_type == "f"], f"{label}: formula cells"
        dangerous = [(c.coordinate, c.value) for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS)]
        assert not dangerous, f"{label}: {dangerous}"
        values = {c.value for c in cells}
        missing = {"'" + t for t in texts} - values
        assert not missing, f"{label}: neutralised texts missing: {sorted(missing)}"
    # numbers stay numbers: the score column of the results
    ws = load_workbook(io.BytesIO(teacher.get(f"/instructor/exams/{p.exam_id}/results.xlsx").content))["成绩"]
    header = [c.value for c in ws[1]]
    scores = [row[header.index("得分")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert len(scores) == 4 and all(isinstance(s, (int, float)) for s in scores), scores
    # the CSV read back
    r = teacher.get(f"/instructor/exams/{p.exam_id}/results.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    fields = [f for row in rows[1:] for f in row]
    assert not [f for f in fields if f.startswith(FORMULA_TRIGGERS)], fields
    assert {"'" + t for t in names | units} <= set(fields)
    score = rows[0].index("得分")
    assert all(float(row[score]) >= 0 for row in rows[1:])
    # the feedback summary has no export: nothing to check (the comments show on the page only)
    assert not [route for route in app_routes(w.app) if "sessions" in route[1] and route[1].endswith((".xlsx", ".csv"))]


# --- 6. no key before grading ------------------------------------------------------------------------

MARKERS = ("正确答案", "本小题正确", "本小题错误", 'class="right"', 'class="wrong"', 'class="explanation"',
           'class="statute"', "<h3>解析</h3>", '"answer"', '"explanation"', '"basis"', '"quote"')


def key_texts(questions: list[Question]) -> list[str]:
    """Explanations (question and case parts) and statute quotes that the paper itself does not show."""
    shown = " ".join(t for q in questions for t in (
        [q.stem, *q.options.values()] + [x for p in q.parts for x in (p["stem"], *p["options"].values())]))
    out = [q.explanation[:30] for q in questions] + [b["quote"][:20] for q in questions for b in q.basis]
    out += [p["explanation"][:30] for q in questions for p in q.parts if p.get("explanation")]
    return [s for s in out if s and s not in shown]


def test_no_response_of_a_whole_attempt_shows_the_key_until_it_is_graded(world, db):
    w = world
    exams.submit(db, w.users["trainee"], w.attempt.id)        # this attempt is the only one open
    questions = list(w.questions.values())
    assert {q.type for q in questions} == {"single", "multiple", "judge", "case"}
    exam = builders.exam(db, title="四种题型", question_ids=[q.id for q in questions], shuffle_options=True,
                         review_mode="immediate")
    c = w.client("trainee")
    bodies = [("exams list", c.get("/exams/"))]
    start = c.post(f"/exams/{exam.id}/start")
    bodies.append(("start", start))
    aid = int(start.headers["location"].rsplit("/", 1)[1])
    bodies.append(("paper", c.get(f"/attempts/{aid}")))
    bodies.append(("result while open", c.get(f"/attempts/{aid}/result")))
    for q in questions:
        for right in (False, True):          # a wrong save, then the right one
            bodies.append((f"save {q.id}", c.post(f"/api/attempts/{aid}/answers",
                                                  json={"question_id": q.id, "response": builders.response(q, right)})))
    for kind in ("blur", "focus", "offline", "online", "reload"):
        bodies.append((f"event {kind}", c.post(f"/api/attempts/{aid}/events", json={"kind": kind})))
    bodies += [("state", c.get(f"/api/attempts/{aid}/state")), ("reload", c.get(f"/attempts/{aid}")),
               ("exams list again", c.get("/exams/")), ("my results", c.get("/me")), ("mistakes", c.get("/mistakes/"))]
    secrets = key_texts(questions)
    assert len(secrets) >= 6, secrets
    for label, r in bodies:
        assert r.status_code < 400 or (label == "mistakes" and r.status_code == 409), (label, r.status_code)
        assert label != "mistakes" or "考试进行中，练习暂停" in r.text
        body = html.unescape(r.text)
        assert [m for m in MARKERS if m in body] == [], label
        assert [s for s in secrets if s in body] == [], label
    result = c.post(f"/attempts/{aid}/submit", follow_redirects=True)
    body = html.unescape(result.text)
    assert result.status_code == 200
    assert [s for s in secrets if s not in body] == []
    assert "<h3>解析</h3>" in body and 'class="statute"' in body and 'class="right"' in body
    assert db.get(Attempt, aid, populate_existing=True).score == db.get(Attempt, aid).max_score


def test_a_result_without_review_shows_no_key_either(world, db):
    w = world
    exams.submit(db, w.users["trainee"], w.attempt.id)        # no other attempt open: the review setting decides
    questions = list(w.questions.values())
    exam = builders.exam(db, title="不公布", question_ids=[q.id for q in questions], review_mode="never")
    c = w.client("trainee")
    aid = int(c.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
    result = c.post(f"/attempts/{aid}/submit", follow_redirects=True)
    body = html.unescape(result.text)
    assert result.status_code == 200 and "本考试不公布答案与解析" in body
    assert [m for m in MARKERS if m in body] == [] and [s for s in key_texts(questions) if s in body] == []


RIGHT_WRONG = ("回答正确", "回答错误", "已记入错题本", "移出错题本", "本小题正确", "本小题错误", "正确答案")


def trainee_routes_for(question: Question, other_attempt: int) -> list[tuple[str, str, dict]]:
    """Every trainee route that takes a question (or shows questions), called with one id on the paper."""
    qid = question.id
    answer = builders.form_response(question, True)
    return [
        ("GET", f"/practice/start?ids={qid}", {}), ("GET", f"/practice/next?ids={qid}", {}),
        ("GET", f"/practice/next?step={question.step}", {}), ("GET", "/practice/", {}),
        ("POST", "/practice/answer", {"data": {"question_id": qid, "ids": qid, **answer}}),
        ("POST", "/practice/answer", {"data": {"question_id": qid, **builders.form_response(question, False)}}),
        ("GET", "/mistakes/", {}), ("GET", "/mistakes/review", {}), ("GET", "/mistakes/practice", {}),
        ("GET", f"/practice/feedback?q={qid}", {}), ("GET", f"/practice/feedback?q={qid}&review=1", {}),
        ("POST", "/mistakes/review", {"data": {"question_id": qid, **answer}}),
        ("GET", f"/reports/new?question={qid}", {}), ("GET", "/reports/mine", {}),
        ("GET", f"/attempts/{other_attempt}/result", {}), ("GET", "/me", {}), ("GET", "/exams/", {}),
        ("GET", f"/instructor/bank/{qid}", {}), ("GET", f"/instructor/bank/?q={question.stem[:6]}", {}),
    ]


def test_while_an_attempt_is_open_no_route_tells_a_key_an_explanation_or_right_and_wrong(world, db):
    """For every question type on the paper: practice (by id, by step, answering it), the mistake book,
    the report form, another attempt's review and the results pages say nothing of the key."""
    w = world
    questions = list(w.questions.values())
    assert {q.type for q in questions} == {"single", "multiple", "judge", "case"}
    c = w.client("trainee")
    earlier = builders.exam(db, title="之前的测验", question_ids=[q.id for q in questions], review_mode="immediate")
    done = int(c.post(f"/exams/{earlier.id}/start").headers["location"].rsplit("/", 1)[1])
    for q in questions:                          # all wrong: every question is in the mistake book, all due now
        c.post(f"/api/attempts/{done}/answers", json={"question_id": q.id, "response": builders.response(q, False)})
    c.post(f"/attempts/{done}/submit")
    for entry in db.exec(select(MistakeEntry)).all():
        entry.due = utcnow() - timedelta(days=1)
        db.add(entry)
    db.commit()
    assert w.attempt.status == "open"            # the world's attempt holds the same questions
    secrets = key_texts(questions)
    paused = 0
    entries = {e.question_id: e.id for e in db.exec(select(MistakeEntry)).all()}
    for q in questions:
        for method, url, kw in trainee_routes_for(q, done) + [("GET", f"/mistakes/entries/{entries[q.id]}", {})]:
            r = c.request(method, url, **kw)
            body = html.unescape(r.text).replace('value="answer"', "")    # the report form's category 答案有误
            where = (q.type, method, url, r.status_code)
            assert r.status_code < 500, where
            assert [m for m in MARKERS if m in body] == [], where
            assert [s for s in secrets if s in body] == [], where
            assert [m for m in RIGHT_WRONG if m in body] == [], where
            assert q.id not in body.replace(f"question={q.id}", "").replace(f'value="{q.id}"', ""), where
            paused += "考试进行中，练习暂停" in body
    assert paused >= 6 * len(questions)
    exams.submit(db, w.users["trainee"], w.attempt.id)
    after = html.unescape(c.get(f"/attempts/{done}/result").text)
    assert "<h3>解析</h3>" in after                     # the review is back once nothing is open


def test_exam_answers_enter_the_mistake_book_only_when_the_review_would_show_them(client, db):
    trainee = builders.user(db)
    builders.login(client)
    never = builders.exam(db, title="不公布", review_mode="never")
    later = builders.exam(db, title="结束后公布", review_mode="after_close", closes_at=utcnow() + timedelta(hours=1))
    now = builders.exam(db, title="立即公布", review_mode="immediate")
    for exam in (never, later, now):
        aid = int(client.post(f"/exams/{exam.id}/start").headers["location"].rsplit("/", 1)[1])
        client.post(f"/attempts/{aid}/submit")           # nothing answered: every question wrong

    def in_book() -> set[str]:
        db.expire_all()
        return {e.question_id for e in db.exec(select(MistakeEntry).where(MistakeEntry.user_id == trainee.id))}

    def paper(exam) -> set[str]:
        attempt = db.exec(select(Attempt).where(Attempt.exam_id == exam.id)).one()
        return {i["question_id"] for i in attempt.paper}

    client.get("/mistakes/")
    assert in_book() == paper(now)
    exam = db.get(Exam, later.id)
    exam.closes_at = utcnow() - timedelta(minutes=1)
    db.add(exam)
    db.commit()
    client.get("/mistakes/")
    assert in_book() == paper(now) | paper(later)
    assert not (paper(never) - paper(now) - paper(later)) & in_book()


def test_exam_only_questions_never_reach_practice_the_mistake_book_or_a_quiz(client, db):
    trainee = builders.user(db)
    q = db.exec(select(Question).where(Question.active == True, Question.type == "single")).first()  # noqa: E712
    q.pool = "exam"
    db.add(q)
    db.commit()
    builders.login(client)
    assert client.get(f"/practice/next?ids={q.id}").text.count(q.stem[:20]) == 0
    r = client.post("/practice/answer", data={"question_id": q.id, **builders.form_response(q, False)})
    assert r.status_code == 404 and q.stem[:20] not in r.text
    with pytest.raises(DomainError, match="考试专用题只能用于结业考试"):
        builders.exam(db, title="小测", question_ids=[q.id])
    final = builders.exam(db, title="结业考试", certifying=True, question_ids=[q.id], review_mode="immediate")
    aid = int(client.post(f"/exams/{final.id}/start").headers["location"].rsplit("/", 1)[1])
    client.post(f"/attempts/{aid}/submit")                   # wrong: but an exam-only question stays out
    assert client.get("/mistakes/").status_code == 200
    db.expire_all()
    assert db.exec(select(MistakeEntry).where(MistakeEntry.user_id == trainee.id)).all() == []


# --- 7. generated requests never get a 5xx -----------------------------------------------------------

def test_generated_requests_to_every_operation_never_get_a_server_error(world, db):
    """Schemathesis draws requests for every operation of app.openapi() (valid ones, invalid ones, and valid
    ones on the world's real ids), sent in-process with a trainee's and then an instructor's session
    (cookie and CSRF header on each). Any 5xx, or the app raising, fails the test."""
    try:
        import schemathesis
    except ImportError:
        if IN_CI:
            pytest.fail("schemathesis is not installed (it is in the test extras of pyproject.toml)")
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.python.asgi import ASGIClient

    w = world
    schema = schemathesis.openapi.from_dict(w.app.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    client = ASGIClient(w.app)          # in-process, without starting the app's lifespan (no sweeper)
    failures, sent = [], {}
    quick = settings(max_examples=3, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))
    for actor in ("trainee", "teacher"):
        user = w.users[actor]
        for op in operations:
            if op.path == "/logout":
                continue                # ends the session under test; its own tests are in section 8
            real = {k: v for k, v in w.ids.items() if "{" + k + "}" in op.path}
            strategies = [("valid", op.as_strategy()), ("invalid", op.as_strategy(generation_mode=GenerationMode.NEGATIVE))]
            if real:
                strategies.append(("real ids", op.as_strategy(path_parameters=real)))
            for mode, strategy in strategies:
                @quick
                @given(case=strategy)
                def run(case):
                    token = accounts.start_session(db, user, days=1)     # a live session for every request
                    sent[actor, op.label] = sent.get((actor, op.label), 0) + 1
                    try:
                        r = case.call(session=client, headers={HEADER: token_for(token)}, cookies={COOKIE: token})
                    except Exception as e:  # noqa: BLE001 - the app raising is a server error too
                        failures.append((actor, op.label, mode, repr(e)[:300], case.path_parameters, case.query,
                                         case.body))
                        return
                    if r.status_code >= 500:
                        failures.append((actor, op.label, mode, r.status_code, case.path_parameters, case.query,
                                         case.body if not isinstance(case.body, bytes) else case.body[:100]))
                try:
                    run()
                except Unsatisfiable:
                    assert mode == "invalid", (actor, op.label, mode)   # no invalid request to an operation without parameters
    assert not failures, "\n".join(map(repr, failures[:20]))
    assert len(sent) == 2 * (len(operations) - 1), sorted({op.label for op in operations} - {k[1] for k in sent})


def test_out_of_range_ids_and_unknown_trainees_are_refused_not_server_errors(world, db):
    """Found by the generated requests: an id beyond SQLite's 64 bits raised OverflowError (500), and
    granting an attempt to a user id that does not exist broke a foreign key (500)."""
    w = world
    huge = 2 ** 64
    teacher, trainee = w.client("teacher"), w.client("trainee")
    for client, method, url in ((trainee, "get", f"/attempts/{huge}"), (trainee, "get", f"/api/attempts/{huge}/state"),
                                (teacher, "get", f"/instructor/cohorts/{huge}"),
                                (teacher, "post", f"/instructor/cohorts/{huge}/surveys")):
        r = getattr(client, method)(url)
        assert r.status_code == 422, (url, r.status_code)
    assert trainee.get(f"/api/attempts/{huge}/state").json() == {"detail": "提交的数据格式有误"}
    outsider = builders.user(db, "outsider")                 # exists, but not in the exam's cohort
    for user_id in (0, 999_999, outsider.id):
        r = teacher.post(w.url("/instructor/exams/{exam_id}/grant"), data={"user_id": str(user_id)})
        assert r.status_code == 404 and "不在本考试所属的培训班中" in r.text, (user_id, r.status_code)
    assert teacher.post(w.url("/instructor/exams/{exam_id}/grant"),
                        data={"user_id": str(w.users["trainee"].id), "confirmed": "yes"}).status_code == 303


# --- 8. sessions ------------------------------------------------------------------------------------

def logged_in(client) -> bool:
    return client.get("/me").status_code == 200


def session_rows(db, user: User) -> int:
    db.expire_all()
    return len(db.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all())


def test_a_login_always_starts_a_new_session(world, db):
    w = world
    c = w.client("anonymous")
    c.cookies.set(COOKIE, "planted-by-someone-else", domain=COOKIE_DOMAIN)            # session fixation: a cookie set before the login
    assert not logged_in(c)
    r = c.post("/login", data={"username": "trainee", "password": builders.PASSWORD})
    first = c.cookies.get(COOKIE)
    assert r.status_code == 303 and first != "planted-by-someone-else" and logged_in(c)
    r = c.post("/login", data={"username": "trainee", "password": builders.PASSWORD})
    second = c.cookies.get(COOKIE)
    assert r.status_code == 303 and second != first and logged_in(c)
    old = w.login(None)
    old.cookies.set(COOKIE, first, domain=COOKIE_DOMAIN)
    assert not logged_in(old)                                   # the session before the login is over
    assert db.get(LoginSession, accounts.token_hash(first)) is None


def test_logout_password_change_reset_and_disabling_end_sessions_at_once(world, db):
    w = world
    trainee = w.users["trainee"]
    a, b = w.login(trainee), w.login(trainee)
    assert logged_in(a) and logged_in(b)
    # logout ends this session only
    a.post("/logout")
    assert not logged_in(a) and logged_in(b)
    # a password change ends every other session, keeps the current one
    a, c = w.login(trainee), w.login(trainee)
    new = "another-horse-2"
    r = b.post("/account/password", data={"old": builders.PASSWORD, "new": new, "again": new})
    assert r.status_code == 200 and "密码已修改" in r.text
    assert logged_in(b) and not logged_in(a) and not logged_in(c)
    assert session_rows(db, trainee) == 1
    # the instructor resets the password: every session ends (the trainee is in an exam: asked first)
    a = w.login(trainee)
    teacher = w.client("teacher")
    r = teacher.post(f"/instructor/cohorts/{w.cohort.id}/trainees/{trainee.id}/password")
    assert r.status_code == 409 and "正在考试" in r.text and logged_in(a)
    r = teacher.post(f"/instructor/cohorts/{w.cohort.id}/trainees/{trainee.id}/password",
                     data={"confirm": "yes", "confirmed": "yes"})
    assert r.status_code == 303 and "已重置" in teacher.get(r.headers["location"]).text
    assert not logged_in(a) and not logged_in(b) and session_rows(db, trainee) == 0
    # disabling ends every session and refuses the next login; enabling lets it in again
    a = w.login(trainee)
    r = teacher.post(f"/instructor/cohorts/{w.cohort.id}/trainees/{trainee.id}/active",
                     data={"active": "no", "confirm": "yes", "confirmed": "yes"})
    assert r.status_code == 303
    assert not logged_in(a) and session_rows(db, trainee) == 0
    db.refresh(trainee)
    password = "reset-horse-3"
    trainee.password_hash = accounts.hash_password(password)
    db.add(trainee)
    db.commit()
    assert builders.login(w.login(None), "trainee", password).status_code == 401
    teacher.post(f"/instructor/cohorts/{w.cohort.id}/trainees/{trainee.id}/active", data={"active": "yes"})
    assert builders.login(w.login(None), "trainee", password).status_code == 303


def test_idle_and_absolute_time_outs_end_a_session(world, db):
    w = world
    idle = timedelta(minutes=w.app.state.settings.session_idle_minutes)
    c = w.client("trainee")
    row = db.get(LoginSession, accounts.token_hash(c.cookies.get(COOKIE)))
    row.last_seen_at = utcnow() - idle + timedelta(minutes=1)      # almost idle: still in, and seen now
    db.add(row)
    db.commit()
    assert logged_in(c)
    db.refresh(row)
    assert row.last_seen_at > utcnow() - timedelta(minutes=1)
    row.last_seen_at = utcnow() - idle - timedelta(minutes=1)
    db.add(row)
    db.commit()
    assert not logged_in(c)
    assert c.get("/api/attempts/1/state").status_code == 401
    # never used since the login: idle counts from the login
    c = w.login(w.users["trainee"])
    row = db.get(LoginSession, accounts.token_hash(c.cookies.get(COOKIE)))
    row.created_at, row.last_seen_at = utcnow() - idle - timedelta(minutes=1), None
    db.add(row)
    db.commit()
    assert not logged_in(c)
    # the absolute time-out, however busy the session
    c = w.login(w.users["trainee"])
    row = db.get(LoginSession, accounts.token_hash(c.cookies.get(COOKIE)))
    row.expires_at, row.last_seen_at = utcnow() - timedelta(seconds=1), utcnow()
    db.add(row)
    db.commit()
    assert not logged_in(c)


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(sqlite_url, engine, db, secure):
    builders.user(db)
    app = create_app(Settings(database_url=sqlite_url, site_dir=ROOT / "no-site", sweep_seconds=0,
                              cookie_secure=secure))
    try:
        # a Secure cookie (the login form's pre-session one too) goes back over HTTPS only
        r = builders.login(BrowserLikeClient(app, follow_redirects=False,
                                             base_url="https://testserver" if secure else "http://testserver"))
        (cookie,) = [c for c in r.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")]
        attrs = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
        assert cookie.startswith(f"{COOKIE}=") and "httponly" in attrs
        assert attrs["samesite"].lower() == "samesite=lax" and attrs["path"] == "Path=/"
        assert ("secure" in attrs) is secure
    finally:
        app.state.engine.dispose()
