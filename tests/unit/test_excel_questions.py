"""Questions from Excel: the template round trip, and each mistake reported
against its row and column with nothing written."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from quizapp.content import ROOT
from quizapp.content.excel_questions import COLUMNS, EXAMPLE, convert, main, read_workbook, to_yaml, write_template
from quizapp.content.questions import Basis, Question, load_file

# 《行政处罚法》（2021-01-22）第三十三条, verbatim from handbook/statutes/.
ART33_1 = "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。初次违法且危害后果轻微并及时改正的，可以不予行政处罚。"
ART33_2 = "当事人有证据足以证明没有主观过错的，不予行政处罚。法律、行政法规另有规定的，从其规定。"
ART33_3 = "对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育。"
ANCHOR = "volumes/v1-common/guide/no-penalty.md#不予处罚的法定情形"

GOOD_MULTIPLE = {
    "题型": "多选题", "题干": "下列情形中，依照《行政处罚法》不予行政处罚的有（　）。",
    "选项A": "违法行为轻微并及时改正，没有造成危害后果的", "选项B": "当事人有证据足以证明没有主观过错的",
    "选项C": "当事人经济困难的", "选项D": "当事人认错态度好的",
    "答案": "A、B", "解析": "见《行政处罚法》第三十三条。", "分卷": "v1-common", "办案环节": "不予处罚", "难度": 2,
    "法规名称": "行政处罚法", "版本": date(2021, 1, 22), "条": 33, "引文": ART33_1 + "\n" + ART33_2,
    "手册锚点": ANCHOR,
}
GOOD_JUDGE = {
    "题型": "判断题", "题干": "对依法不予行政处罚的当事人，行政机关应当对其进行教育。", "答案": "对",
    "解析": "第三十三条第三款。", "分卷": "公共法律法规规章运用", "办案环节": "不予处罚", "难度": "1",
    "法规名称": "行政处罚法", "版本": "2021-01-22", "条": "第三十三条", "引文": ART33_3,
    "手册锚点": ANCHOR, "题号": "v1-xl-test-1",
}


def fill(path, rows: dict[int, dict], headers=None):
    """Put ``rows`` (Excel row number -> header -> value) into the workbook at
    ``path`` (the template unless ``headers`` are given for a fresh one)."""
    if headers is None:
        wb = load_workbook(path)
        ws = wb["题目"]
        headers = [c.value for c in ws[1]]
    else:
        wb = Workbook()
        ws = wb.active
        ws.append(headers)
    for number, row in rows.items():
        for header, value in row.items():
            ws.cell(row=number, column=headers.index(header) + 1, value=value)
    wb.save(path)


def expected(qid: str, row: dict, qtype: str, answer: list[str], options: dict, difficulty: int, basis_quote: str):
    return Question(id=qid, type=qtype, difficulty=difficulty, volume="v1-common", step=row["办案环节"],
                    stem=row["题干"], options=options, answer=answer, explanation=row["解析"], anchor=ANCHOR,
                    basis=[Basis("行政处罚法", "2021-01-22", "33", basis_quote)])


def same(loaded: Question, want: Question) -> None:
    for b in loaded.basis:
        b.line = 0
    loaded.file, loaded.line = want.file, want.line
    assert loaded == want


def test_template_has_headers_example_and_notes(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["题目", "说明"]
    ws = wb["题目"]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert all(c.font.b for c in ws[1])
    assert {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation} == {
        "A2", "K2", "L2", "M2"}
    notes = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "案例分析题" in notes and all(h in notes for h in COLUMNS)


def test_committed_template_is_the_generated_one(tmp_path):
    committed = ROOT / "handbook" / "templates" / "questions-template.xlsx"
    fresh = tmp_path / "t.xlsx"
    write_template(fresh)
    values = [[[c.value for c in row] for row in load_workbook(p)[s].iter_rows()]
              for p in (committed, fresh) for s in ("题目", "说明")]
    assert values[:2] == values[2:]


def test_template_round_trip(tmp_path, site):
    xlsx, out = tmp_path / "q.xlsx", tmp_path / "out.yaml"
    write_template(xlsx)
    example = {**EXAMPLE, "题号": None}
    fill(xlsx, {3: GOOD_MULTIPLE, 4: GOOD_JUDGE, 6: example})
    problems = convert(xlsx, out, site)
    assert problems == []
    questions, load_problems = load_file(out)
    assert load_problems == []
    assert [q.id for q in questions] == ["v1-xl-001", "v1-xl-test-1", "v1-xl-002"]
    multiple, judge, single = questions
    same(multiple, expected("v1-xl-001", GOOD_MULTIPLE, "multiple", ["A", "B"],
                            {k: GOOD_MULTIPLE[f"选项{k}"] for k in "ABCD"}, 2, ART33_1 + "\n" + ART33_2))
    same(judge, expected("v1-xl-test-1", GOOD_JUDGE, "judge", ["T"], {"T": "正确", "F": "错误"}, 1, ART33_3))
    assert single.answer == ["B"] and single.basis[0].article == "33"
    assert single.anchor == EXAMPLE["手册锚点"]
    text = out.read_text(encoding="utf-8")
    assert "volume: v1-common\nquestions:\n  - id: v1-xl-001\n" in text
    assert "answer: [A, B]" in text and "answer: true" in text and "version: 2021-01-22" in text
    assert "quote: |-\n" in text                       # a two-paragraph quote stays readable


def test_generated_ids_skip_used_ones(tmp_path):
    xlsx = tmp_path / "q.xlsx"
    write_template(xlsx)
    fill(xlsx, {3: GOOD_MULTIPLE, 4: {**GOOD_JUDGE, "题号": None}})
    rows, problems = read_workbook(xlsx, {"v1-xl-001": "x.yaml:3", "v1-xl-007": "x.yaml:9"})
    assert problems == [] and [r["id"] for r in rows] == ["v1-xl-008", "v1-xl-009"]
    assert to_yaml(rows).count("\n  - id: ") == 2


BAD_ROWS = {
    3: GOOD_MULTIPLE,
    4: {**GOOD_MULTIPLE, "选项D": None, "答案": "AD"},                          # letter not among options
    5: {**GOOD_MULTIPLE, "办案环节": "审批"},                                    # unknown step
    6: {**GOOD_JUDGE, "题号": None, "引文": "初次违法的，不予行政处罚。"},          # not the statute's text
    7: {**GOOD_JUDGE, "题号": None, "条": 999},                                  # no such article
    8: {**GOOD_JUDGE, "题号": None, "题型": "案例分析题"},
    9: {**GOOD_MULTIPLE, "题型": "单选题", "答案": "AB"},                         # single with two answers
    10: {**GOOD_MULTIPLE, "条": None},                                          # basis half-filled
    11: {**GOOD_MULTIPLE, "难度": 5},
    12: {**GOOD_MULTIPLE, "题干": None},
    13: {**GOOD_MULTIPLE, "分卷": "v9-space"},
    14: {**GOOD_JUDGE, "题号": None, "答案": "也许"},
    15: {**GOOD_MULTIPLE, "选项B": None, "答案": "AC"},                                   # gap in the options
    16: {**GOOD_JUDGE, "题号": "v1-gp-001"},                                     # id used in the bank
    17: {**GOOD_JUDGE, "题号": None, "题型": "填空题"},
    18: {**GOOD_JUDGE, "题号": None, "法规名称": "行政处罚条例"},                  # not in the corpus
    19: {**GOOD_JUDGE, "题号": None, "手册锚点": "volumes/v1-common/guide/no-penalty.md#没有这一节"},
    20: {**GOOD_JUDGE, "题号": None, "版本": "2017-09-01"},                    # no such version
    21: {**GOOD_JUDGE, "题号": None, "选项A": "对"},                              # judge with options
}
WANT = {(4, "答案"), (5, "办案环节"), (6, "引文"), (7, "条"), (8, "题型"), (9, "答案"), (10, "条"),
        (11, "难度"), (12, "题干"), (13, "分卷"), (14, "答案"), (15, "选项B"), (16, "题号"), (17, "题型"),
        (18, "法规名称"), (19, "手册锚点"), (20, "版本"), (21, "选项A")}


def test_each_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(tmp_path, site):
    xlsx, out = tmp_path / "bad.xlsx", tmp_path / "out.yaml"
    write_template(xlsx)
    fill(xlsx, BAD_ROWS)
    problems = convert(xlsx, out, site)
    assert not out.exists()
    assert {(p.line, p.field) for p in problems} == WANT
    assert all(p.file.endswith("bad.xlsx") and p.severity == "error" for p in problems)
    by = {(p.line, p.field): p.message for p in problems}
    assert "D 不在已填写的选项中" in by[(4, "答案")]
    assert "审批" in by[(5, "办案环节")]
    assert by[(6, "引文")].startswith("引文与行政处罚法（2021-01-22）第三十三条原文不一致")
    assert "没有第九百九十九条" in by[(7, "条")]
    assert by[(8, "题型")].startswith("案例分析题请直接编写 YAML")
    assert "单选题只能有一个答案" in by[(9, "答案")]
    assert "依据不完整" in by[(10, "条")]
    assert "v1-gp-001" in by[(16, "题号")] and "不在项目法规库中" in by[(18, "法规名称")]
    assert "没有锚点" in by[(19, "手册锚点")]


def test_missing_headers_are_named(tmp_path, site):
    xlsx, out = tmp_path / "cols.xlsx", tmp_path / "out.yaml"
    headers = [h for h in COLUMNS if h not in ("解析", "手册锚点")]
    fill(xlsx, {2: {k: v for k, v in GOOD_JUDGE.items() if k in headers}}, headers=headers)
    problems = convert(xlsx, out, site)
    assert [(p.line, p.field) for p in problems] == [(1, "手册锚点"), (1, "解析")]
    assert "缺少列“解析”" in problems[1].message
    assert not out.exists()


def test_rows_of_two_volumes_are_refused(tmp_path):
    xlsx = tmp_path / "q.xlsx"
    write_template(xlsx)
    fill(xlsx, {3: GOOD_MULTIPLE, 4: {**GOOD_JUDGE, "分卷": "v5-urban"}})
    rows, problems = read_workbook(xlsx, {})
    assert [(p.line, p.field) for p in problems] == [(4, "分卷")]


def test_main_prints_a_row_report_and_fails(tmp_path, capsys):
    xlsx, out = tmp_path / "bad.xlsx", tmp_path / "out.yaml"
    write_template(xlsx)
    fill(xlsx, {3: GOOD_MULTIPLE, 4: {**GOOD_MULTIPLE, "办案环节": "审批"}})
    assert main(["import-excel", str(xlsx), "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "第 4 行：\n  办案环节：未知办案环节“审批”" in text
    assert "共 2 行题目，其中 1 行有问题，共 1 个问题；未写出任何文件" in text
    assert not out.exists()


@pytest.mark.parametrize("argv", [["--template"], []])
def test_main_needs_a_file(argv, tmp_path):
    with pytest.raises(SystemExit):
        main(argv)
