"""What each finished volume holds: the counts its issue promised, held by a
test so that no later change drops below them. A volume is listed here when
its issue is done; the checker (test_check.py) proves the content sound."""
import pytest

from quizapp.content.site import is_case

# volume -> minimum number of teaching cases, questions, case-analysis questions, 赋权事项
PROMISED = {
    "v2-natural-resources": {"cases": 10, "questions": 200, "case_questions": 40, "items": 14},
    "v3-agriculture": {"cases": 10, "questions": 200, "case_questions": 40, "items": 15},
    "v4-health": {"cases": 8, "questions": 150, "case_questions": 30, "items": 10},
    "v5-urban": {"cases": 10, "questions": 220, "case_questions": 45, "items": 15},
    "v6-market": {"cases": 8, "questions": 200, "case_questions": 40, "items": 12},
    "v7-transport": {"cases": 8, "questions": 150, "case_questions": 30, "items": 10},
    "v8-water": {"cases": 8, "questions": 180, "case_questions": 36, "items": 12},
}


@pytest.mark.parametrize("volume", sorted(PROMISED))
def test_a_finished_volume_holds_what_its_issue_promised(site, volume):
    want = PROMISED[volume]
    questions = [q for q in site.questions if q.volume == volume]
    have = {
        "cases": sum(1 for path in site.pages if path.startswith(f"volumes/{volume}/") and is_case(path)),
        "questions": len(questions),
        "case_questions": sum(1 for q in questions if q.type == "case"),
        "items": sum(1 for i in site.items if i.volume == volume),
    }
    assert {k: have[k] >= n for k, n in want.items()} == {k: True for k in want}, have


@pytest.mark.parametrize("volume", sorted(PROMISED))
def test_every_item_of_a_finished_volume_is_practised_and_most_are_taught_by_a_case(site, volume):
    tagged_by_questions = {i for q in site.questions for i in q.items}
    tagged_by_cases = {i for p in site.pages.values() for i in p.items}
    items = [i.id for i in site.items if i.volume == volume]
    assert [i for i in items if i not in tagged_by_questions] == []
    assert len([i for i in items if i in tagged_by_cases]) >= PROMISED[volume]["cases"]
