"""Workbooks and CSV files for download: one sheet per table, Chinese
headers in bold, numbers kept as numbers with a display format.

Every text cell goes through ``neutralise``: text a spreadsheet would run as
a formula (it starts with = + - @, a tab or a carriage return: a trainee's
name, a unit, a survey answer) gets a leading single quote, as OWASP advises
against CSV/formula injection. Numbers, dates and empty cells are untouched."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that could start a formula, made plain text; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _row(values) -> list:
    return [neutralise(v) for v in values]


@dataclass
class Sheet:
    title: str                         # at most 31 characters (Excel's limit)
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    number_formats: dict[int, str] | None = None     # column index -> format, e.g. {3: "0.0%"}


def workbook(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.title[:31])
        ws.append(_row(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(_row(row))
        for col, fmt in (sheet.number_formats or {}).items():
            for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                cell.number_format = fmt
        for i, header in enumerate(sheet.headers, 1):
            longest = max([len(str(header)) * 2] + [len(str(r[i - 1])) for r in sheet.rows if i - 1 < len(r)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(_row(sheet.headers))
    writer.writerows(_row(row) for row in sheet.rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
