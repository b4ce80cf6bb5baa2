"""Rosters (学员名单) from Excel: read the sheet, check every row, report
row by row. Reading is openpyxl; the row rules are plain functions.

An upload is read within limits (file size, unpacked size, parts, rows,
columns: see "limits" below) and never in the service's own process: the
route awaits :func:`read_apart`, which runs :func:`read_roster` in a reader
process (``python -m quizapp.roster``) while the request holds no
transaction. cohorts.save_upload then checks and stores the rows;
cohorts.confirm_upload imports them in batches.

Columns, found by their header in the first row (order free):
姓名 (required), 单位/镇街 (required; also 单位 or 镇街), 手机号 or 工号
(at least one; the login name is the phone number, else the staff number),
执法证号 (optional).
"""
from __future__ import annotations

import asyncio
import io
import json
import os
import re
import sys
import zipfile
from dataclasses import asdict, dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from .domain import text as free_text
from .domain.errors import DomainError

HEADERS = {
    "name": ("姓名",),
    "unit": ("单位/镇街", "单位／镇街", "单位", "镇街", "所在镇街"),
    "phone": ("手机号", "手机号码", "手机"),
    "staff_no": ("工号",),
    "cert_no": ("执法证号", "执法证件号"),
}
PHONE = re.compile(r"^1[3-9]\d{9}$")
STAFF_NO = re.compile(r"^[A-Za-z0-9-]{2,32}$")
TEMPLATE_HEADERS = ["姓名", "单位/镇街", "手机号", "工号", "执法证号"]
# The template's example row (italic grey, with a note): an upload that still
# holds it gets it marked ``example`` and never imported (is_example).
EXAMPLE_ROW = ["张某", "某镇综合行政执法办公室", "13800000000", "", "（选填）"]
EXAMPLE_NOTE = "示例行：请照此格式填写，导入时自动跳过，可删除"


class RosterError(DomainError):
    status = 422


@dataclass
class RosterRow:
    row: int                      # the row number in the sheet (1 = header)
    name: str = ""
    unit: str = ""
    phone: str = ""
    staff_no: str = ""
    cert_no: str = ""
    errors: list[str] = field(default_factory=list)
    existing: bool = False        # an account with this login already exists: it is enrolled, not created
    example: bool = False         # the template's example row, left in: skipped, never imported
    created: bool = False         # after the import: its account was made by it (cohorts.confirm_upload)

    @property
    def username(self) -> str:
        return self.phone or self.staff_no

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return asdict(self)


def is_example(name: str, phone: str) -> bool:
    """The template's example row: its name and its phone number (13800000000, no one's
    real number) left as they are, whatever was done to its other cells."""
    return name == EXAMPLE_ROW[0] and phone == EXAMPLE_ROW[2]


def _text(value) -> str:
    """A cell as text, at most MAX_CELL_CHARS characters (a longer one is
    refused by check_rows anyway; the preview need not store it whole)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)                       # 13800000000 typed as a number
    return str(value).strip()[:MAX_CELL_CHARS]


# --- limits of an uploaded roster -----------------------------------------------------------
# A cohort's roster has a few dozen to a few hundred trainees in the
# template's five columns. The limits leave room for the largest real one
# (2,000 rows of 30 columns of long text: 6 MB unpacked, read in 0.4 s) and
# refuse what would keep a process busy for long (a 1.6 KB workbook declaring
# 16,384 columns padded every row to that width: 11 s), each with a message
# that names the limit. The zip directory is checked before openpyxl opens
# the file: its declared sizes are a real bound, because Python's zipfile
# never unpacks more of a part than its declared size (the part's checksum
# then fails and the file is unreadable).
MAX_FILE_BYTES = 5 * 1024 * 1024          # the upload itself
MAX_UNPACKED_BYTES = 20 * 1024 * 1024     # all parts of the workbook, as its zip directory declares them
MAX_PARTS = 1000                          # files in the workbook's zip (a one-sheet workbook has about 10)
MAX_ROWS = 2000                           # trainees (non-empty rows under the header)
MAX_COLUMNS = 30                          # columns of the sheet, declared or in the header row
MAX_CELL_CHARS = 200                      # text kept of one cell
READ_SECONDS = 20                         # the reader process is stopped after this (a workbook within the limits: < 1 s)
READ_MEMORY_BYTES = 1024 ** 3             # the reader process's address space
READER_NICENESS = 10                      # the reader's CPU priority below the examinees' requests
MAX_PARALLEL_READS = 2                    # reader processes per worker at once; a third upload is asked to wait
UNREADABLE = "无法读取该文件：请上传 Excel 工作簿（.xlsx），可先下载名单模板"
MB = 1024 * 1024


class RosterTooLarge(RosterError):
    """A workbook beyond one of the limits above."""
    status = 413


class ReaderBusy(RosterError):
    status = 503


def check_archive(data: bytes) -> None:
    """Refuse a workbook whose zip directory declares too many parts or more
    than MAX_UNPACKED_BYTES unpacked (a zip bomb), before anything is unpacked."""
    if len(data) > MAX_FILE_BYTES:
        raise RosterTooLarge(f"文件超过 {MAX_FILE_BYTES // MB} MB，请拆分后上传")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise RosterError(UNREADABLE) from None
    if len(parts) > MAX_PARTS:
        raise RosterTooLarge(f"文件内部有 {len(parts)} 个部件，超过名单文件的上限 {MAX_PARTS} 个，"
                             "不是正常的学员名单：请用名单模板重新整理后上传")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterTooLarge(f"文件解压后有 {unpacked / MB:,.0f} MB，超过名单文件的上限 {MAX_UNPACKED_BYTES // MB} MB"
                             f"（名单最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列），不是正常的学员名单：请用名单模板重新整理后上传")


def read_roster(data: bytes) -> list[RosterRow]:
    """The trainees of the first sheet, within the limits above: RosterTooLarge
    beyond one of them, RosterError when the file or a required column is
    missing. openpyxl reads the sheet as a stream (read-only mode), the header
    row first, then only the template's columns of the rows below it.

    This runs in the caller's process: the service calls read_apart, which
    runs it in a process of its own."""
    check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same plain answer
        raise RosterError(UNREADABLE) from None
    try:
        return _rows_of(sheet)
    except RosterError:
        raise
    except Exception:  # noqa: BLE001 - e.g. a part whose checksum fails while it is streamed
        raise RosterError(UNREADABLE) from None
    finally:
        book.close()


def _too_many_columns(count: int | str) -> RosterTooLarge:
    return RosterTooLarge(f"名单最多 {MAX_COLUMNS} 列，本表有 {count} 列：请删去多余的列，或用名单模板重新整理后上传")


def _rows_of(sheet) -> list[RosterRow]:
    declared = sheet.max_column                  # from the sheet's <dimension>; None when it has none
    if declared and declared > MAX_COLUMNS:
        raise _too_many_columns(declared)
    sheet.reset_dimensions()                     # a wrong <dimension> must neither pad nor cut the rows read
    first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), ())
    header = [_text(h) for h in first]
    if len(header) > MAX_COLUMNS and header[MAX_COLUMNS]:
        raise _too_many_columns(f"超过 {MAX_COLUMNS}")
    if not any(header):
        raise RosterError("名单是空的：第一行应为表头（姓名、单位/镇街、手机号或工号、执法证号）")
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names and key not in columns:
                columns[key] = i
    missing = [label for key, label in (("name", "姓名"), ("unit", "单位/镇街")) if key not in columns]
    if "phone" not in columns and "staff_no" not in columns:
        missing.append("手机号或工号")
    if missing:
        raise RosterError(f"名单缺少列：{'、'.join(missing)}（第 1 行应为表头）")
    low, high = min(columns.values()), max(columns.values())      # only the template's columns are read
    at = {key: i - low for key, i in columns.items()}
    out = []
    for n, values in enumerate(sheet.iter_rows(min_row=2, min_col=low + 1, max_col=high + 1, values_only=True), 2):
        if not any(_text(v) for v in values):
            continue
        if len(out) == MAX_ROWS:
            raise RosterTooLarge(f"名单最多 {MAX_ROWS} 行（不含表头），本表超过 {MAX_ROWS} 行：请拆分成几个文件分别上传")
        get = lambda key: _text(values[at[key]]) if key in at else ""  # noqa: E731
        row = RosterRow(n, get("name"), get("unit"), get("phone"), get("staff_no"), get("cert_no"))
        row.example = is_example(row.name, row.phone)
        out.append(row)
    if not out:
        raise RosterError("名单中没有学员（表头下面没有数据行）")
    if all(r.example for r in out):
        raise RosterError("名单中只有模板中的示例行，没有学员：请在示例行下面填写学员后再上传")
    return out


# --- reading in a process of its own ------------------------------------------------------
# The service never parses a workbook in its own process: openpyxl is pure
# Python, so on the event loop it froze every request, and in a thread it
# would still take the interpreter lock from the examinees' saves. The
# reader is ``python -m quizapp.roster`` (this module's __main__ below): the
# workbook on its stdin, the rows or the refusal as JSON on its stdout, at a
# lower CPU priority, with a memory ceiling, stopped after READ_SECONDS.
READER = [sys.executable, "-m", "quizapp.roster"]
_reading = 0                                     # reader processes of this worker now running


async def read_apart(data: bytes) -> list[RosterRow]:
    """read_roster in a reader process; the caller awaits it without holding a
    transaction (on SQLite: the write lock) or a thread."""
    return [RosterRow(**row) for row in await read_rows_apart(data, "roster")]


async def read_rows_apart(data: bytes, mode: str) -> list[dict]:
    """The rows the reader process gives for ``mode`` (roster, county-list),
    as dicts; the reader's refusal raised as RosterTooLarge or RosterError."""
    global _reading
    if len(data) > MAX_FILE_BYTES:
        raise RosterTooLarge(f"文件超过 {MAX_FILE_BYTES // MB} MB，请拆分后上传")
    if _reading >= MAX_PARALLEL_READS:
        raise ReaderBusy("正在读取其他文件，请稍后再上传")
    _reading += 1
    try:
        out = await _run_reader(data, mode)
    finally:
        _reading -= 1
    try:
        result = json.loads(out)
    except ValueError:                           # the reader died (out of memory, killed): no JSON
        raise RosterError(UNREADABLE) from None
    if "error" in result:
        raise (RosterTooLarge if result.get("status") == RosterTooLarge.status else RosterError)(result["error"])
    return result["rows"]


async def _run_reader(data: bytes, mode: str = "roster") -> bytes:
    process = await asyncio.create_subprocess_exec(*READER, mode, stdin=asyncio.subprocess.PIPE,
                                                   stdout=asyncio.subprocess.PIPE)
    try:
        out, _ = await asyncio.wait_for(process.communicate(data), READ_SECONDS)
        return out
    except asyncio.TimeoutError:
        raise RosterTooLarge(f"名单文件过于复杂，{READ_SECONDS} 秒内未能读完：请用名单模板重新整理后上传") from None
    finally:
        if process.returncode is None:           # timed out, or the request was cancelled
            process.kill()
            await process.wait()


def _confine_reader() -> None:
    """In the reader process: a lower CPU priority and a memory ceiling (where the OS has them)."""
    try:
        os.nice(READER_NICENESS)
    except (AttributeError, OSError):
        pass
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (READ_MEMORY_BYTES, READ_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def _reader_main() -> None:
    """python -m quizapp.roster [roster|county-list]: the workbook on stdin;
    {"rows": [...]} or {"error", "status"} on stdout. ``county-list`` reads a
    county's list of delegated items (quizapp/county_list.py) with the same
    limits and confinement."""
    _confine_reader()
    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    try:
        if sys.argv[1:] == ["county-list"]:
            from .county_list import read_list
            result = {"rows": [row.as_dict() for row in read_list(data)]}
        else:
            result = {"rows": [row.as_dict() for row in read_roster(data)]}
    except RosterError as e:
        result = {"error": e.message, "status": e.status}
    except MemoryError:
        result = {"error": "名单文件过于复杂，读取时所需内存超过上限：请用名单模板重新整理后上传",
                  "status": RosterTooLarge.status}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))


def check_rows(rows: list[RosterRow], existing_usernames: set[str]) -> list[RosterRow]:
    """Mark each row's problems, in Chinese: missing name or unit, a phone
    number that is not a mainland mobile number, a bad staff number, the same
    person twice in the file. A row whose login already exists is fine: that
    officer is enrolled with the existing account."""
    seen: dict[str, int] = {}
    for r in rows:
        r.errors = []
        if r.example:                # skipped on import: nothing to check
            continue
        if not r.name:
            r.errors.append("缺少姓名")
        if not r.unit:
            r.errors.append("缺少单位/镇街")
        r.errors += [m for m in (free_text.too_long(r.name, "姓名", free_text.NAME),
                                 free_text.too_long(r.unit, "单位/镇街", free_text.TITLE),
                                 free_text.too_long(r.cert_no, "执法证号", free_text.NAME)) if m]
        if not r.phone and not r.staff_no:
            r.errors.append("手机号和工号至少填一项")
        if r.phone and not PHONE.match(r.phone):
            r.errors.append(f"手机号“{r.phone}”不是 11 位手机号码")
        if r.staff_no and not STAFF_NO.match(r.staff_no):
            r.errors.append(f"工号“{r.staff_no}”只能由字母、数字和连字符组成")
        login = r.username
        if login and login in seen:
            r.errors.append(f"与第 {seen[login]} 行重复（同一{'手机号' if r.phone else '工号'}）")
        elif login:
            seen[login] = r.row
        r.existing = bool(login) and login in existing_usernames
    return rows


def template() -> bytes:
    """An empty roster with the expected headers and one example row, set in
    italic grey with a note on its first cell (the import skips it)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学员名单"
    ws.append(TEMPLATE_HEADERS)
    ws.append(EXAMPLE_ROW)
    grey = Font(italic=True, color="808080")
    for cell in ws[2]:
        cell.font = grey
    ws["A2"].comment = Comment(EXAMPLE_NOTE, "培训平台")
    for col, width in zip("ABCDE", (10, 28, 16, 12, 18)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    _reader_main()
