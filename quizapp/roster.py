"""Rosters (学员名单) from Excel: read the sheet, check every row, report
row by row. Reading is openpyxl; the row rules are plain functions.

Columns, found by their header in the first row (order free):
姓名 (required), 单位/镇街 (required; also 单位 or 镇街), 手机号 or 工号
(at least one; the login name is the phone number, else the staff number),
执法证号 (optional).
"""
from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field

from openpyxl import Workbook, load_workbook

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

    @property
    def username(self) -> str:
        return self.phone or self.staff_no

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return asdict(self)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)                       # 13800000000 typed as a number
    return str(value).strip()


def read_roster(data: bytes) -> list[RosterRow]:
    """The rows of the first sheet; RosterError when the file or a required column is missing."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same plain answer
        raise RosterError("无法读取该文件：请上传 Excel 工作簿（.xlsx），可先下载名单模板") from None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise RosterError("名单是空的：第一行应为表头（姓名、单位/镇街、手机号或工号、执法证号）")
    header = [_text(h) for h in rows[0]]
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
    out = []
    for n, values in enumerate(rows[1:], 2):
        if not any(_text(v) for v in values):
            continue
        get = lambda key: _text(values[columns[key]]) if key in columns and columns[key] < len(values) else ""  # noqa: E731
        out.append(RosterRow(n, get("name"), get("unit"), get("phone"), get("staff_no"), get("cert_no")))
    if not out:
        raise RosterError("名单中没有学员（表头下面没有数据行）")
    return out


def check_rows(rows: list[RosterRow], existing_usernames: set[str]) -> list[RosterRow]:
    """Mark each row's problems, in Chinese: missing name or unit, a phone
    number that is not a mainland mobile number, a bad staff number, the same
    person twice in the file. A row whose login already exists is fine: that
    officer is enrolled with the existing account."""
    seen: dict[str, int] = {}
    for r in rows:
        r.errors = []
        if not r.name:
            r.errors.append("缺少姓名")
        if not r.unit:
            r.errors.append("缺少单位/镇街")
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
    """An empty roster with the expected headers and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "学员名单"
    ws.append(TEMPLATE_HEADERS)
    ws.append(["张某", "某镇综合行政执法办公室", "13800000000", "", "（选填）"])
    for col, width in zip("ABCDE", (10, 28, 16, 12, 18)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
