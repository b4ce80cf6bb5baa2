"""Alembic migrations on a database that already holds records: an upgrade
keeps every row and value, columns it adds get their defaults, and the app
reads and uses the migrated rows; downgrade and upgrade again round-trip."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from quizapp import accounts, exams, migrate
from quizapp.db import make_engine
from quizapp.models import (Attempt, AttemptAnswer, Exam, LoginSession, MistakeEntry, Question, Role, SurveyResponse,
                            User)

PASSWORD = "migrated-pass-1"
TOKEN = "a-session-token-made-before-the-upgrade"
PASSWORD_HASH = accounts.hash_password(PASSWORD)

# A column a later revision adds to a table that may already hold rows, and
# the value those rows must get. A migration that adds another column to such
# a table has to say here what old rows read.
ADDED_DEFAULTS = {
    ("users", "cert_no"): "",
    ("exams", "cohort_id"): None,
    ("exams", "purpose"): "exam",
    ("attempt_answers", "seq"): 0,
    ("login_sessions", "last_seen_at"): None,
    ("questions", "suspended"): False,
    ("questions", "pool"): "practice",
    ("questions", "items"): lambda values: all(v in ("[]", []) for v in values),
    ("exams", "certifying"): False,
    ("exams", "focus_grace_seconds"): 3,
    ("integrity_events", "duration_ms"): None,
    # filled from the row (a list: the rows in id order): a blur counted before 0011, a graded
    # attempt's mistakes were entered at its grading
    ("integrity_events", "counted"): [True],
    ("attempts", "mistakes_recorded"): [True, False],
    ("enrolments", "status"): "active",
    ("enrolments", "custody"): True,
    ("enrolments", "added_by"): None,
    # 0013: when the password was set is unknown before it: every old row reads the time of the upgrade
    ("users", "password_changed_at"): lambda values: None not in values and len(set(values)) == 1,
    ("users", "previous_password_hash"): None,
    ("users", "throttle_cleared_at"): None,
    # 0018: the option order a report's author saw is unknown for a report made before it
    ("content_reports", "shown_order"): lambda values: all(v in ("{}", {}) for v in values),
    # 0019: an exam made before the waiting room has none, and each attempt keeps its own deadline
    ("exams", "waiting_minutes"): 0,
    ("exams", "deadline_mode"): "own",
}

# A column a later revision drops, with why: its values are gone after the upgrade.
REMOVED = {
    ("roster_uploads", "credentials"),      # 0013: initial passwords in plain text
}


def ts(dialect: str, value: str) -> str:
    """A UTC time as the app's UTCDateTime column stores it in each database."""
    return f"{value}.000000" if dialect == "sqlite" else f"{value}+00"


def j(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def old_rows(d: str) -> list[tuple[str, list[dict]]]:
    """Records of every kind, in an order the foreign keys accept; the columns
    are those of revision 0005 (each revision keeps the ones it has)."""
    single = {"A": "先行登记保存", "B": "查封", "C": "扣押", "D": "罚款"}
    case_parts = [{"id": "1", "type": "single", "stem": "管辖？", "options": {"A": "镇街", "B": "区县"}, "answer": ["A"]},
                  {"id": "2", "type": "multiple", "stem": "证据？", "options": {"A": "书证", "B": "物证", "C": "传闻"},
                   "answer": ["A", "B"]}]
    paper = [{"question_id": "mig-single-1", "type": "single", "points": 2.0, "key": ["A"],
              "option_order": ["A", "B", "C", "D"], "part_option_orders": {}, "part_types": {}},
             {"question_id": "mig-case-1", "type": "case", "points": 4.0, "key": {"1": ["A"], "2": ["A", "B"]},
              "option_order": [], "part_option_orders": {"1": ["A", "B"], "2": ["A", "B", "C"]},
              "part_types": {"1": "single", "2": "multiple"}}]
    return [
        ("users", [
            dict(id=1, username="teacher", display_name="王老师", unit="城管局", role="instructor",
                 password_hash=PASSWORD_HASH, must_change_password=False, active=True,
                 created_at=ts(d, "2026-01-05 08:00:00"), cert_no="粤执-0001"),
            dict(id=2, username="trainee", display_name="李学员", unit="石岩街道", role="trainee",
                 password_hash=PASSWORD_HASH, must_change_password=True, active=True,
                 created_at=ts(d, "2026-01-06 09:30:00"), cert_no=""),
            dict(id=3, username="gone", display_name="停用者", unit="", role="trainee",
                 password_hash=PASSWORD_HASH, must_change_password=False, active=False,
                 created_at=ts(d, "2026-01-07 10:00:00"), cert_no="")]),
        ("login_sessions", [
            dict(token_hash=accounts.token_hash(TOKEN), user_id=2, created_at=ts(d, "2026-01-06 09:31:00"),
                 expires_at=ts(d, "2099-01-01 00:00:00"))]),
        ("questions", [
            dict(id="mig-single-1", type="single", difficulty=2, volume="v1-common", step="立案",
                 stem="对可能灭失的证据，可以采取哪项措施？", options=j(single), answer=j(["A"]), explanation="行政处罚法第五十六条。",
                 anchor="volumes/v1-common/guide/#filing", basis=j([{"law": "行政处罚法", "article": "第五十六条",
                                                                   "quote": "证据可能灭失"}]),
                 source="question_bank/v1-common/filing.yaml:1", content_hash="0123456789abcdef", active=True,
                 updated_at=ts(d, "2026-01-02 00:00:00"), parts=j([])),
            dict(id="mig-case-1", type="case", difficulty=3, volume="v1-common", step="调查取证", stem="案例：……",
                 options=j({}), answer=j([]), explanation="", anchor="", basis=j([]),
                 source="question_bank/v1-common/case.yaml:1", content_hash="fedcba9876543210", active=False,
                 updated_at=ts(d, "2026-01-02 00:00:00"), parts=j(case_parts))]),
        ("practice_answers", [
            dict(id=1, user_id=2, question_id="mig-single-1", response=j(["B"]), correct=False,
                 answered_at=ts(d, "2026-02-01 10:00:00")),
            dict(id=2, user_id=2, question_id="mig-single-1", response=j(["A"]), correct=True,
                 answered_at=ts(d, "2026-02-02 10:00:00"))]),
        ("audit_events", [
            dict(id=1, at=ts(d, "2026-02-03 11:00:00"), actor_id=1, action="cohort.create", target="cohort:1",
                 detail=j({"name": "第一期"}))]),
        ("cohorts", [
            dict(id=1, name="2026 年第一期", unit="宝安区", starts_on="2026-03-01", ends_on="2026-03-05", created_by=1,
                 created_at=ts(d, "2026-02-03 11:00:00"))]),
        ("cohort_instructors", [dict(cohort_id=1, user_id=1)]),
        ("enrolments", [dict(cohort_id=1, user_id=2, enrolled_at=ts(d, "2026-02-03 11:05:00"))]),
        ("roster_uploads", [
            dict(id=1, cohort_id=1, uploaded_by=1, filename="名单.xlsx",
                 rows=j([{"row": 2, "data": {"姓名": "李学员"}, "errors": [], "existing": False}]),
                 imported_at=ts(d, "2026-02-03 11:05:00"), credentials=j([["trainee", "init-pass-1"]]),
                 created_at=ts(d, "2026-02-03 11:04:00"))]),
        ("exams", [
            dict(id=1, title="第一卷结业考试", description="闭卷", question_ids=j(["mig-single-1", "mig-case-1"]),
                 blueprint=j([]), points=j({"single": 2, "case": 4}), multiple_rule="partial",
                 time_limit_minutes=30, opens_at=ts(d, "2026-03-01 01:00:00"), closes_at=ts(d, "2099-03-01 03:00:00"),
                 pass_percent=75.0, attempts_allowed=2, shuffle_questions=True, shuffle_options=False,
                 review_mode="after_close", focus_loss_limit=3, created_by=1,
                 created_at=ts(d, "2026-02-04 12:00:00"), active=True, cohort_id=1)]),
        ("exam_grants", [dict(exam_id=1, user_id=2, extra_attempts=1)]),
        ("attempts", [
            dict(id=1, exam_id=1, user_id=2, number=1, status="graded", started_at=ts(d, "2026-03-01 01:10:00"),
                 deadline=ts(d, "2026-03-01 01:40:00"), submitted_at=ts(d, "2026-03-01 01:35:00"), ended_by="trainee",
                 paper=j(paper), score=2.0, max_score=6.0, passed=False,
                 item_scores=j({"mig-single-1": 2.0, "mig-case-1": 0.0})),
            dict(id=2, exam_id=1, user_id=2, number=2, status="open", started_at=ts(d, "2026-03-02 01:10:00"),
                 deadline=ts(d, "2099-03-01 02:00:00"), submitted_at=None, ended_by="", paper=j(paper), score=None,
                 max_score=None, passed=None, item_scores=j({}))]),
        ("attempt_answers", [
            dict(id=1, attempt_id=1, question_id="mig-single-1", response=j(["A"]),
                 saved_at=ts(d, "2026-03-01 01:20:00")),
            dict(id=2, attempt_id=2, question_id="mig-single-1", response=j(["C"]),
                 saved_at=ts(d, "2026-03-02 01:20:00"))]),
        ("integrity_events", [
            dict(id=1, attempt_id=1, kind="blur", at=ts(d, "2026-03-01 01:21:00"), detail="离开考试页面")]),
        ("mistake_entries", [
            dict(id=1, user_id=2, question_id="mig-case-1", card=j({"stability": 1.5, "difficulty": 6.2}),
                 due=ts(d, "2026-03-02 01:35:00"), streak=0, cleared=False, wrong_count=2, last_source="exam",
                 added_at=ts(d, "2026-03-01 01:35:00"), updated_at=ts(d, "2026-03-01 01:35:00"))]),
        ("surveys", [
            dict(id=1, cohort_id=1, title="训前需求调查", topics=j(["volume:v1-common", "step:听证"]),
                 questions=j(["最需要讲解的内容？"]), created_by=1, created_at=ts(d, "2026-02-05 08:00:00"))]),
        ("survey_responses", [
            dict(id=1, survey_id=1, user_id=2, ratings=j({"volume:v1-common": [3, 4], "step:听证": [2, 1]}),
                 answers=j(["听证程序"]), submitted_at=ts(d, "2026-02-06 08:00:00"))]),
    ]


def columns(engine) -> dict[str, set[str]]:
    insp = inspect(engine)
    return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names() if t != "alembic_version"}


def fill(engine, dialect: str) -> dict[str, list[tuple[str, ...]]]:
    """Insert the old records with plain SQL into the tables (and columns) the
    database has; returns the columns written per table."""
    have = columns(engine)
    written: dict[str, list[str]] = {}
    with engine.begin() as conn:
        for table, rows in old_rows(dialect):
            if table not in have:
                continue
            for row in rows:
                row = {k: v for k, v in row.items() if k in have[table]}
                written[table] = list(row)
                conn.execute(text(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"),
                             row)
    assert set(written) == set(have), f"tables at this revision without test rows: {set(have) - set(written)}"
    if dialect == "postgresql":          # rows were given their ids: move the sequences past them
        with engine.begin() as conn:
            for table, cols in written.items():
                if "id" in cols and table != "questions":
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT max(id) FROM {table}))"))
    return written


def snapshot(engine, written: dict[str, list[str]]) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {table: [tuple(r) for r in conn.execute(text(f"SELECT {', '.join(cols)} FROM {table} ORDER BY "
                                                           f"{', '.join(cols[:2])}"))]
                for table, cols in written.items()}


def check_upgrade_keeps_every_row(url: str, start: str, dialect: str) -> None:
    migrate.upgrade(url, start)
    engine = make_engine(url, immediate=False)
    try:
        before_columns = columns(engine)
        written = fill(engine, dialect)
        kept = {t: [c for c in cols if (t, c) not in REMOVED] for t, cols in written.items()}
        before = snapshot(engine, kept)
        inserted = {t: len(rows) for t, rows in old_rows(dialect) if t in written}
        assert {t: len(rows) for t, rows in before.items()} == inserted

        migrate.upgrade(url)

        assert snapshot(engine, kept) == before             # every row, every value (but those of REMOVED)
        if dialect == "sqlite":                               # rebuilt tables: every reference still resolves
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        after_columns = columns(engine)
        assert not [(t, c) for t, c in REMOVED if c in after_columns.get(t, ())], "a REMOVED column is still there"
        with engine.connect() as conn:
            for table in written:
                for column in sorted(after_columns[table] - before_columns[table]):
                    assert (table, column) in ADDED_DEFAULTS, \
                        f"{table}.{column} was added to a table with rows; say in ADDED_DEFAULTS what they read"
                    expected = ADDED_DEFAULTS[table, column]
                    if callable(expected):
                        values = conn.execute(text(f"SELECT {column} FROM {table}")).scalars().all()
                        assert expected(values), f"{table}.{column}: {values}"
                        continue
                    if isinstance(expected, list):
                        values = conn.execute(text(f"SELECT {column} FROM {table} ORDER BY id")).scalars().all()
                        assert values == expected, f"{table}.{column}"
                        continue
                    values = conn.execute(text(f"SELECT {column} FROM {table}")).scalars().all()
                    assert values == [expected] * inserted[table], f"{table}.{column}"
        check_the_app_uses_the_migrated_rows(engine, written)
    finally:
        engine.dispose()


def check_the_app_uses_the_migrated_rows(engine, written) -> None:
    with Session(engine) as db:
        # every row loads through the models (JSON, times with their zone, booleans, defaults)
        assert [u.username for u in db.exec(select(User).order_by(User.id))] == ["teacher", "trainee", "gone"]
        user_id, token = accounts.log_in(engine, username="trainee", password=PASSWORD)     # attempt and session written
        trainee = db.get(User, user_id)
        assert trainee.must_change_password and trainee.display_name == "李学员"
        assert accounts.user_for_token(db, token).id == trainee.id
        # the session made before the upgrade (last_seen_at NULL: idle time counts from its creation) still logs in
        assert accounts.user_for_token(db, TOKEN, timedelta(days=3650)).id == trainee.id
        assert db.get(LoginSession, accounts.token_hash(TOKEN)).last_seen_at is not None     # touched now
        if "exams" in written:
            exam = db.get(Exam, 1)
            assert exam.purpose == "exam" and exam.points == {"single": 2, "case": 4}
            assert exam.closes_at == datetime(2099, 3, 1, 3, tzinfo=timezone.utc)
        if "attempts" not in written:
            return
        graded = db.get(Attempt, 1)
        assert graded.item_scores == {"mig-single-1": 2.0, "mig-case-1": 0.0} and graded.passed is False
        assert graded.submitted_at == datetime(2026, 3, 1, 1, 35, tzinfo=timezone.utc)
        assert db.get(Question, "mig-case-1").parts[1]["answer"] == ["A", "B"]
        assert db.get(MistakeEntry, 1).wrong_count == 2
        if "survey_responses" in written:
            assert db.get(SurveyResponse, 1).ratings["step:听证"] == [2, 1]
        old = db.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == 2)).one()
        assert old.seq == 0 and old.response == ["C"]
        # the open attempt goes on: a save made on the old answer (version 0) replaces it, then grading
        saved = exams.save_answer(db, trainee, 2, question_id="mig-single-1", response=["A"], base=0)
        assert saved.applied and saved.seq == 1
        exams.save_answer(db, trainee, 2, question_id="mig-case-1", response={"1": ["A"], "2": ["B", "A"]}, base=0)
        done = exams.submit(db, trainee, 2)
        assert (done.status, done.score, done.max_score, done.passed) == ("graded", 6.0, 6.0, True)


@pytest.mark.parametrize("start", ["0002", "0005"])
def test_upgrading_a_sqlite_database_with_records_keeps_them_and_fills_new_columns_with_defaults(sqlite_url, start):
    check_upgrade_keeps_every_row(sqlite_url, start, "sqlite")


def test_upgrading_a_postgresql_database_with_records_keeps_them_and_fills_new_columns_with_defaults(pg_url):
    check_upgrade_keeps_every_row(pg_url, "0005", "postgresql")


def schema(engine) -> dict[str, dict]:
    insp = inspect(engine)
    return {t: {"columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                  for i in insp.get_indexes(t)),
                "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in insp.get_unique_constraints(t)),
                "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                       for f in insp.get_foreign_keys(t))}
            for t in insp.get_table_names()}


def test_an_empty_sqlite_database_downgrades_to_the_first_revision_and_upgrades_again_to_the_same_schema(sqlite_url):
    config = migrate.alembic_config(sqlite_url)
    migrate.upgrade(sqlite_url)
    engine = make_engine(sqlite_url, immediate=False)
    try:
        head = schema(engine)
        assert set(head) - {"alembic_version"} == set(SQLModel.metadata.tables)
        command.downgrade(config, "0001")
        engine.dispose()
        assert set(schema(engine)) == {"alembic_version", "users", "questions", "login_sessions", "practice_answers"}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        migrate.upgrade(sqlite_url)
        engine.dispose()
        assert schema(engine) == head
        # and the round-tripped database works: a user and a session can be stored
        with Session(engine) as db:
            user = accounts.create_user(db, username="after", password=PASSWORD, display_name="往返",
                                        role=Role.trainee)
            assert accounts.user_for_token(db, accounts.start_session(db, user, days=1)).id == user.id
    finally:
        engine.dispose()
