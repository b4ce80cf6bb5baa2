"""The bank as new papers draw from it (draw_pool): kept in each worker, and
every change seen by the very next draw, whatever the workers' clocks."""
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from quizapp import draw_pool, exams, reports
from quizapp.bank import sync_bank
from quizapp.models import Question, Role, utcnow
from tests import builders


def ids(db) -> set[str]:
    return {c.id for c in exams.candidates(db, certifying=True)}


def test_the_rows_are_read_once_while_the_bank_is_unchanged(db):
    first = draw_pool.candidates(db.connection())
    assert len(first) > 1000
    assert draw_pool.candidates(db.connection()) is first


def test_a_suspension_and_a_restore_are_seen_by_the_next_draw(db):
    editor = builders.user(db, "bianji", Role.editor)
    before = ids(db)
    question = sorted(before)[0]
    reports.set_suspended(db, editor, question, True, reason="选项表述有歧义")
    assert ids(db) == before - {question}
    reports.set_suspended(db, editor, question, False)
    assert ids(db) == before


def test_a_change_is_seen_though_another_worker_stamped_the_last_one_ahead_of_this_clock(db):
    editor = builders.user(db, "bianji", Role.editor)
    ahead = utcnow() + timedelta(hours=1)
    db.exec(update(Question).where(Question.id == sorted(ids(db))[-1]).values(updated_at=ahead))
    db.commit()
    before = ids(db)                                     # kept with the stamp an hour ahead
    question = sorted(before)[0]
    reports.set_suspended(db, editor, question, True, reason="法条已修订")
    assert db.get(Question, question).updated_at > ahead
    assert question not in ids(db)


def test_a_question_retired_from_the_bank_files_leaves_the_next_draw(db, site):
    before = ids(db)
    gone = sorted(before)[0]
    sync_bank(db, [q for q in site.questions if q.id != gone], site.corpus)
    assert ids(db) == before - {gone}
    sync_bank(db, site.questions, site.corpus)
    assert ids(db) == before
