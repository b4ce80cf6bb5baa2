"""A county's own list of delegated items (赋权事项清单), uploaded by a
supervisor and matched to the handbook's catalogue.

Data flow: the uploaded workbook is read in a reader process (roster.py's,
mode ``county-list``: the same size limits and confinement as a roster) by
:func:`read_list` into :class:`ListRow` s (序号, 事项名称, 原行使部门, 职权类型,
执法依据, 赋权范围/镇街); :func:`check_and_match` checks each row (a missing
name, an unknown kind, a duplicate, an empty basis, a statute the corpus does
not have or had to guess) and matches it to a catalogue item
(domain/item_matching.py). The result is saved as a *pending* CountyList:
nothing counts until the supervisor confirms it on the preview. On the
preview a row whose match is unsure is shown 请核对 (:attr:`ListRow.needs_check`,
the one definition the row and the summary both use), and the supervisor
may correct any row's match (:func:`correct`: another catalogue item, or
none; audited). Confirming
makes it the county's list (the one before is kept, marked replaced), which
the handbook greys against (/api/items/delegated) and 赋权评估 reads.
:func:`report` sorts a list into what the handbook covers, what it does not
(a to-do list for the editors, downloadable) and which catalogue items the
county did not delegate.
"""
from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field

from openpyxl import load_workbook
from sqlmodel import Session, select

from . import roster
from .audit import record as audit
from .content.items import Item, catalogue
from .content.statutes import Corpus
from .domain import item_matching as matching
from .domain import text as free_text
from .domain.errors import DomainError, NotFound
from .domain.procedure import VOLUME_BY_CODE
from .models import CountyList, User, utcnow

HEADERS = {
    "seq": ("序号", "编号"),
    "name": ("事项名称", "职权名称", "事项"),
    "department": ("原行使部门", "原实施部门", "原执法部门", "部门"),
    "kind": ("职权类型", "事项类型", "类型"),
    "basis": ("执法依据", "实施依据", "设定依据", "法律依据", "依据"),
    "scope": ("赋权范围/镇街", "赋权范围", "赋权镇街", "承接镇街", "实施范围", "镇街"),
}
KIND_WORDS = {"行政处罚": "行政处罚", "处罚": "行政处罚", "行政强制": "行政强制", "强制": "行政强制",
              "行政强制措施": "行政强制", "行政检查": "行政检查", "检查": "行政检查"}
MAX_CELL_CHARS = 1000              # a basis cell may name several articles in full
LOW_CONFIDENCE = 0.8               # a match below this is shown 「请核对」
MANUAL = "人工核对"                 # the method of a match the supervisor chose on the preview
NO_ITEM = "none"                   # the preview's choice 「手册无对应事项」
LIKELY_FROM = 0.3                  # name similarity from which the closest item's volume is offered first


class ListError(DomainError):
    status = 422


@dataclass
class ListRow:
    row: int                       # the row in the sheet (1 = header)
    seq: str = ""
    name: str = ""
    department: str = ""
    kind: str = ""
    basis: str = ""
    scope: str = ""
    errors: list[str] = field(default_factory=list)     # the row is not imported
    notes: list[str] = field(default_factory=list)      # imported, with a remark (a guessed statute, no basis)
    item_id: str | None = None
    confidence: float = 0.0
    method: str = ""                                    # item_matching's BY_*, or MANUAL
    guessed: bool = False                               # a statute name of its basis had to be guessed
    auto_item_id: str | None = None                     # a corrected row: what the matcher had found
    auto_confidence: float = 0.0
    auto_method: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def needs_check(self) -> bool:
        """Shown 「请核对」 on the preview and counted in its summary: a match below
        LOW_CONFIDENCE, or one that rests on a guessed statute name; never a
        match the supervisor chose."""
        return (bool(self.item_id) and self.method != MANUAL
                and (self.confidence < LOW_CONFIDENCE or self.guessed))

    @property
    def corrected(self) -> bool:
        return self.method == MANUAL


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:MAX_CELL_CHARS]


def read_list(data: bytes) -> list[ListRow]:
    """The rows of the first sheet, within the roster's limits (run in the
    reader process: roster._reader_main)."""
    roster.check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same plain answer
        raise ListError("无法读取该文件：请上传 Excel 工作簿（.xlsx）") from None
    try:
        return _rows_of(sheet)
    finally:
        book.close()


def _rows_of(sheet) -> list[ListRow]:
    declared = sheet.max_column
    if declared and declared > roster.MAX_COLUMNS:
        raise roster.RosterTooLarge(f"清单最多 {roster.MAX_COLUMNS} 列，本表有 {declared} 列")
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=roster.MAX_COLUMNS, values_only=True)
    header_at, columns = 0, {}
    for n, values in enumerate(rows, 1):          # the header may follow a title row or two
        header = [_text(v).replace("\n", "") for v in values]
        columns = {key: header.index(next(h for h in header if h in names))
                   for key, names in HEADERS.items() if any(h in names for h in header)}
        if "name" in columns:
            header_at = n
            break
        if n >= 5:
            break
    if not header_at:
        raise ListError("清单缺少表头：前 5 行中应有“事项名称”列（另可有序号、原行使部门、职权类型、执法依据、赋权范围/镇街）")
    out = []
    for n, values in enumerate(rows, header_at + 1):
        if not any(_text(v) for v in values):
            continue
        if len(out) == roster.MAX_ROWS:
            raise roster.RosterTooLarge(f"清单最多 {roster.MAX_ROWS} 行，本表超过 {roster.MAX_ROWS} 行：请拆分后上传")
        get = lambda key: _text(values[columns[key]]) if key in columns and columns[key] < len(values) else ""  # noqa: E731
        out.append(ListRow(n, get("seq"), get("name"), get("department"), get("kind"), get("basis"), get("scope")))
    if not out:
        raise ListError("清单中没有事项（表头下面没有数据行）")
    return out


def statute_names(corpus: Corpus) -> dict[str, str]:
    """Every spelling a list may use for a statute of the corpus -> its short name."""
    names: dict[str, str] = {}
    for statute in corpus.statutes:
        names[statute.short] = statute.short
        names[statute.title.removeprefix("中华人民共和国")] = statute.short
    return names


def candidates(items: list[Item]) -> list[matching.Candidate]:
    return [matching.Candidate(i.id, i.name, i.kind,
                               frozenset(matching.Reference(b.statute, b.article) for b in i.basis))
            for i in items]


def check_and_match(rows: list[ListRow], items: list[Item], corpus: Corpus) -> list[ListRow]:
    """Each row's problems (errors: not imported; notes: imported with a
    remark) and its catalogue match, in Chinese."""
    names = statute_names(corpus)
    pool = candidates(items)
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        r.errors, r.notes = [], []
        if not r.name:
            r.errors.append("缺少事项名称")
        too_long = free_text.too_long(r.name, "事项名称", free_text.TITLE * 2)
        if too_long:
            r.errors.append(too_long)
        kind = KIND_WORDS.get(r.kind.replace(" ", ""), "") if r.kind else ""
        if r.kind and not kind:
            r.notes.append(f"职权类型“{r.kind}”不是行政处罚、行政强制或行政检查，匹配时不作限制")
        key = (r.name, r.basis)
        if r.name and key in seen:
            r.errors.append(f"与第 {seen[key]} 行重复（事项名称和执法依据相同），不重复导入")
        elif r.name:
            seen[key] = r.row
        if r.errors:
            continue
        read = matching.references(r.basis, names)
        if not r.basis:
            r.notes.append("执法依据为空，仅按事项名称匹配")
        r.guessed = bool(read.guessed)
        for written, short in read.guessed.items():
            r.notes.append(f"法规名称“{written}”不在法规库中，按近似的《{short}》识别")
        for written in read.unknown:
            r.notes.append(f"《{written}》不在本教程法规库中（可能是地方性法规或部门规章）")
        if r.basis and not read.references and not read.unknown:
            r.notes.append("执法依据中没有识别出条文，仅按事项名称匹配")
        match = matching.match_row(r.name, kind, read, pool)
        r.item_id, r.confidence, r.method = match.item_id, match.confidence, match.method
        if match.remark:
            r.notes.append(match.remark)
    return rows


def plausible_volume(row: ListRow, items: list[Item]) -> str | None:
    """The volume a row most likely belongs to, for the preview's choice of
    items: its match's (or, corrected, the matcher's), else the one whose
    items' statutes its basis names most, else the closest name's."""
    found = {i.id: i for i in items}
    for known in (row.item_id, row.auto_item_id):
        if known in found:
            return found[known].volume
    cited: dict[str, int] = {}
    for i in items:
        if any(b.statute in row.basis for b in i.basis):
            cited[i.volume] = cited.get(i.volume, 0) + 1
    if cited:
        return max(cited, key=cited.get)
    scored = [(matching.similarity(row.name, i.name), i.volume) for i in items if row.name]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= LIKELY_FROM else None


def choice_groups(row: ListRow, items: list[Item]) -> list[tuple[str, list[Item]]]:
    """The catalogue items the preview offers to correct a row's match, by
    volume: the plausible volume first (labelled 可能), then all the others."""
    likely = plausible_volume(row, items)
    by_volume: dict[str, list[Item]] = {}
    for i in items:
        by_volume.setdefault(i.volume, []).append(i)

    def title(code: str) -> str:
        return VOLUME_BY_CODE[code].title if code in VOLUME_BY_CODE else code

    order = sorted(by_volume, key=lambda v: (v != likely, VOLUME_BY_CODE[v].number if v in VOLUME_BY_CODE else 99,
                                             v))
    return [(title(v) + ("（可能）" if v == likely else ""), by_volume[v]) for v in order]


@dataclass
class ListReport:
    rows: list[ListRow]
    covered: list[ListRow]          # matched to a catalogue item
    uncovered: list[ListRow]        # imported, but the handbook has no item for it: the editors' to-do list
    refused: list[ListRow]          # not imported (errors)
    not_delegated: list[Item]       # catalogue items no row of the list names (but the township's own powers)
    own: list[Item] = field(default_factory=list)   # powers the law gives the township itself: held without a list

    @property
    def delegated_ids(self) -> list[str]:
        return list(dict.fromkeys([r.item_id for r in self.covered] + [i.id for i in self.own]))

    @property
    def to_check(self) -> list[ListRow]:
        """The rows shown 「请核对」 (ListRow.needs_check): the summary counts these."""
        return [r for r in self.covered if r.needs_check]


def report(rows: list[ListRow], items: list[Item]) -> ListReport:
    good = [r for r in rows if r.ok]
    covered = [r for r in good if r.item_id]
    named = {r.item_id for r in covered}
    return ListReport(rows, covered, [r for r in good if not r.item_id], [r for r in rows if not r.ok],
                      [i for i in items if i.id not in named and not i.own_power],
                      [i for i in items if i.own_power])


def rows_of(county_list: CountyList) -> list[ListRow]:
    return [ListRow(**r) for r in county_list.rows]


# --- saving and confirming --------------------------------------------------------------------

def save_pending(db: Session, actor: User, title: str, file_name: str, rows: list[ListRow]) -> CountyList:
    title = free_text.checked(title, "清单名称", free_text.TITLE) or file_name.rsplit(".", 1)[0][:free_text.TITLE]
    if not title:
        raise ListError("请填写清单名称，如“某县2025年镇街赋权事项清单”")
    pending = CountyList(title=title, file_name=file_name[:200], uploaded_by=actor.id,
                         rows=[r.as_dict() for r in rows], status="pending")
    db.add(pending)
    db.commit()
    db.refresh(pending)
    return pending


def list_for(db: Session, list_id: int) -> CountyList:
    found = db.get(CountyList, list_id)
    if found is None:
        raise NotFound("没有这份清单")
    return found


def correct(db: Session, actor: User, list_id: int, choices: dict[int, str], items: dict[str, Item]) -> int:
    """The supervisor's corrections on a pending list's preview: ``choices``
    maps a sheet row to a catalogue item id or NO_ITEM (手册无对应事项). A
    choice equal to the row's match changes nothing; a changed row keeps what
    the matcher had found (auto_*) and is no longer 请核对; choosing the
    matcher's item again undoes the correction. Audited; the
    number of rows changed."""
    pending = list_for(db, list_id)
    if pending.status != "pending":
        raise ListError("这份清单已经确认过，或已被新的清单替换，不能再更正对应事项")
    rows = rows_of(pending)
    imported = {r.row: r for r in rows if r.ok}
    changes = []
    for number, choice in sorted(choices.items()):
        row = imported.get(number)
        if row is None:
            raise ListError(f"第 {number} 行不在这份清单的导入行中，不能更正")
        chosen = None if choice == NO_ITEM else choice
        if chosen is not None and chosen not in items:
            raise ListError(f"第 {number} 行：所选事项不在手册的赋权事项目录中")
        if chosen == row.item_id:
            continue
        if row.corrected and chosen == row.auto_item_id:      # back to what the matcher found: no correction left
            changes.append({"row": number, "before": row.item_id, "after": chosen})
            row.item_id, row.confidence, row.method = row.auto_item_id, row.auto_confidence, row.auto_method
            continue
        if not row.corrected:
            row.auto_item_id, row.auto_confidence, row.auto_method = row.item_id, row.confidence, row.method
        changes.append({"row": number, "before": row.item_id, "after": chosen})
        row.item_id, row.confidence, row.method = chosen, (1.0 if chosen else 0.0), MANUAL
    if changes:
        pending.rows = [r.as_dict() for r in rows]
        db.add(pending)
        audit(db, actor, "county_list.correct", f"county_list:{pending.id}", title=pending.title,
              changed=len(changes), rows=changes)
        db.commit()
    return len(changes)


def confirm(db: Session, actor: User, list_id: int) -> CountyList:
    """Make a pending list the county's list; the one before is kept, marked replaced."""
    pending = list_for(db, list_id)
    if pending.status != "pending":
        raise ListError("这份清单已经确认过，或已被新的清单替换")
    for old in db.exec(select(CountyList).where(CountyList.status == "active")):
        old.status = "replaced"
        db.add(old)
    pending.status, pending.confirmed_by, pending.confirmed_at = "active", actor.id, utcnow()
    db.add(pending)
    rep = report(rows_of(pending), list(catalogue().values()))
    audit(db, actor, "county_list.confirm", f"county_list:{pending.id}", title=pending.title,
          covered=len(rep.covered), uncovered=len(rep.uncovered), refused=len(rep.refused))
    db.commit()
    return pending


def active(db: Session) -> CountyList | None:
    return db.exec(select(CountyList).where(CountyList.status == "active")).first()


def delegated_ids(current: CountyList) -> list[str]:
    """The catalogue items a confirmed list delegates."""
    return report(rows_of(current), list(catalogue().values())).delegated_ids
