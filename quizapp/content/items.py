"""The delegated-item catalogue (赋权事项目录): ``handbook/items/<volume>.yaml``.

Design
------
Data flow: each volume's YAML file -> :func:`load_catalogue` validates every
item into an :class:`Item` (or problems naming file, line and field, as the
question bank does; the format is documented in ``handbook/items/README.md``).
:func:`check_links` then checks what needs the rest of the handbook: each
basis article exists in the vendored corpus (statute, version, article,
paragraph), the guide anchor resolves, every id that a case page (front
matter ``items:``) or a question (``items:``) names is in the catalogue, and
every item is taught by at least one question. The links back from an item
to its cases and questions are computed here (:func:`cases_of`,
:func:`questions_of`), never written by hand; :mod:`generate` turns them into
the catalogue pages and each item's page. The platform reads the same
catalogue (practice by item, the county list match, 赋权评估).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.procedure import VOLUME_BY_CODE
from . import HANDBOOK
from .problems import Problem
from .questions import LineDict, check_keys, read_listing
from .statutes import Corpus, article_key, article_label

ITEMS = HANDBOOK / "items"
ID_PATTERN = re.compile(r"^v[1-8]-sx-\d{3}$")
KINDS = ("行政处罚", "行政强制", "行政检查")
ROLES = ("违法行为", "处罚", "强制", "检查")
DISCRETION = ("应当", "可以")
FREQUENCIES = ("高", "中", "低")
REQUIRED = ("id", "name", "kind", "department", "basis", "penalty", "frequency", "guide")
KNOWN = set(REQUIRED) | {"local_rule", "procedure_notes", "often_retained", "own_power"}
PENALTY_KNOWN = {"summary", "discretion", "decided_by"}
BASIS_KNOWN = {"role", "statute", "version", "article", "paragraph"}
LOCAL_KNOWN = {"note", "regulation"}
PROVINCE_NOTE = "本省是否下放以省级公布的目录为准"


@dataclass(frozen=True)
class ItemBasis:
    role: str              # 违法行为 | 处罚 | 强制 | 检查
    statute: str           # short name, as in the corpus
    version: str
    article: str           # article key: '55'
    paragraph: int | None = None
    line: int = 0

    @property
    def label(self) -> str:
        """《农药管理条例》第五十五条第一款"""
        para = f"第{_chinese(self.paragraph)}款" if self.paragraph else ""
        return f"《{self.statute}》{article_label(self.article)}{para}"


@dataclass
class Item:
    id: str
    name: str
    kind: str
    volume: str
    department: str
    basis: list[ItemBasis]
    penalty_summary: str
    discretion: str
    decided_by: str
    frequency: str
    often_retained: bool
    guide: str                                  # handbook path + '#' + anchor
    procedure_notes: list[str] = field(default_factory=list)
    local_note: str = ""
    local_regulation: str = ""
    own_power: bool = False                     # the township's own power by law, no delegation needed
    file: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key) or self.line

    @property
    def page(self) -> str:
        """The generated page of this item."""
        return item_page_path(self.volume, self.id)

    def by_role(self, role: str) -> list[ItemBasis]:
        return [b for b in self.basis if b.role == role]


@functools.cache
def catalogue() -> dict[str, Item]:
    """The catalogue as the platform reads it (loaded once; the checked build
    is what is deployed): id -> item."""
    return {i.id: i for i in load_catalogue()[0]}


def item_page_path(volume: str, item_id: str) -> str:
    return f"volumes/{volume}/items/{item_id}.md"


def catalogue_page_path(volume: str | None) -> str:
    """The generated catalogue page of a volume, or of the whole handbook (None)."""
    return f"volumes/{volume}/items/index.md" if volume else "items.md"


def _chinese(n: int | None) -> str:
    return article_label(str(n)).removeprefix("第").removesuffix("条") if n else ""


def load_catalogue(folder: Path = ITEMS) -> tuple[list[Item], list[Problem]]:
    """Every item of every volume file; duplicate ids are problems."""
    items: list[Item] = []
    problems: list[Problem] = []
    seen: dict[str, Item] = {}
    for path in sorted(folder.glob("*.yaml")):
        rel, data, file_problems = read_listing(path, "items", "文件应包含 volume: 和 items: 列表")
        problems += file_problems
        if data is None:
            continue
        volume = str(data.get("volume", ""))
        if volume not in VOLUME_BY_CODE:
            problems.append(Problem(rel, data.line_of("volume"), "volume",
                                    f"未知分卷 {volume!r}；可选：{'、'.join(VOLUME_BY_CODE)}"))
            continue
        if path.stem != volume:
            problems.append(Problem(rel, data.line_of("volume"), "volume",
                                    f"文件名应与分卷一致：{volume}.yaml"))
        for raw in data["items"]:
            item = _item(raw, volume, rel, problems)
            if item is None:
                continue
            if item.id in seen:
                first = seen[item.id]
                problems.append(Problem(rel, item.line, "id",
                                        f"事项编号 {item.id} 重复（已用于 {first.file}:{first.line}）"))
                continue
            if not item.id.startswith(f"v{VOLUME_BY_CODE[volume].number}-"):
                problems.append(Problem(rel, item.line_of("id"), "id",
                                        f"事项编号 {item.id} 应以本卷的 v{VOLUME_BY_CODE[volume].number}- 开头"))
            seen[item.id] = item
            items.append(item)
    return items, problems


def _item(raw, volume: str, rel: str, problems: list[Problem]) -> Item | None:
    if not isinstance(raw, LineDict):
        problems.append(Problem(rel, 0, "items", "每个事项应是一个键值映射"))
        return None
    before = len(problems)

    def bad(key: str, message: str, line: int | None = None, field_name: str | None = None) -> None:
        problems.append(Problem(rel, line or raw.line_of(key), field_name or key, message))

    check_keys(raw, REQUIRED, KNOWN, bad)
    item_id = str(raw.get("id", ""))
    if item_id and not ID_PATTERN.match(item_id):
        bad("id", f"事项编号 {item_id!r} 应形如 v3-sx-001（分卷号、-sx-、三位序号）")
    kind = raw.get("kind")
    if kind is not None and kind not in KINDS:
        bad("kind", f"未知职权类型 {kind!r}；可选：{'、'.join(KINDS)}")
    frequency = raw.get("frequency")
    if frequency is not None and frequency not in FREQUENCIES:
        bad("frequency", "frequency（频次）应为 高、中 或 低")
    retained = raw.get("often_retained", False)
    if not isinstance(retained, bool):
        bad("often_retained", "often_retained 应为 true 或 false")
    own_power = raw.get("own_power", False)
    if not isinstance(own_power, bool):
        bad("own_power", "own_power 应为 true 或 false")
    guide = str(raw.get("guide", ""))
    if guide and ("#" not in guide or not guide.partition("#")[0].endswith(".md")):
        bad("guide", "guide 应为手册页面路径加锚点，如 volumes/v1-common/guide/delegated-powers.md#立案前核对赋权事项")
    basis = _basis(raw, kind, bad)
    penalty = raw.get("penalty")
    summary = discretion = decided_by = ""
    if isinstance(penalty, LineDict):
        for key in penalty:
            if key not in PENALTY_KNOWN:
                bad("penalty", f"penalty 中的未知字段 {key}", line=penalty.line_of(key))
        summary = str(penalty.get("summary") or "").strip()
        discretion = str(penalty.get("discretion") or "")
        decided_by = str(penalty.get("decided_by") or "").strip()
        if not summary or not decided_by:
            bad("penalty", "penalty 须有 summary（处罚概要）和 decided_by（由谁决定）", line=penalty.line)
        if kind == "行政处罚" and discretion not in DISCRETION:
            bad("penalty", "处罚事项的 penalty.discretion 应为 应当 或 可以", line=penalty.line_of("discretion"))
    elif penalty is not None:
        bad("penalty", "penalty 应含 summary、discretion、decided_by")
    notes = raw.get("procedure_notes") or []
    if not isinstance(notes, list) or not all(isinstance(n, str) and n.strip() for n in notes):
        bad("procedure_notes", "procedure_notes 应为文字列表，每条一句到两句")
        notes = []
    local = raw.get("local_rule")
    local_note = local_regulation = ""
    if local is not None:
        if not isinstance(local, LineDict) or not str(local.get("note") or "").strip():
            bad("local_rule", "local_rule 须有 note（说明罚款数额等由地方性法规规定）")
        else:
            for key in local:
                if key not in LOCAL_KNOWN:
                    bad("local_rule", f"local_rule 中的未知字段 {key}", line=local.line_of(key))
            local_note = str(local["note"]).strip()
            local_regulation = str(local.get("regulation") or "").strip()
    if len(problems) > before:
        return None
    return Item(id=item_id, name=str(raw["name"]).strip(), kind=kind, volume=volume,
                department=str(raw["department"]).strip(), basis=basis, penalty_summary=summary,
                discretion=discretion, decided_by=decided_by, frequency=frequency, often_retained=retained,
                guide=guide, procedure_notes=[n.strip() for n in notes], local_note=local_note,
                local_regulation=local_regulation, own_power=own_power, file=rel, line=raw.line, lines=dict(raw.lines))


def _basis(raw: LineDict, kind, bad) -> list[ItemBasis]:
    entries = raw.get("basis")
    if not isinstance(entries, list):
        return []
    out = []
    for entry in entries:
        if not isinstance(entry, LineDict):
            bad("basis", "basis 的每一项应含 role、statute、version、article")
            continue
        for key in entry:
            if key not in BASIS_KNOWN:
                bad("basis", f"第 {entry.line} 行的依据有未知字段 {key}", line=entry.line_of(key))
        missing = [k for k in ("role", "statute", "version", "article") if entry.get(k) in (None, "")]
        if missing:
            bad("basis", f"第 {entry.line} 行的依据缺少 {'、'.join(missing)}", line=entry.line)
            continue
        if entry["role"] not in ROLES:
            bad("basis", f"依据的 role 应为 {'、'.join(ROLES)}", line=entry.line_of("role"))
            continue
        try:
            key = article_key(entry["article"])
        except ValueError:
            bad("basis", f"无法识别条号 {entry['article']!r}", line=entry.line_of("article"))
            continue
        paragraph = entry.get("paragraph")
        if paragraph is not None and (not isinstance(paragraph, int) or paragraph < 1):
            bad("basis", "paragraph（款）应为正整数", line=entry.line_of("paragraph"))
            continue
        out.append(ItemBasis(str(entry["role"]), str(entry["statute"]), str(entry["version"]), key,
                             paragraph, entry.line))
    roles = {b.role for b in out}
    if out and kind == "行政处罚" and "处罚" not in roles:
        bad("basis", "处罚事项至少要有一条 role: 处罚 的依据")
    if out and kind == "行政强制" and "强制" not in roles:
        bad("basis", "强制事项至少要有一条 role: 强制 的依据")
    if out and kind == "行政检查" and "检查" not in roles:
        bad("basis", "检查事项至少要有一条 role: 检查 的依据")
    return out


ENUMERATED = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")     # a 项 line: （一）… / (一)…


def clauses(lines: list[str]) -> list[list[str]]:
    """An article's lines grouped into its 款: the corpus gives each 项
    （一）（二）… its own line; a 项 belongs to the 款 before it."""
    out: list[list[str]] = []
    for line in lines:
        if out and ENUMERATED.match(line):
            out[-1].append(line)
        else:
            out.append([line])
    return out


def article_text(corpus: Corpus, basis: ItemBasis) -> list[str]:
    """The lines a basis entry names, verbatim from the corpus (all of the
    article, or one 款 with its 项); LookupError when any part does not exist."""
    statute = corpus.find(basis.statute, basis.version)
    lines = statute.articles.get(basis.article)
    if not lines:
        raise LookupError(f"《{basis.statute}》（{basis.version}）没有{article_label(basis.article)}")
    if basis.paragraph is None:
        return lines
    groups = clauses(lines)
    if basis.paragraph > len(groups):
        raise LookupError(f"{basis.label}不存在：该条只有 {len(groups)} 款")
    return groups[basis.paragraph - 1]


def check_links(items: list[Item], site) -> list[Problem]:
    """What needs the rest of the handbook (``site``: content.site.Site): the
    articles, the guide anchors, the ids that cases and questions name, and
    at least one question for every item."""
    problems: list[Problem] = []
    ids = {i.id for i in items}
    for item in items:
        for b in item.basis:
            try:
                article_text(site.corpus, b)
            except LookupError as e:
                problems.append(Problem(item.file, b.line, "basis", str(e)))
        path, _, anchor = item.guide.partition("#")
        if not site.exists(path):
            problems.append(Problem(item.file, item.line_of("guide"), "guide", f"页面不存在：{path}"))
        elif anchor and anchor not in site.anchors(path):
            problems.append(Problem(item.file, item.line_of("guide"), "guide", f"{path} 中没有锚点 #{anchor}"))
    taught = questions_of(items, site.questions)
    for item in items:
        if not taught.get(item.id):
            problems.append(Problem(item.file, item.line, "id",
                                    f"事项 {item.id}（{item.name}）没有任何题目标注它：请在相关题目中写 items: [{item.id}]"))
    for q in site.questions:
        for item_id in q.items:
            if item_id not in ids:
                problems.append(Problem(q.file, q.line_of("items"), "items", f"事项目录中没有 {item_id}"))
    for path, page in site.pages.items():
        for item_id in page.items:
            if item_id not in ids:
                problems.append(Problem(f"handbook/{path}", 2, "items", f"事项目录中没有 {item_id}"))
    return problems


def questions_of(items: list[Item], questions) -> dict[str, list[str]]:
    """Item id -> the ids of the questions that teach it."""
    out: dict[str, list[str]] = {i.id: [] for i in items}
    for q in questions:
        for item_id in q.items:
            if item_id in out:
                out[item_id].append(q.id)
    return out


def cases_of(items: list[Item], pages: dict) -> dict[str, list[str]]:
    """Item id -> the handbook pages (cases) whose front matter names it."""
    out: dict[str, list[str]] = {i.id: [] for i in items}
    for path, page in sorted(pages.items()):
        for item_id in page.items:
            if item_id in out:
                out[item_id].append(path)
    return out
