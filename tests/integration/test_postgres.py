"""The same service on PostgreSQL (TEST_DATABASE_URL)."""
import re

from sqlmodel import Session, func, select

from quizapp.bank import sync_bank
from quizapp.models import PracticeAnswer, Question
from tests import builders
from tests.conftest import make_client, prepared_engine


def test_migrate_seed_and_practice_on_postgres(pg_url, site):
    engine = prepared_engine(pg_url, site)
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Question)).one() == len(site.questions)
        assert sync_bank(db, site.questions, site.corpus).unchanged == len(site.questions)
        builders.user(db)
    with make_client(pg_url) as client:
        builders.login(client)
        page = client.get("/practice/next", follow_redirects=True)
        qid = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)
        with Session(engine) as db:
            right = builders.form_response(db.get(Question, qid), right=True)
        r = client.post("/practice/answer", data={"question_id": qid, **right}, follow_redirects=True)
        assert "回答正确" in r.text
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(PracticeAnswer)).one() == 1
    engine.dispose()
