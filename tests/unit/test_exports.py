"""Exports: numbers stay numbers, Chinese text as it is, and text that a
spreadsheet would run as a formula neutralised (OWASP: a leading single quote)."""
import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from quizapp.exports import FORMULA_TRIGGERS, Sheet, csv_bytes, neutralise, workbook

PAYLOADS = ['=HYPERLINK("http://x","y")', "=1+2", "+1+1", "-2+3", "@SUM(1)", "\t=1+2", "\r=1+2", "-", "=", "@"]
PLAIN = ["张三", "某镇综合行政执法办公室", "合格", "2026-03-01 10:00", "13800000000", "A-1=2", "x@y", "", " =1"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_text_that_could_start_a_formula_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", PLAIN + [0, 1, -3, 2.5, -0.25, None, True, date(2026, 3, 1),
                                           datetime(2026, 3, 1, 10, 0)])
def test_anything_else_is_left_as_it_is(value):
    assert neutralise(value) is value


def sheet() -> Sheet:
    return Sheet("成绩", ["姓名", "单位/镇街", "得分", "得分率", "=表头"],
                 [[p, "某镇", -1.5, 0.5, 7] for p in PAYLOADS] + [[p, "镇", 3, 0.25, None] for p in PLAIN],
                 {3: "0.0%"})


def test_a_workbook_has_no_formula_and_keeps_numbers_and_chinese():
    ws = load_workbook(io.BytesIO(workbook([sheet()])))["成绩"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS)]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "单位/镇街", "得分", "得分率", "'=表头")
    # (a stored carriage return reads back as a line feed without lxml, as itself with it)
    assert [r[0].replace("\r", "\n") for r in rows[1:len(PAYLOADS) + 1]] == ["'" + p.replace("\r", "\n") for p in PAYLOADS]
    assert [r[0] or "" for r in rows[len(PAYLOADS) + 1:]] == PLAIN
    assert all(r[2] == -1.5 and r[3] == 0.5 and r[4] == 7 for r in rows[1:len(PAYLOADS) + 1])
    assert ws["D2"].number_format == "0.0%" and ws["C2"].data_type == "n"


def test_a_csv_has_no_formula_and_keeps_numbers_and_chinese():
    data = csv_bytes(sheet())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["姓名", "单位/镇街", "得分", "得分率", "'=表头"]
    assert not [f for row in rows for f in row if f.startswith(FORMULA_TRIGGERS) and f != "-1.5"]
    assert [r[0] for r in rows[1:len(PAYLOADS) + 1]] == ["'" + p for p in PAYLOADS]
    assert [r[0] for r in rows[len(PAYLOADS) + 1:]] == PLAIN
    assert [r[2] for r in rows[1:]] == ["-1.5"] * len(PAYLOADS) + ["3"] * len(PLAIN)   # numbers written as numbers
