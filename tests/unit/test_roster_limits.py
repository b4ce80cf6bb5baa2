"""Reading an uploaded roster (quizapp/roster.py): the limits that keep a
crafted workbook from occupying a worker, each refused with a Chinese
message that names the limit, before openpyxl unpacks what it declares.

The workbooks are built here byte by byte where openpyxl would not write
them (a zip bomb, a zip directory that understates a part)."""
import io
import struct
import zipfile

import pytest
from openpyxl import Workbook

from quizapp import roster

HEADER = ["姓名", "单位/镇街", "手机号", "工号", "执法证号"]


def workbook(rows, *, write_only: bool = False) -> bytes:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet() if write_only else wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def trainees(n: int) -> list[list]:
    return [HEADER] + [[f"学员{i}", "某镇综合行政执法办公室", f"138{i:08d}", "", ""] for i in range(1, n + 1)]


def with_part(data: bytes, name: str, size: int) -> bytes:
    """The workbook with one more part of ``size`` zero bytes, deflated (a zip bomb: a few KB declaring MBs)."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open(name, "w", force_zip64=size > 0x7FFFFFFF) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return buf.getvalue()


def test_a_roster_within_the_limits_is_read_row_by_row():
    rows = roster.read_roster(workbook(trainees(3)))
    assert [(r.row, r.name, r.phone) for r in rows] == [(2, "学员1", "13800000001"), (3, "学员2", "13800000002"),
                                                        (4, "学员3", "13800000003")]


def test_the_largest_roster_allowed_is_read():
    wide = [HEADER + [f"备注{i}" for i in range(roster.MAX_COLUMNS - len(HEADER))]]
    wide += [row + ["某镇综合行政执法办公室第一中队"] * (roster.MAX_COLUMNS - len(HEADER))
             for row in trainees(roster.MAX_ROWS)[1:]]
    rows = roster.read_roster(workbook(wide, write_only=True))
    assert len(rows) == roster.MAX_ROWS and rows[-1].phone == f"138{roster.MAX_ROWS:08d}"


def test_a_sheet_declaring_16384_columns_is_refused_naming_the_column_limit():
    wb = Workbook()
    for row in trainees(2):
        wb.active.append(row)
    wb.active.cell(1, 16384, "x")                 # XFD1: the sheet's <dimension> becomes A1:XFD3
    buf = io.BytesIO()
    wb.save(buf)
    assert len(buf.getvalue()) < 6000
    with pytest.raises(roster.RosterTooLarge) as refused:
        roster.read_roster(buf.getvalue())
    assert f"最多 {roster.MAX_COLUMNS} 列" in refused.value.message and "16384" in refused.value.message


def test_a_header_with_more_than_30_columns_is_refused_even_without_a_declared_size():
    header = HEADER + [f"列{i}" for i in range(roster.MAX_COLUMNS + 1 - len(HEADER))]
    data = workbook([header, ["张某", "某镇", "13800000001"]], write_only=True)   # write-only: no <dimension>
    with pytest.raises(roster.RosterTooLarge) as refused:
        roster.read_roster(data)
    assert f"最多 {roster.MAX_COLUMNS} 列" in refused.value.message


def test_more_than_2000_trainees_are_refused_naming_the_row_limit():
    with pytest.raises(roster.RosterTooLarge) as refused:
        roster.read_roster(workbook(trainees(roster.MAX_ROWS + 1), write_only=True))
    assert f"最多 {roster.MAX_ROWS} 行" in refused.value.message


def test_a_zip_bomb_is_refused_by_its_declared_size_before_it_is_unpacked():
    bomb = with_part(workbook(trainees(2)), "xl/media/image1.png", 64 * 1024 * 1024)
    assert len(bomb) < 200 * 1024                                  # 64 MB of zeros deflate to about 64 KB
    with pytest.raises(roster.RosterTooLarge) as refused:
        roster.read_roster(bomb)
    assert f"{roster.MAX_UNPACKED_BYTES // (1024 * 1024)} MB" in refused.value.message and "解压" in refused.value.message


def test_a_zip_directory_that_understates_a_part_gets_no_more_than_it_declares():
    """Only the declared sizes are checked, which is enough: Python's zipfile stops
    unpacking a part at its declared size, and the part's checksum then fails."""
    data = workbook(trainees(2))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    padded = sheet + b" " * (32 * 1024 * 1024)               # whitespace after the root element: well-formed XML
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item.filename, padded if item.filename == "xl/worksheets/sheet1.xml" else src.read(item))
    forged = bytearray(buf.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    central = forged.index(b"PK\x01\x02")                          # the zip directory's first entry
    while forged[central + 46:central + 46 + len(name)] != name:
        central = forged.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", forged, central + 24, len(sheet))      # the directory's uncompressed size: the real sheet
    local = struct.unpack_from("<I", forged, central + 42)[0]
    struct.pack_into("<I", forged, local + 22, len(sheet))        # and the part's own header says the same
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bytes(forged))).infolist())
    assert declared < roster.MAX_UNPACKED_BYTES
    with pytest.raises(roster.RosterError) as refused:
        roster.read_roster(bytes(forged))
    assert "无法读取该文件" in refused.value.message


def test_too_many_parts_in_the_archive_are_refused():
    buf = io.BytesIO(workbook(trainees(1)))
    with zipfile.ZipFile(buf, "a") as z:
        for i in range(roster.MAX_PARTS):
            z.writestr(f"customXml/item{i}.xml", b"")
    with pytest.raises(roster.RosterTooLarge) as refused:
        roster.read_roster(buf.getvalue())
    assert f"{roster.MAX_PARTS}" in refused.value.message


def test_a_file_over_the_size_limit_is_refused_unread():
    with pytest.raises(roster.RosterTooLarge) as refused:
        roster.read_roster(b"PK" + bytes(roster.MAX_FILE_BYTES))
    assert f"{roster.MAX_FILE_BYTES // (1024 * 1024)} MB" in refused.value.message


def test_a_wrong_declared_size_neither_hides_rows_nor_pads_them():
    """<dimension> says A1:C2 but the sheet has four trainees: all four are read."""
    data = workbook(trainees(4))
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:E5"', b'<dimension ref="A1:C2"')
                assert b'"A1:C2"' in content
            out.writestr(item.filename, content)
    assert [r.name for r in roster.read_roster(buf.getvalue())] == ["学员1", "学员2", "学员3", "学员4"]


def test_only_the_template_columns_are_kept_and_long_cells_are_cut_for_the_preview():
    long_name = "张" * 10_000
    rows = roster.read_roster(workbook([["备注", "姓名", "单位/镇街", "手机号"],
                                        ["x" * 10_000, long_name, "某镇", "13800000001"]]))
    (row,) = rows
    assert len(row.name) == roster.MAX_CELL_CHARS and row.unit == "某镇"
    (checked,) = roster.check_rows(rows, set())
    assert any("姓名过长" in e for e in checked.errors)                  # refused as a row, not stored in full
