"""Loading the question bank into the database: in place, never duplicated."""
from dataclasses import replace

from sqlmodel import func, select

from quizapp.bank import sync_bank
from quizapp.models import PracticeAnswer, Question
from tests import builders


def count(db):
    return db.exec(select(func.count()).select_from(Question)).one()


def test_the_whole_bank_is_loaded_with_statute_links(db, site):
    assert count(db) == len(site.questions) >= 30
    simple = next(q for q in site.questions if q.type != "case")
    q = db.get(Question, simple.id)
    assert q.active and q.answer and q.anchor.startswith("volumes/")
    case = db.get(Question, next(q for q in site.questions if q.type == "case").id)
    assert case.answer == [] and len(case.parts) >= 2 and all(p["answer"] for p in case.parts)
    with_basis = db.exec(select(Question)).all()
    urls = [b["url"] for row in with_basis for b in row.basis]
    assert urls and all(u.startswith("/volumes/") and "#art-" in u for u in urls)


def test_syncing_again_changes_nothing(db, site):
    result = sync_bank(db, site.questions, site.corpus)
    assert (result.added, result.updated, result.retired) == ([], [], [])
    assert result.unchanged == count(db) == len(site.questions)


def test_a_changed_question_is_updated_in_place_and_answers_survive(db, site):
    trainee = builders.user(db)
    first = site.questions[0]
    db.add(PracticeAnswer(user_id=trainee.id, question_id=first.id, response=first.answer, correct=True))
    db.commit()
    changed = [replace(first, stem=first.stem + "（修订）")] + site.questions[1:]
    result = sync_bank(db, changed, site.corpus)
    assert result.updated == [first.id] and result.added == []
    db.expire_all()
    assert db.get(Question, first.id).stem.endswith("（修订）")
    assert count(db) == len(site.questions)
    assert db.exec(select(func.count()).select_from(PracticeAnswer)).one() == 1


def test_a_question_removed_from_the_bank_is_retired_not_deleted(db, site):
    result = sync_bank(db, site.questions[1:], site.corpus)
    assert result.retired == [site.questions[0].id]
    db.expire_all()
    assert db.get(Question, site.questions[0].id).active is False
    again = sync_bank(db, site.questions, site.corpus)
    assert again.updated == [site.questions[0].id]
    db.expire_all()
    assert db.get(Question, site.questions[0].id).active is True
