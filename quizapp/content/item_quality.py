"""题目质量体检: the item-quality check of the question bank.

An exam bank whose keys are mostly A, whose key is usually the longest option,
whose true/false items are mostly false, or whose distractors carry absolute
words (一律、任何 …) can be passed by test-wise guessing. This module measures
those cues per volume and for the whole bank and turns the thresholds below
into check errors (documented for editors in CONTRIBUTING.md).

Data flow: the loaded :class:`~quizapp.content.questions.Question` list ->
:func:`choice_items` (every standalone choice question and every part of a
case, as the trainee answers them) -> :func:`measure` (a :class:`Stats` per
group) -> :func:`problems` (threshold errors and per-item errors) and
:func:`format_quality` (the printed report). Plain functions, no I/O.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from ..domain.option_letters import unmappable
from ..domain.procedure import VOLUME_BY_CODE
from .problems import Problem

# Thresholds: applied per volume of at least MIN_ITEMS questions.
MIN_ITEMS = 40
MAX_SINGLE_LETTER = 0.35        # no single-choice key letter above this share
MAX_LONGEST_KEY = 0.35          # key strictly the longest option in at most this share of choice items
MIN_LONGEST_KEY = 0.15          # ... and, among single-choice items with one longest option, in at least this
                                # share: a key that is never the longest lets a candidate strike the longest option
TRUE_SHARE = (0.35, 0.65)       # share of true among true/false items
MAX_KEY_SIZE_CLASS = 0.50       # no multiple-choice key size (2, 3, 4 …) above this share
MAX_ABSOLUTE_GAP = 0.05         # distractors with absolute words minus keys with them, in shares
NEAR_DUPLICATE = 0.5            # Jaccard similarity of two items' stems and options (character 3-grams)

ABSOLUTE_WORDS = ("一律", "任何", "只要", "无须", "必须", "绝对")
CATCH_ALL = re.compile(r"以上(?:都|均|全|皆)?(?:对|错|正确|不对|不正确|错误|不是|是)|都不对|都不正确|全部正确")
_NOT_TEXT = re.compile(r"[\s\W_（）【】“”‘’，。、；：？！（）()]+")


@dataclass
class ChoiceItem:
    """One thing a trainee answers: a standalone question or a case part."""
    label: str                 # 'v1-gp-004' or 'v1-ca-003 第 2 小题'
    question_id: str
    volume: str
    type: str                  # single, multiple, judge
    stem: str
    options: dict[str, str]
    answer: list[str]
    explanation: str
    file: str
    line: int

    @property
    def distractors(self) -> list[str]:
        return [t for k, t in self.options.items() if k not in self.answer]

    @property
    def keys(self) -> list[str]:
        return [self.options[k] for k in self.answer if k in self.options]


def choice_items(questions) -> list[ChoiceItem]:
    out = []
    for q in questions:
        if q.type == "case":
            for p in q.parts:
                out.append(ChoiceItem(f"{q.id} 第 {p.id} 小题", q.id, q.volume, p.type, p.stem, p.options,
                                      p.answer, p.explanation, q.file, q.line_of("parts")))
        else:
            out.append(ChoiceItem(q.id, q.id, q.volume, q.type, q.stem, q.options, q.answer, q.explanation,
                                  q.file, q.line))
    return out


def key_is_longest(item: ChoiceItem) -> bool:
    """The key is strictly longer than every distractor (for several keys: the
    shortest key is longer than the longest distractor)."""
    if item.type == "judge" or not item.distractors or not item.keys:
        return False
    return min(len(k) for k in item.keys) > max(len(d) for d in item.distractors)


def unique_longest(item: ChoiceItem) -> str | None:
    """The letter of the option strictly longer than every other, if any."""
    lengths = sorted(((len(t), k) for k, t in item.options.items()), reverse=True)
    if len(lengths) < 2 or lengths[0][0] == lengths[1][0]:
        return None
    return lengths[0][1]


def has_absolute(text: str) -> bool:
    return any(w in text for w in ABSOLUTE_WORDS)


def shingles(text: str, n: int = 3) -> set[str]:
    plain = _NOT_TEXT.sub("", text)
    return {plain[i:i + n] for i in range(max(len(plain) - n + 1, 1))}


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class Stats:
    name: str                                   # '第一卷 公共法律法规规章运用' or '全库'
    questions: int = 0
    single_letters: Counter = field(default_factory=Counter)
    multiple_letters: Counter = field(default_factory=Counter)   # letter -> keys containing it
    key_sizes: Counter = field(default_factory=Counter)          # multiple: size -> count
    all_but_one: int = 0                                         # multiple keys with every option but one
    judge: Counter = field(default_factory=Counter)              # 'T' / 'F'
    choice: int = 0                                              # single + multiple items
    longest: int = 0
    one_longest: int = 0                                         # single items with one strictly longest option
    one_longest_key: int = 0                                     # ... which is the key
    absolute_keys: int = 0
    absolute_distractors: int = 0
    key_options: int = 0
    distractor_options: int = 0

    @property
    def singles(self) -> int:
        return sum(self.single_letters.values())

    @property
    def multiples(self) -> int:
        return sum(self.key_sizes.values())

    @property
    def judges(self) -> int:
        return sum(self.judge.values())

    @property
    def gated(self) -> bool:
        """Whether the thresholds apply (a volume of at least MIN_ITEMS questions)."""
        return self.questions >= MIN_ITEMS


def measure(name: str, n_questions: int, items: list[ChoiceItem]) -> Stats:
    s = Stats(name, n_questions)
    for it in items:
        if it.type == "single":
            s.single_letters[it.answer[0]] += 1
            top = unique_longest(it)
            s.one_longest += top is not None
            s.one_longest_key += top is not None and top == it.answer[0]
        elif it.type == "multiple":
            s.key_sizes[len(it.answer)] += 1
            s.multiple_letters.update(it.answer)
            s.all_but_one += len(it.answer) == len(it.options) - 1
        elif it.type == "judge":
            s.judge[it.answer[0]] += 1
        if it.type in ("single", "multiple"):
            s.choice += 1
            s.longest += key_is_longest(it)
            s.key_options += len(it.keys)
            s.distractor_options += len(it.distractors)
            s.absolute_keys += sum(map(has_absolute, it.keys))
            s.absolute_distractors += sum(map(has_absolute, it.distractors))
    return s


def _share(n: int, total: int) -> float:
    return n / total if total else 0.0


def _pct(n: int, total: int) -> str:
    return f"{round(100 * _share(n, total))}%"


def threshold_failures(s: Stats) -> list[str]:
    """What of ``s`` breaks a threshold (empty for a volume under MIN_ITEMS)."""
    if not s.gated:
        return []
    out = []
    for letter, n in sorted(s.single_letters.items()):
        if _share(n, s.singles) > MAX_SINGLE_LETTER:
            out.append(f"单选题答案为 {letter} 的占 {_pct(n, s.singles)}（{n}/{s.singles}），上限 {MAX_SINGLE_LETTER:.0%}")
    if _share(s.longest, s.choice) > MAX_LONGEST_KEY:
        out.append(f"答案是最长选项的选择题占 {_pct(s.longest, s.choice)}（{s.longest}/{s.choice}），上限 {MAX_LONGEST_KEY:.0%}")
    if s.one_longest and _share(s.one_longest_key, s.one_longest) < MIN_LONGEST_KEY:
        out.append(f"有唯一最长选项的单选题中，答案就是该选项的仅占 {_pct(s.one_longest_key, s.one_longest)}"
                   f"（{s.one_longest_key}/{s.one_longest}），下限 {MIN_LONGEST_KEY:.0%}（最长的选项从不是答案，同样可被排除）")
    if s.judges:
        share = _share(s.judge["T"], s.judges)
        if not TRUE_SHARE[0] <= share <= TRUE_SHARE[1]:
            out.append(f"判断题中答案为“正确”的占 {_pct(s.judge['T'], s.judges)}（{s.judge['T']}/{s.judges}），"
                       f"应在 {TRUE_SHARE[0]:.0%} 至 {TRUE_SHARE[1]:.0%} 之间")
    gap = _share(s.absolute_distractors, s.distractor_options) - _share(s.absolute_keys, s.key_options)
    if gap > MAX_ABSOLUTE_GAP:
        out.append(f"含绝对化用语的干扰项占 {_pct(s.absolute_distractors, s.distractor_options)}，答案仅 "
                   f"{_pct(s.absolute_keys, s.key_options)}，相差超过 {MAX_ABSOLUTE_GAP:.0%}（绝对化用语成了排除干扰项的线索）")
    for size, n in sorted(s.key_sizes.items()):
        if _share(n, s.multiples) > MAX_KEY_SIZE_CLASS:
            out.append(f"多选题答案含 {size} 个选项的占 {_pct(n, s.multiples)}（{n}/{s.multiples}），上限 {MAX_KEY_SIZE_CLASS:.0%}")
    return out


def item_problems(questions, items: list[ChoiceItem]) -> list[Problem]:
    """Per-item errors: catch-all options (meaningless once options are
    shuffled) and explanations whose option letters cannot be mapped (a
    case's own explanation spans its parts, so it may name no letter)."""
    out = []
    for q in questions:
        if q.type == "case" and unmappable(q.explanation, []):
            out.append(Problem(q.file, q.line_of("explanation"), "explanation",
                               f"题目 {q.id}：案例分析题的总解析不能用选项字母（{'、'.join(unmappable(q.explanation, []))}），"
                               "请写到小题解析中或直接引用选项内容"))
    for it in items:
        for k, text in it.options.items():
            if CATCH_ALL.search(text):
                out.append(Problem(it.file, it.line, "options",
                                   f"题目 {it.label}：选项 {k}“{text}”是“以上都对/都不对”一类的选项，选项打乱后无意义，请改写"))
        keys = [] if it.type == "judge" else list(it.options)
        bad = unmappable(it.explanation, keys)
        if bad:
            out.append(Problem(it.file, it.line, "explanation",
                               f"题目 {it.label}：解析中的字母 {'、'.join(bad)} 无法对应到本题选项"
                               "（选项打乱后按所示字母改写解析；请写成本题已有的选项字母，多个字母按顺序连写，或直接引用选项内容）"))
    return out


def near_duplicates(items: list[ChoiceItem], threshold: float = NEAR_DUPLICATE) -> list[tuple[float, ChoiceItem, ChoiceItem]]:
    """Pairs of items of different questions whose stems (with their options)
    are near-duplicates, most similar first: a case part that repeats a
    standalone item tests the same thing twice and cues its answer."""
    sh = [(it, shingles(it.stem + "".join(it.options.values()))) for it in items]
    pairs = []
    for (a, sa), (b, sb) in combinations(sh, 2):
        if a.question_id == b.question_id:
            continue
        sim = similarity(sa, sb)
        if sim >= threshold:
            pairs.append((sim, a, b))
    return sorted(pairs, key=lambda p: -p[0])


@dataclass
class QualityReport:
    stats: list[Stats]                      # one per volume with questions, then the whole bank
    problems: list[Problem]
    duplicates: list[tuple[float, ChoiceItem, ChoiceItem]]


def check_quality(questions) -> QualityReport:
    items = choice_items(questions)
    per_volume: dict[str, list] = {}
    for q in questions:
        per_volume.setdefault(q.volume, []).append(q)
    stats = []
    problems = item_problems(questions, items)
    for code, qs in sorted(per_volume.items()):
        volume = VOLUME_BY_CODE.get(code)
        name = volume.title if volume else code
        s = measure(name, len(qs), [it for it in items if it.volume == code])
        stats.append(s)
        for failure in threshold_failures(s):
            problems.append(Problem(f"question_bank/{code}/", 0, "题目质量", f"{name}：{failure}"))
    stats.append(measure("全库", len(questions), items))
    duplicates = near_duplicates(items)
    for sim, a, b in duplicates:
        problems.append(Problem(b.file, b.line, "stem",
                                f"题目 {b.label} 与 {a.label} 的题干和选项高度相似（相似度 {sim:.0%}），请改写或删去一道"))
    return QualityReport(stats, problems, duplicates)


def format_quality(report: QualityReport) -> str:
    """The printed 题目质量体检 section."""
    out = ["题目质量体检（阈值按 40 题以上的分卷判定，见 CONTRIBUTING.md）"]
    for s in report.stats:
        gate = "" if s.gated or s.name == "全库" else f"（不足 {MIN_ITEMS} 题，仅报告）"
        out.append(f"【{s.name}】题目 {s.questions} 道{gate}")
        if s.singles:
            out.append("  单选答案字母：" + "，".join(f"{k} {_pct(n, s.singles)}" for k, n in sorted(s.single_letters.items()))
                       + f"（共 {s.singles} 题，单个字母上限 {MAX_SINGLE_LETTER:.0%}）")
        if s.multiples:
            out.append("  多选答案含各字母：" + "，".join(f"{k} {_pct(n, s.multiples)}" for k, n in sorted(s.multiple_letters.items()))
                       + f"（共 {s.multiples} 题）")
            out.append("  多选答案个数：" + "，".join(f"{k} 个 {_pct(n, s.multiples)}" for k, n in sorted(s.key_sizes.items()))
                       + f"；“只差一项全选”的 {_pct(s.all_but_one, s.multiples)}（每类上限 {MAX_KEY_SIZE_CLASS:.0%}）")
        if s.judges:
            out.append(f"  判断题：正确 {_pct(s.judge['T'], s.judges)}，错误 {_pct(s.judge['F'], s.judges)}"
                       f"（共 {s.judges} 题，正确应占 {TRUE_SHARE[0]:.0%}–{TRUE_SHARE[1]:.0%}）")
        if s.choice:
            out.append(f"  答案是最长选项：{_pct(s.longest, s.choice)}（{s.longest}/{s.choice}，上限 {MAX_LONGEST_KEY:.0%}）")
            if s.singles:
                share = (f"{_pct(s.one_longest_key, s.one_longest)}（{s.one_longest_key}/{s.one_longest}，"
                         if s.one_longest else "—（没有这样的单选题；")
                out.append(f"  有唯一最长选项的单选题中答案就是它：{share}下限 {MIN_LONGEST_KEY:.0%}）")
            out.append(f"  含绝对化用语（{'、'.join(ABSOLUTE_WORDS)}）的选项：答案 {_pct(s.absolute_keys, s.key_options)}"
                       f"（{s.absolute_keys}/{s.key_options}），干扰项 {_pct(s.absolute_distractors, s.distractor_options)}"
                       f"（{s.absolute_distractors}/{s.distractor_options}），相差上限 {MAX_ABSOLUTE_GAP:.0%}")
        failures = threshold_failures(s)
        out.append("  结论：" + ("；".join(failures) if failures else "通过" if s.gated else "—"))
    if report.duplicates:
        out.append(f"题干近似重复（字符三元组相似度 ≥ {NEAR_DUPLICATE:.0%}）：{len(report.duplicates)} 对")
        for sim, a, b in report.duplicates[:20]:
            out.append(f"  {sim:.0%}  {a.label} ↔ {b.label}")
    else:
        out.append(f"题干近似重复（字符三元组相似度 ≥ {NEAR_DUPLICATE:.0%}）：无")
    return "\n".join(out)
