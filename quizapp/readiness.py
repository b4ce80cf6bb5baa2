"""赋权评估 by item: the year's evidence for each item of the county's list,
read by domain/readiness.py.

Data flow: the county's confirmed list (county_list.py) names the catalogue
items it delegates; the questions tagged with each item (questions.items)
give its answers: trainees' practice answers of the year (1 or 0) and the
graded exam attempts submitted in the year (each tagged question's share of
its points), across all cohorts; the needs surveys answered in the year give
the confidence on the item's volume and on its questions' steps, and who
gave it (respondents: people, each counted once however many surveys or
topics they answered). One pass
over each table: no query per item.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlmodel import Session, select

from . import county_list
from .content.items import Item, catalogue
from .domain import readiness as rules
from .models import Attempt, PracticeAnswer, Question, Role, SurveyResponse, User


@dataclass
class ItemReadiness:
    item: Item
    evidence: rules.Evidence
    reading: str


def _year(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=timezone.utc), datetime(year + 1, 1, 1, tzinfo=timezone.utc)


def evidence(db: Session, items: list[Item], year: int) -> dict[str, rules.Evidence]:
    start, end = _year(year)
    wanted = {i.id for i in items}
    tagged: dict[str, list[str]] = {}            # question id -> its items among those wanted
    steps: dict[str, set[str]] = defaultdict(set)
    for q in db.exec(select(Question).where(Question.active == True)):  # noqa: E712
        mine = [i for i in (q.items or []) if i in wanted]
        if mine:
            tagged[q.id] = mine
            for i in mine:
                steps[i].add(q.step)
    trainees = set(db.exec(select(User.id).where(User.role == Role.trainee.value)))
    scores: dict[str, list[float]] = defaultdict(list)
    people: dict[str, set[int]] = defaultdict(set)

    def add(user_id: int, question_id: str, value: float) -> None:
        for i in tagged.get(question_id, ()):
            scores[i].append(value)
            people[i].add(user_id)

    if tagged:
        for a in db.exec(select(PracticeAnswer).where(PracticeAnswer.question_id.in_(list(tagged)),
                                                     PracticeAnswer.answered_at >= start,
                                                     PracticeAnswer.answered_at < end)):
            if a.user_id in trainees:
                add(a.user_id, a.question_id, 1.0 if a.correct else 0.0)
        for attempt in db.exec(select(Attempt).where(Attempt.status == "graded", Attempt.submitted_at >= start,
                                                     Attempt.submitted_at < end)):
            if attempt.user_id not in trainees:
                continue
            for entry in attempt.paper:
                qid = entry["question_id"]
                if qid in tagged and entry.get("points"):
                    add(attempt.user_id, qid, min(1.0, float(attempt.item_scores.get(qid, 0.0)) / entry["points"]))
    ratings: dict[str, list[int]] = defaultdict(list)
    respondents: dict[str, set[int]] = defaultdict(set)
    topics = {i.id: {f"volume:{i.volume}"} | {f"step:{s}" for s in steps[i.id]} for i in items}
    for response in db.exec(select(SurveyResponse).where(SurveyResponse.submitted_at >= start,
                                                         SurveyResponse.submitted_at < end)):
        for topic, rating in (response.ratings or {}).items():
            for item_id, wanted_topics in topics.items():
                if topic in wanted_topics:
                    ratings[item_id].append(int(rating[0]))
                    respondents[item_id].add(response.user_id)
    out = {}
    for i in items:
        r = ratings.get(i.id, [])
        out[i.id] = rules.Evidence(answers=len(scores[i.id]), score=sum(scores[i.id]), officers=len(people[i.id]),
                                   confidence=sum(r) / len(r) if r else None, ratings=len(r),
                                   respondents=len(respondents[i.id]))
    return out


def table(db: Session, year: int) -> tuple[list[ItemReadiness], str | None]:
    """The readiness of each item of the county's confirmed list (the list's
    title; None and [] when no list is confirmed), weakest reading first."""
    current = county_list.active(db)
    if current is None:
        return [], None
    found = catalogue()
    items = [found[i] for i in county_list.delegated_ids(current) if i in found]
    gathered = evidence(db, items, year)
    rows = [ItemReadiness(i, gathered[i.id], rules.reading(gathered[i.id])) for i in items]
    order = {rules.RECALL: 0, rules.IMPROVE: 1, rules.UNKNOWN: 2, rules.READY: 3}
    rows.sort(key=lambda r: (order[r.reading], r.evidence.accuracy if r.evidence.accuracy is not None else 2, r.item.id))
    return rows, current.title
