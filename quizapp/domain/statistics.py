"""Quiz statistics with the definitions of Moodle's quiz statistics report
("Quiz statistics calculations", mod/quiz/report/statistics and
question/classes/statistics/questions/calculator.php). Plain functions over
plain data: no database, no web, no numpy.

Input is one attempt per trainee (the caller picks the first attempt of each),
each a mapping question id -> mark, and each question's maximum mark. An
attempt's total T is the sum of its marks. Every variance, standard deviation
and covariance divides by n - 1 (sample statistics), as Moodle's does.
Figures that cannot be computed (too few attempts, no variance) are None.

Papers drawn per attempt from a blueprint may differ: a question's item
statistics then use the attempts that contained it, and the coefficient of
internal consistency (which needs the same questions in every attempt) is None.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median as _median

Attempt = Mapping[str, float]

DUBIOUS_EFFICIENCY = 15.0           # Moodle marks a question whose efficiency is below this
CIC_SATISFACTORY = 75.0             # above: satisfactory
CIC_UNSATISFACTORY = 64.0           # below: unsatisfactory
REASON_LOW_EFFICIENCY = "区分效率低于15%"
REASON_NEGATIVE = "区分度为负"
_MARK_SLACK = 1e-9                  # rounding in a stored mark is not an error


@dataclass
class TestStats:
    """Statistics of the attempts' totals (marks, not percentages, except
    cic and error_ratio which are in %)."""
    __test__ = False                # a domain class, not a pytest test class

    n: int
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    skewness: float | None = None
    kurtosis: float | None = None
    cic: float | None = None
    error_ratio: float | None = None
    standard_error: float | None = None


@dataclass
class ItemStats:
    """Statistics of one question over the attempts that contained it; every
    figure except n is in %."""
    question_id: str
    n: int
    facility: float | None = None
    sd: float | None = None
    discrimination_index: float | None = None
    discriminative_efficiency: float | None = None
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)


# --- helpers ------------------------------------------------------------------

def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def _constant(xs: Sequence[float]) -> bool:
    """No variance at all, judged on the data rather than on a float sum."""
    return max(xs) == min(xs)


def _sum_of_products(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Σ (x - x̄)(y - ȳ), the numerator of a covariance."""
    mx, my = _mean(xs), _mean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys))


def _sample_variance(xs: Sequence[float]) -> float:
    if _constant(xs):
        return 0.0
    return _sum_of_products(xs, xs) / (len(xs) - 1)


def _check(attempts: Sequence[Attempt], max_marks: Mapping[str, float]) -> None:
    for qid, top in max_marks.items():
        if not top > 0:
            raise ValueError(f"试题 {qid} 的满分应为正数，收到：{top!r}")
    for i, attempt in enumerate(attempts, 1):
        for qid, mark in attempt.items():
            if qid not in max_marks:
                raise ValueError(f"第 {i} 份作答含有未给出满分的试题：{qid}")
            if not -_MARK_SLACK <= mark <= max_marks[qid] + _MARK_SLACK:
                raise ValueError(f"第 {i} 份作答中试题 {qid} 的得分 {mark} 不在 0 到满分 {max_marks[qid]} 之间")


def _total(attempt: Attempt) -> float:
    return math.fsum(attempt.values())


# --- test statistics ----------------------------------------------------------

def test_stats(attempts: Sequence[Attempt], max_marks: Mapping[str, float]) -> TestStats:
    """Moodle's test statistics of the totals T_s of S attempts:
    mean and median (the mean of the middle two when S is even);
    SD = sqrt(Σ(T-T̄)² / (S-1)) from S >= 2;
    with m_k = Σ(T-T̄)^k / S, k2 = S·m2/(S-1), k3 = S²·m3/((S-1)(S-2)),
    k4 = S²·((S+1)·m4 - 3(S-1)·m2²) / ((S-1)(S-2)(S-3)):
    skewness = k3 / k2^(3/2) from S >= 3, kurtosis = k4 / k2² from S >= 4;
    CIC = 100·P/(P-1)·(1 - Σ V(x_p) / k2) for P > 1 questions, from S >= 3,
    V(x_p) the sample variance of the marks on question p;
    error ratio ER = 100·sqrt(1 - CIC/100); standard error SE = ER/100·SD.
    Higher moments, CIC, ER and SE are None when the totals do not vary."""
    _check(attempts, max_marks)
    totals = [_total(a) for a in attempts]
    s = len(totals)
    if s == 0:
        return TestStats(n=0)
    out = TestStats(n=s, mean=_mean(totals), median=float(_median(totals)))
    if s < 2:
        return out
    if _constant(totals):
        out.sd = 0.0
        return out
    deviations = [t - out.mean for t in totals]
    power2, power3, power4 = (math.fsum(d ** k for d in deviations) for k in (2, 3, 4))
    out.sd = math.sqrt(power2 / (s - 1))
    if s < 3:
        return out
    m2, m3, m4 = power2 / s, power3 / s, power4 / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    out.skewness = k3 / k2 ** 1.5
    if s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        out.kurtosis = k4 / (k2 * k2)
    p = len(max_marks)
    same_paper = all(a.keys() == max_marks.keys() for a in attempts)
    if p > 1 and same_paper:
        sum_of_mark_variance = math.fsum(_sample_variance([a[q] for a in attempts]) for q in max_marks)
        out.cic = 100 * p / (p - 1) * (1 - sum_of_mark_variance / k2)
        out.error_ratio = 100 * math.sqrt(max(0.0, 1 - out.cic / 100))
        out.standard_error = out.error_ratio * out.sd / 100
    return out


test_stats.__test__ = False          # a domain function, not a pytest test


# --- item statistics ----------------------------------------------------------

def _one_item(qid: str, top: float, marks: list[float], rest: list[float]) -> ItemStats:
    n = len(marks)
    item = ItemStats(question_id=qid, n=n)
    if n == 0:
        return item
    item.facility = 100 * _mean(marks) / top
    if n < 2:
        return item
    item.sd = 100 * math.sqrt(_sample_variance(marks)) / top
    if _constant(marks) or _constant(rest):
        return item                  # no variance: no correlation, no maximum covariance
    covariance = _sum_of_products(marks, rest) / (n - 1)
    item.discrimination_index = 100 * covariance / math.sqrt(_sample_variance(marks) * _sample_variance(rest))
    # The largest covariance these same marks could have: pair the two series
    # sorted in the same order (Moodle sorts markarray and othermarksarray).
    mx, my = _mean(marks), _mean(rest)
    covariance_max = math.fsum((x - mx) * (y - my) for x, y in zip(sorted(marks), sorted(rest))) / (n - 1)
    item.discriminative_efficiency = 100 * covariance / covariance_max
    if item.discriminative_efficiency < DUBIOUS_EFFICIENCY:
        item.reasons.append(REASON_LOW_EFFICIENCY)
    if item.discrimination_index < 0:
        item.reasons.append(REASON_NEGATIVE)
    item.flagged = bool(item.reasons)
    return item


def item_stats(attempts: Sequence[Attempt], max_marks: Mapping[str, float]) -> list[ItemStats]:
    """Moodle's question statistics, one per question in max_marks order, over
    the attempts that contained it (x = mark on the question, max its maximum,
    X = the attempt's total minus x, i.e. the rest of the test):
    facility F = 100·x̄/max; SD = 100·sqrt(Σ(x-x̄)²/(n-1))/max;
    discrimination index D = 100·C(x,X)/sqrt(V(x)·V(X));
    discriminative efficiency DE = 100·C(x,X)/Cmax(x,X), Cmax pairing x and X
    both sorted ascending. A question is flagged when DE < 15 (Moodle's
    dubious question) or D < 0; a figure that is None flags nothing."""
    _check(attempts, max_marks)
    totals = [_total(a) for a in attempts]
    out = []
    for qid, top in max_marks.items():
        pairs = [(a[qid], t - a[qid]) for a, t in zip(attempts, totals) if qid in a]
        out.append(_one_item(qid, top, [x for x, _ in pairs], [y for _, y in pairs]))
    return out


def analyse(attempts: Sequence[Attempt], max_marks: Mapping[str, float]) -> tuple[TestStats, list[ItemStats]]:
    """Test statistics and item statistics of the same attempts."""
    return test_stats(attempts, max_marks), item_stats(attempts, max_marks)


def consistency_reading(cic: float | None) -> str:
    """How Moodle's documentation reads the CIC: above 75% satisfactory, below
    64% unsatisfactory, in between (both ends included) fair."""
    if cic is None:
        return "无法计算"
    if cic > CIC_SATISFACTORY:
        return "满意"
    if cic < CIC_UNSATISFACTORY:
        return "不满意"
    return "一般"
