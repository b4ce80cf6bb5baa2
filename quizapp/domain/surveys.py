"""The needs survey before training (训前问需): each trainee rates the topics
they choose, for how confident they are (1 = not at all, 5 = fully) and how
often the work comes up (1 = rarely, 5 = daily). The topics are ranked so that
what is frequent and unconfident comes first. Plain functions over plain data.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

RATING_MIN, RATING_MAX = 1, 5

Rating = tuple[int, int]                  # (confidence, frequency)
Response = Mapping[str, Rating]           # topic -> rating, for the topics rated


@dataclass
class TopicNeed:
    """One topic across all responses that rated it.

    priority = mean_frequency × (6 − mean_confidence): from 1 (rare and fully
    confident) to 25 (daily and not confident at all); higher comes first.
    rank is the 1-based position in that order."""
    topic: str
    n: int
    mean_confidence: float
    mean_frequency: float
    priority: float
    rank: int = 0


def validate_rating(value: object, label: str = "评分") -> int:
    """A rating as an integer 1–5. Accepts an int, an integral float or the
    digits of a form field; anything else raises ValueError in Chinese."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{label}应为 {RATING_MIN} 到 {RATING_MAX} 之间的整数，尚未选择")
    if number is None or not RATING_MIN <= number <= RATING_MAX:
        raise ValueError(f"{label}应为 {RATING_MIN} 到 {RATING_MAX} 之间的整数，收到：{value!r}")
    return number


def rank_needs(responses: Sequence[Response]) -> list[TopicNeed]:
    """Every rated topic with its mean ratings and priority, highest priority
    first; ties go to the lower mean confidence, then to the topic name
    (code-point order). Means are kept exact while sorting, so equal
    priorities tie exactly. Every rating is validated (ValueError)."""
    sums: dict[str, list[int]] = {}                 # topic -> [n, Σconfidence, Σfrequency]
    for i, response in enumerate(responses, 1):
        for topic, rating in response.items():
            if not isinstance(topic, str) or not topic.strip():
                raise ValueError(f"第 {i} 份问卷含有空的专题名称")
            try:
                confidence, frequency = rating
            except (TypeError, ValueError):
                raise ValueError(f"第 {i} 份问卷中「{topic}」应给出（把握程度, 使用频率）两项评分，收到：{rating!r}") from None
            acc = sums.setdefault(topic, [0, 0, 0])
            acc[0] += 1
            acc[1] += validate_rating(confidence, f"第 {i} 份问卷中「{topic}」的把握程度")
            acc[2] += validate_rating(frequency, f"第 {i} 份问卷中「{topic}」的使用频率")
    exact = []
    for topic, (n, conf_sum, freq_sum) in sums.items():
        confidence, frequency = Fraction(conf_sum, n), Fraction(freq_sum, n)
        exact.append((-(frequency * (6 - confidence)), confidence, topic, n, frequency))
    exact.sort()
    return [TopicNeed(topic=topic, n=n, mean_confidence=float(confidence), mean_frequency=float(frequency),
                      priority=float(-neg_priority), rank=rank)
            for rank, (neg_priority, confidence, topic, n, frequency) in enumerate(exact, 1)]
