"""赋权评估 at the level of an item: can the county's officers handle a
delegated item? Plain functions over plain numbers.

For each item of the county's list the evidence of the year is
(quizapp/readiness.py gathers it):

- accuracy: what officers scored on the item's questions, practice and
  exams together (a practice answer counts 1 or 0, an exam question its
  share of the points);
- officers: how many different trainees answered at least one of them;
- confidence: the needs survey's mean self-rated confidence (1–5) on the
  item's volume and on the procedure steps of its questions: the mean of
  every such rating (one trainee may rate several of the item's topics);
  respondents: the trainees who gave them (the page shows this number,
  people, not ratings).

The reading (the rule is printed on the page, :data:`RULE`):

- 数据不足: fewer than MIN_ANSWERS answers or MIN_OFFICERS officers: no reading yet;
- 建议评估回收: accuracy under RECALL_BELOW, or confidence at most LOW_CONFIDENCE;
- 达标: accuracy at least PASS_FROM and confidence (where surveyed) above LOW_CONFIDENCE;
- 需加强: everything between.
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_ANSWERS = 20
MIN_OFFICERS = 3
PASS_FROM = 0.80
RECALL_BELOW = 0.60
LOW_CONFIDENCE = 2.0

READY, IMPROVE, RECALL, UNKNOWN = "达标", "需加强", "建议评估回收", "数据不足"
READINGS = (READY, IMPROVE, RECALL, UNKNOWN)
RULE = (f"数据不足：本年度作答少于 {MIN_ANSWERS} 次或作答人员少于 {MIN_OFFICERS} 人。"
        f"建议评估回收：正确率低于 {RECALL_BELOW:.0%}，或训前调查的平均把握度不高于 {LOW_CONFIDENCE:g} 分（满分 5 分）。"
        f"达标：正确率不低于 {PASS_FROM:.0%}，且平均把握度（有调查时）高于 {LOW_CONFIDENCE:g} 分。其余为需加强。"
        "正确率把练习和考试合在一起计算：练习每答一次计对或错，考试每题按得分占该题分值的比例计。")


@dataclass
class Evidence:
    answers: int = 0                 # answers to the item's questions this year
    score: float = 0.0               # their total, each 0–1
    officers: int = 0                # different trainees among them
    confidence: float | None = None  # mean survey confidence (1–5), None when nobody rated the topics
    ratings: int = 0                 # survey ratings behind it (topics rated, over all respondents)
    respondents: int = 0             # different trainees who gave them

    @property
    def accuracy(self) -> float | None:
        return self.score / self.answers if self.answers else None


def reading(e: Evidence) -> str:
    if e.answers < MIN_ANSWERS or e.officers < MIN_OFFICERS:
        return UNKNOWN
    accuracy = e.accuracy or 0.0
    low = e.confidence is not None and e.confidence <= LOW_CONFIDENCE
    if accuracy < RECALL_BELOW or low:
        return RECALL
    if accuracy >= PASS_FROM:
        return READY
    return IMPROVE
