"""Request bodies have limits, and every error a user can cause is a Chinese 4xx.

1. Body sizes (quizapp/web/limits.py): the exam page's JSON API takes a few KB,
   forms 64 KB, the roster upload a few MB; a larger body is refused with 413
   and a Chinese message (an HTML page, or {"detail": ...} under /api/), by its
   Content-Length or, without one, by counting what arrives, before any route
   runs. nginx refuses the same (tests/e2e/test_security_headers.py).
2. NUL bytes in any text (path, query, form, JSON, a file's name) are refused
   with a Chinese 400 before anything reads them: PostgreSQL cannot store them.
3. Over-long values are refused before the database, on SQLite and PostgreSQL
   alike (a VARCHAR column on PostgreSQL raised a 500), and FastAPI's English
   404/405/400 bodies are Chinese.
"""
from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select

from quizapp.config import Settings
from quizapp.content import ROOT
from quizapp.exports import XLSX
from quizapp.models import AttemptAnswer, Cohort, ContentReport, Exam, Survey, TeachingSession, User
from quizapp.web import limits
from quizapp.web.app import create_app
from tests import builders
from tests.conftest import PG_URL, postgres_reachable, prepared_engine, IN_CI
from tests.integration.test_security import ACCESS, World, app_routes, roster_xlsx, world  # noqa: F401 (fixture)

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_DEFAULTS = ("Not Found", "Method Not Allowed", "Internal Server Error", "There was an error",
                    "Field required", "Request Entity Too Large", "Bad Request")


# --- the world on SQLite and on PostgreSQL ---------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'limits.db'}"
    reason = postgres_reachable(PG_URL)
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL at {PG_URL} is unreachable: {reason}")
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable: {reason}")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(database_url, site):
    engine = prepared_engine(database_url, site)
    yield engine
    engine.dispose()


@pytest.fixture
def app(database_url, engine):
    app = create_app(Settings(database_url=database_url, site_dir=ROOT / "no-site", sweep_seconds=0))
    yield app
    app.state.engine.dispose()


def chinese_refusal(r, *statuses: int) -> None:
    """A 4xx (one of ``statuses`` if given) whose body says why in Chinese: JSON {"detail": "…"} or a page."""
    where = f"{r.request.method} {r.request.url.path} -> {r.status_code}: {r.text[:300]}"
    assert 400 <= r.status_code < 500, where
    if statuses:
        assert r.status_code in statuses, where
    if r.headers.get("content-type", "").startswith("application/json"):
        detail = r.json()["detail"]
        assert isinstance(detail, str) and CJK.search(detail), where
    else:
        assert r.headers.get("content-type", "").startswith("text/html") and CJK.search(r.text), where
    assert not any(phrase in r.text for phrase in ENGLISH_DEFAULTS), where


def stored_answers(db, attempt_id) -> int:
    db.expire_all()
    return len(db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all())


# --- 1. body sizes --------------------------------------------------------------------------------

def test_a_12_mb_autosave_is_refused_with_413_and_nothing_is_stored(world, db):
    w = world
    trainee = w.client("trainee")
    q = w.questions["single"]
    url = w.url("/api/attempts/{attempt_id}/answers")
    huge = json.dumps({"question_id": q.id, "response": ["A" * (12 * 1024 * 1024)], "seq": 1}).encode()
    for kw in ({"content": huge, "headers": {"content-type": "application/json"}},
               # no Content-Length (chunked): counted as it arrives
               {"content": iter([huge[i:i + 65536] for i in range(0, len(huge), 65536)]),
                "headers": {"content-type": "application/json"}}):
        r = trainee.post(url, **kw)
        chinese_refusal(r, 413)
        assert r.json() == {"detail": "提交的数据过大，已拒收"}
    assert stored_answers(db, w.attempt.id) == 0
    ok = trainee.post(url, json={"question_id": q.id, "response": q.answer, "seq": 2})
    assert ok.status_code == 200 and stored_answers(db, w.attempt.id) == 1


def test_an_answer_the_page_could_send_fits_the_api_limit_and_a_bigger_one_does_not(world):
    w = world
    q = w.questions["case"]
    every_option = {p["id"]: sorted(p["options"]) for p in q.parts}
    body = json.dumps({"question_id": q.id, "response": every_option, "seq": 2 ** 62}).encode()
    assert len(body) * 4 < limits.API_BODY            # room to spare for the largest case question
    r = w.client("trainee").post(w.url("/api/attempts/{attempt_id}/answers"),
                                 json={"question_id": q.id, "response": ["A"] * limits.API_BODY, "seq": 3})
    chinese_refusal(r, 413)
    r = w.client("trainee").post(w.url("/api/attempts/{attempt_id}/events"),
                                 json={"kind": "blur", "detail": "x" * limits.API_BODY})
    chinese_refusal(r, 413)


def test_a_form_over_its_limit_gets_a_chinese_413_page_and_nothing_is_stored(world, db):
    w = world
    text = "长" * (limits.FORM_BODY // 3)                 # 9 bytes a character in a form: far over 64 KB
    trainee = w.client("trainee")
    before = len(db.exec(select(ContentReport)).all())
    for kw in ({"data": {"question": w.questions["single"].id, "category": "other", "text": text}},
               {"content": iter([b"category=other&text=" + b"%E9%95%BF" * (limits.FORM_BODY // 9 + 1)]),
                "headers": {"content-type": "application/x-www-form-urlencoded"}}):
        r = trainee.post("/reports/new", **kw)
        chinese_refusal(r, 413)
        assert "提交的内容过大" in r.text and "64 KB" in r.text
    db.expire_all()
    assert len(db.exec(select(ContentReport)).all()) == before
    # the form's own limit (2,000 characters) fits with room to spare
    r = trainee.post("/reports/new", data={"question": w.questions["single"].id, "category": "other",
                                           "text": "长" * 2000})
    assert r.status_code == 303


def test_a_roster_upload_may_take_a_few_mb_and_no_more(world):
    w = world
    teacher = w.client("teacher")
    url = w.url("/instructor/cohorts/{cohort_id}/roster")
    big = b"PK" + b"\0" * (limits.UPLOAD_BODY + 1024)
    r = teacher.post(url, files={"file": ("roster.xlsx", big, XLSX)})
    chinese_refusal(r, 413)
    assert "文件过大" in r.text
    r = teacher.post(url, files={"file": ("roster.xlsx", roster_xlsx([("赵六", "某镇", "13900000003")]), XLSX)})
    assert r.status_code == 303


def test_every_route_has_a_body_limit_for_its_kind(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", site_dir=ROOT / "no-site", sweep_seconds=0))
    for method, path in app_routes(app):
        limit = limits.body_limit(path.replace("{", "").replace("}", ""))
        if path.startswith("/api/"):
            assert limit == limits.API_BODY <= 8 * 1024, path
        elif path.endswith("/roster"):
            assert limit == limits.UPLOAD_BODY <= 8 * 1024 * 1024, path
        else:
            assert limit == limits.FORM_BODY == 64 * 1024, path
    app.state.engine.dispose()


# --- 2. NUL bytes ------------------------------------------------------------------------------------

def test_nul_bytes_anywhere_are_refused_with_a_chinese_400(world, db):
    w = world
    trainee, teacher, anonymous = w.client("trainee"), w.client("teacher"), w.client("anonymous")
    q = w.questions["single"]
    cases = [
        (anonymous, "post", "/login", {"data": {"username": "train\x00ee", "password": "x"}}),
        (anonymous, "post", "/login", {"data": {"username": "trainee", "password": "pass\x00word"}}),
        (anonymous, "get", "/login?next=/me%00", {}),
        (anonymous, "get", "/static/app.css%00.js", {}),
        (trainee, "post", "/reports/new", {"data": {"question": q.id, "category": "other", "text": "有误\x00"}}),
        (trainee, "post", w.url("/api/attempts/{attempt_id}/answers"),
         {"json": {"question_id": q.id, "response": ["A\x00"], "seq": 1}}),
        (trainee, "post", w.url("/api/attempts/{attempt_id}/events"), {"json": {"kind": "blur", "detail": "\x00"}}),
        (trainee, "get", "/practice/next?statute=%00", {}),
        (teacher, "post", "/instructor/cohorts/", {"data": {"name": "新班\x00"}}),
        (teacher, "post", w.url("/instructor/cohorts/{cohort_id}/trainees"),
         {"data": {"username": "13900000009", "display_name": "新\x00学员"}}),
        (teacher, "post", w.url("/instructor/cohorts/{cohort_id}/roster"),
         {"files": {"file": ("ros\x00ter.xlsx", roster_xlsx([("赵六", "某镇", "13900000003")]), XLSX)}}),
        (w.client("editor"), "post", f"/editor/questions/{q.id}%00/suspend", {"data": {"suspended": "yes"}}),
    ]
    before = {table: len(db.exec(select(table)).all()) for table in (Cohort, User, ContentReport)}
    for client, method, url, kw in cases:
        r = getattr(client, method)(url, **kw)
        chinese_refusal(r, 400)
        assert "不允许的字符" in r.text, (url, r.text[:200])
    db.expire_all()
    assert {table: len(db.exec(select(table)).all()) for table in before} == before
    assert stored_answers(db, w.attempt.id) == 0


# --- 3. over-long values, unknown pages and methods -----------------------------------------------------

LONG = "长" * 2100          # longer than any field of the platform; 19 KB in a form, under the body limit


def over_long_requests(w: World) -> list[tuple[str, str, str, dict]]:
    q = w.questions["single"]
    exam_form = {"mode": "blueprint", "count-0": "5", "volume-0": "v1-common", "time_limit_minutes": "30"}
    out = [
        ("anonymous", "post", "/login", {"data": {"username": LONG, "password": "x"}}),
        ("anonymous", "post", "/login", {"data": {"username": "trainee", "password": LONG}}),
        ("anonymous", "get", "/login?next=/" + LONG, {}),
        ("trainee", "post", "/account/password", {"data": {"old": LONG, "new": LONG, "again": LONG}}),
        ("trainee", "post", "/reports/new", {"data": {"page_path": LONG, "category": "other", "text": "有误"}}),
        ("trainee", "post", "/reports/new", {"data": {"question": LONG, "category": "other", "text": "有误"}}),
        ("trainee", "post", "/reports/new", {"data": {"question": q.id, "category": LONG, "text": "有误"}}),
        ("trainee", "post", "/reports/new", {"data": {"question": q.id, "category": "other", "text": LONG}}),
        ("trainee", "get", f"/reports/new?page_path={LONG[:500]}&section={LONG[:500]}", {}),
        ("trainee", "post", w.url("/surveys/{survey_id}"), {"data": {"q0": LONG}}),
        ("trainee", "post", w.url("/feedback/{session_id}"),
         {"data": {"content_fit": "5", "clarity": "5", "usefulness": "5", "comment": LONG}}),
        ("trainee", "post", w.url("/api/attempts/{attempt_id}/answers"),
         {"json": {"question_id": LONG[:300], "response": ["A"], "seq": 1}}),
        ("trainee", "post", w.url("/api/attempts/{attempt_id}/events"), {"json": {"kind": LONG[:300]}}),
        ("teacher", "post", "/instructor/cohorts/", {"data": {"name": LONG}}),
        ("teacher", "post", "/instructor/cohorts/", {"data": {"name": "新班", "unit": LONG}}),
        ("teacher", "post", w.url("/instructor/cohorts/{cohort_id}/surveys"), {"data": {"title": LONG}}),
        ("teacher", "post", w.url("/instructor/cohorts/{cohort_id}/sessions"), {"data": {"title": LONG}}),
        ("teacher", "post", w.url("/instructor/cohorts/{cohort_id}/sessions"),
         {"data": {"title": "新课程", "teacher": LONG}}),
        ("teacher", "post", "/instructor/exams/new", {"data": {**exam_form, "title": LONG}}),
        ("teacher", "post", "/instructor/exams/new", {"data": {**exam_form, "title": "小测", "description": LONG}}),
        ("teacher", "post", "/instructor/exams/new",
         {"data": {**exam_form, "title": "小测", "mode": "fixed", "question_ids": LONG}}),
        ("teacher", "post", w.url("/instructor/exams/attempts/{attempt_id}/extend"),
         {"data": {"minutes": "5", "reason": LONG}}),
        ("teacher", "post", w.url("/instructor/cohorts/{cohort_id}/roster"),
         {"files": {"file": (LONG + ".xlsx", roster_xlsx([("赵六", "某镇", "13900000003")]), XLSX)}}),
        ("editor", "post", w.url("/editor/reports/{report_id}"), {"data": {"version": "1", "status": LONG}}),
        ("editor", "post", w.url("/editor/reports/{report_id}"),
         {"data": {"version": "1", "status": "accepted", "answer": LONG}}),
        ("editor", "post", f"/editor/questions/{q.id}/suspend", {"data": {"suspended": "yes", "reason": LONG}}),
        ("editor", "post", f"/editor/questions/{LONG}/suspend", {"data": {"suspended": "yes"}}),
        ("editor", "get", f"/editor/?volume={LONG[:500]}&category={LONG[:500]}&status={LONG[:500]}", {}),
        ("trainee", "get", f"/practice/next?ids={LONG[:500]}&statute={LONG[:500]}&volume={LONG[:500]}", {}),
        ("supervisor", "get", "/supervisor/?year=99999999999", {}),
        ("supervisor", "get", "/supervisor/coverage.xlsx?year=-5", {}),
        ("supervisor", "post", "/supervisor/units", {"data": {"name": LONG}}),
        ("supervisor", "post", "/supervisor/units", {"data": {"name": "新单位", "aliases": LONG}}),
        ("supervisor", "post", "/supervisor/units/aliases", {"data": {"unit_id": str(w.unit.id), "alias": LONG}}),
        ("supervisor", "post", w.url("/supervisor/units/{unit_id}/officers"), {"data": {"name": LONG, "phone": "13900000021"}}),
        ("supervisor", "post", w.url("/supervisor/officers/{officer_id}"),
         {"data": {"name": "执法员", "phone": "13900000011", "cert_no": LONG}}),
    ]
    for field in ("username", "display_name", "unit", "cert_no"):
        data = {"username": "13900000009", "display_name": "新学员", "unit": "某镇", field: LONG}
        out.append(("teacher", "post", w.url("/instructor/cohorts/{cohort_id}/trainees"), {"data": data}))
    return out


def snapshot_counts(db) -> dict[str, int]:
    db.expire_all()
    return {t.__name__: len(db.exec(select(t)).all())
            for t in (User, Cohort, Exam, Survey, TeachingSession, ContentReport, AttemptAnswer)}


def test_over_long_values_are_refused_in_chinese_before_the_database(world, db):
    w = world
    before = snapshot_counts(db)
    problems = []
    for actor, method, url, kw in over_long_requests(w):
        try:
            r = getattr(w.client(actor), method)(url, **kw)
        except Exception as e:  # noqa: BLE001 - the app raising is a server error
            problems.append(f"{actor} {method} {url[:60]}: raised {e!r:.200}")
            continue
        if r.status_code in (200, 303) and method == "get":
            continue                                     # a filter that matches nothing is no error
        try:
            chinese_refusal(r)
        except AssertionError as e:
            problems.append(f"{actor}: {str(e)[:200]}")
    assert not problems, "\n".join(problems)
    assert snapshot_counts(db) == before


def test_unknown_pages_methods_and_malformed_bodies_get_chinese_answers(world):
    w = world
    trainee = w.client("trainee")
    for client, method, url, kw, status in (
            (trainee, "get", "/no-such-page/", {}, 404),
            (trainee, "get", "/api/no-such-thing", {}, 404),
            (trainee, "get", "/static/no-such.css", {}, 404),
            (trainee, "put", "/login", {}, 405),
            (trainee, "get", w.url("/api/attempts/{attempt_id}/answers"), {}, 405),
            (trainee, "delete", "/me", {}, 405),
            (trainee, "post", w.url("/api/attempts/{attempt_id}/events"),
             {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422),
            (trainee, "post", w.url("/api/attempts/{attempt_id}/submit"),
             {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}}, 422),
            (w.client("teacher"), "post", w.url("/instructor/exams/{exam_id}/grant"), {"data": {"user_id": "x"}}, 422),
            (w.client("teacher"), "post", w.url("/instructor/cohorts/{cohort_id}/roster"),
             {"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}}, 422)):
        r = getattr(client, method)(url, **kw)
        chinese_refusal(r, status)
        if url.startswith("/api/"):
            assert r.headers["content-type"].startswith("application/json"), url
