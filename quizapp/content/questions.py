"""The question bank: ``question_bank/**/*.yaml``, read with line numbers.

A file holds ``volume:`` and ``questions:``; each question is validated into a
:class:`Question` or produces problems naming file, line and field. The format
is documented in ``question_bank/README.md``.

Answers are normalised to a sorted list of option keys for every type; a
true/false question gets the fixed options T (正确) and F (错误).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from ..domain.exams import TYPE_NAMES
from ..domain.procedure import ALL_STEPS, VOLUME_BY_CODE
from . import QUESTION_BANK, ROOT
from .problems import Problem
from .statutes import article_key

TYPES = TYPE_NAMES                      # single, multiple, judge, case -> Chinese name
CHOICE_TYPES = ("single", "multiple", "judge")
JUDGE_OPTIONS = {"T": "正确", "F": "错误"}
OPTION_KEYS = "ABCDEF"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED = ("id", "type", "difficulty", "step", "stem", "answer", "explanation", "anchor")
KNOWN = set(REQUIRED) | {"options", "basis", "volume", "parts", "pool", "items"}
POOLS = {"practice": "练习与考试", "exam": "仅用于考试"}     # pool: exam never reaches practice, 练一练 or the mistake book
PART_KNOWN = {"stem", "type", "options", "answer", "explanation"}


class LineDict(dict):
    """A mapping that remembers the line of itself and of each key."""
    line: int = 0
    lines: dict

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class DuplicateKey(yaml.YAMLError):
    pass


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise DuplicateKey(f"第 {key_node.start_mark.line + 1} 行：键 {key!r} 重复")
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
# Dates (2021-01-22) stay text: the bank compares them with the corpus' version
# strings, and an impossible date (2021-02-30) is then a problem, not a crash.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


@dataclass
class Basis:
    statute: str
    version: str
    article: str          # article key, e.g. '33'
    quote: str
    line: int = 0


@dataclass
class Part:
    """A sub-question of a case-analysis question."""
    id: str               # '1', '2', … in order
    type: str
    stem: str
    options: dict[str, str]
    answer: list[str]
    explanation: str = ""


@dataclass
class Question:
    id: str
    type: str
    difficulty: int
    volume: str
    step: str
    stem: str
    options: dict[str, str]
    answer: list[str]
    explanation: str
    anchor: str           # handbook path + '#' + anchor
    basis: list[Basis] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    pool: str = "practice"
    items: list[str] = field(default_factory=list)      # 赋权事项 ids (handbook/items/), checked in content/items.py
    file: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)   # key -> its line

    def line_of(self, key: str) -> int:
        """The line of one of the question's keys (anchor, stem …), else of the question."""
        return self.lines.get(key) or self.line

    @property
    def anchor_path(self) -> str:
        return self.anchor.partition("#")[0]

    def content_hash(self) -> str:
        """Changes whenever anything a trainee sees or is graded on changes (not the items it is tagged with)."""
        data = asdict(self)
        data.pop("file"), data.pop("line"), data.pop("lines"), data.pop("items")
        for b in data["basis"]:
            b.pop("line")
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def read_yaml(path: Path, rel: str, loader=None) -> tuple[object, list[Problem]]:
    """The file's YAML with line numbers (``loader``, default :class:`_Loader`),
    or None and the syntax problem with its line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader or _Loader), []
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 0
        return None, [Problem(rel, line, "", f"YAML 语法错误：{e.problem}")]
    except yaml.YAMLError as e:
        m = re.search(r"第 (\d+) 行", str(e))
        return None, [Problem(rel, int(m.group(1)) if m else 0, "", str(e))]


def read_listing(path: Path, key: str, message: str) -> tuple[str, "LineDict | None", list[Problem]]:
    """A content YAML file whose top-level ``key`` is a list: (its path as the
    report names it, the mapping or None, the problems that stop its reading:
    bad YAML, or ``message`` when the list is missing)."""
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    data, problems = read_yaml(path, rel)
    if not problems and (not isinstance(data, LineDict) or not isinstance(data.get(key), list)):
        problems = [Problem(rel, 1, key, message)]
    return rel, (None if problems else data), problems


def load_file(path: Path) -> tuple[list[Question], list[Problem]]:
    rel, data, problems = read_listing(path, "questions", "文件应包含 volume: 和 questions: 列表")
    if data is None:
        return [], problems
    problems: list[Problem] = []
    volume = str(data.get("volume", ""))
    if volume not in VOLUME_BY_CODE:
        problems.append(Problem(rel, data.line_of("volume"), "volume",
                                f"未知分卷 {volume!r}；可选：{'、'.join(VOLUME_BY_CODE)}"))
    questions = []
    for raw in data["questions"]:
        q = _question(raw, volume, rel, problems)
        if q:
            questions.append(q)
    return questions, problems


def load_bank(folder: Path = QUESTION_BANK) -> tuple[list[Question], list[Problem]]:
    """Every question of the bank; duplicate ids across files are problems."""
    questions: list[Question] = []
    problems: list[Problem] = []
    seen: dict[str, Question] = {}
    for path in sorted(folder.rglob("*.yaml")):
        qs, ps = load_file(path)
        problems += ps
        for q in qs:
            if q.id in seen:
                first = seen[q.id]
                problems.append(Problem(q.file, q.line, "id",
                                        f"题目编号 {q.id} 重复（已用于 {first.file}:{first.line}）"))
                continue
            seen[q.id] = q
            questions.append(q)
    return questions, problems


def check_keys(raw: LineDict, required, known, bad, *, exempt=()) -> None:
    """A mapping's missing required keys (empty counts as missing) and unknown
    keys, each reported through ``bad(key, message)``."""
    for key in required:
        if key not in exempt and raw.get(key) in (None, "", []):
            bad(key, f"缺少必填字段 {key}")
    for key in raw:
        if key not in known:
            bad(key, f"未知字段 {key}（可用：{'、'.join(sorted(known))}）")


def _question(raw, volume: str, rel: str, problems: list[Problem]) -> Question | None:
    if not isinstance(raw, LineDict):
        problems.append(Problem(rel, 0, "questions", "每道题应是一个键值映射"))
        return None
    before = len(problems)

    def bad(key: str, message: str, *, line: int | None = None, field_name: str | None = None) -> None:
        problems.append(Problem(rel, line or raw.line_of(key), field_name or key, message))

    check_keys(raw, REQUIRED, KNOWN, bad, exempt=("answer",) if raw.get("type") == "case" else ())
    qid = str(raw.get("id", ""))
    if qid and not ID_PATTERN.match(qid):
        bad("id", f"题目编号 {qid!r} 只能用小写字母、数字和连字符")
    qtype = raw.get("type")
    if qtype is not None and qtype not in TYPES:
        bad("type", f"未知题型 {qtype!r}；可选：single（单选）、multiple（多选）、judge（判断）、case（案例分析）")
    difficulty = raw.get("difficulty")
    if difficulty is not None and difficulty not in (1, 2, 3):
        bad("difficulty", "难度应为 1（基础）、2（进阶）或 3（综合）")
    step = raw.get("step")
    if step is not None and step not in ALL_STEPS:
        bad("step", f"未知环节 {step!r}；可选：{'、'.join(ALL_STEPS)}")
    if str(raw.get("volume", volume)) != volume:
        bad("volume", "题目的 volume 与文件的 volume 不一致")
    pool = str(raw.get("pool", "practice"))
    if pool not in POOLS:
        bad("pool", f"未知题目用途 {pool!r}；可选：practice（练习与考试，默认）、exam（仅用于考试）")
    anchor = str(raw.get("anchor", ""))
    if anchor and ("#" not in anchor or not anchor.partition("#")[0].endswith(".md")):
        bad("anchor", "anchor 应为手册页面路径加锚点，如 volumes/v1-common/guide/general-procedure.md#调查取证")

    if qtype == "case":
        options, answer, parts = {}, [], _parts(raw, bad)
    else:
        if "parts" in raw:
            bad("parts", "只有案例分析题（type: case）才有 parts")
        options, answer = _options_and_answer(raw, qtype, bad)
        parts = []
    basis = _basis(raw, bad)
    items = raw.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        bad("items", "items 应为事项编号列表，如 [v3-sx-001]")
        items = []
    if len(problems) > before:
        return None
    return Question(id=qid, type=qtype, difficulty=difficulty, volume=volume, step=step,
                    stem=str(raw["stem"]).strip(), options=options, answer=answer,
                    explanation=str(raw["explanation"]).strip(), anchor=anchor, basis=basis,
                    parts=parts, pool=pool, items=list(items), file=rel, line=raw.line, lines=dict(raw.lines))


def _parts(raw: LineDict, bad) -> list[Part]:
    items = raw.get("parts")
    if "options" in raw or "answer" in raw:
        bad("parts", "案例分析题的选项和答案写在各小题（parts）中")
    if not isinstance(items, list) or not 2 <= len(items) <= 6:
        bad("parts", "案例分析题需要 2 至 6 个小题（parts）")
        return []
    out = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, LineDict):
            bad("parts", f"第 {n} 小题应是一个键值映射")
            continue

        def bad_part(key: str, message: str, item=item, n=n) -> None:
            bad(key, f"第 {n} 小题：{message}", line=item.line_of(key), field_name=f"parts[{n}].{key}")

        for key in item:
            if key not in PART_KNOWN:
                bad_part(key, f"未知字段 {key}")
        ptype = item.get("type")
        if ptype not in CHOICE_TYPES:
            bad_part("type", "小题的 type 应为 single、multiple 或 judge")
            continue
        if not item.get("stem"):
            bad_part("stem", "缺少小题题干 stem")
        options, answer = _options_and_answer(item, ptype, bad_part)
        out.append(Part(str(n), ptype, str(item.get("stem", "")).strip(), options, answer,
                        str(item.get("explanation") or "").strip()))
    return out


def _options_and_answer(raw: LineDict, qtype, bad) -> tuple[dict[str, str], list[str]]:
    answer = raw.get("answer")
    if qtype == "judge":
        if "options" in raw:
            bad("options", "判断题不写 options（固定为 正确/错误）")
        if not isinstance(answer, bool):
            bad("answer", "判断题的 answer 应为 true 或 false")
            return JUDGE_OPTIONS, []
        return dict(JUDGE_OPTIONS), ["T" if answer else "F"]
    options = raw.get("options")
    if not isinstance(options, dict) or not options:
        if qtype in TYPES:
            bad("options", "选择题需要 options，键为 A、B、C……")
        return {}, []
    keys = [str(k) for k in options]
    if keys != list(OPTION_KEYS[:len(keys)]) or not 3 <= len(keys) <= 6:
        bad("options", f"选项键应依次为 A、B、C……（3 至 6 个），实为 {'、'.join(keys)}")
    for k, text in options.items():
        if text in (None, ""):
            bad("options", f"选项 {k} 没有内容")
    letters = answer if isinstance(answer, list) else [answer]
    letters = [str(a) for a in letters if a is not None]
    unknown = [a for a in letters if a not in keys]
    if unknown:
        bad("answer", f"答案 {'、'.join(unknown)} 不在选项中")
    if qtype == "single" and (isinstance(answer, list) or len(letters) != 1):
        bad("answer", "单选题的 answer 应为一个选项字母，如 B")
    if qtype == "multiple" and (not isinstance(answer, list) or len(set(letters)) < 2):
        bad("answer", "多选题的 answer 应为至少两个选项的列表，如 [A, C]")
    return {str(k): str(v).strip() for k, v in options.items()}, sorted(set(letters))


def _basis(raw: LineDict, bad) -> list[Basis]:
    items = raw.get("basis") or []
    if not isinstance(items, list):
        bad("basis", "basis 应为列表")
        return []
    out = []
    for item in items:
        if not isinstance(item, LineDict):
            bad("basis", "basis 的每一项应含 statute、version、article、quote")
            continue
        missing = [k for k in ("statute", "version", "article", "quote") if item.get(k) in (None, "")]
        if missing:
            bad("basis", f"第 {item.line} 行的依据缺少 {'、'.join(missing)}")
            continue
        try:
            key = article_key(item["article"])
        except ValueError:
            bad("basis", f"第 {item.line_of('article')} 行：无法识别条号 {item['article']!r}")
            continue
        out.append(Basis(str(item["statute"]), str(item["version"]), key,
                         str(item["quote"]).strip(), item.line_of("quote")))
    return out
