"""Questions from Excel, for editors who do not write YAML.

One row per question on the first sheet (``题目``), Chinese column headers
(see :data:`COLUMNS`); single, multiple and true/false questions only -- case
questions are written in YAML directly. A row whose 题号 starts with “示例”
is the template's example and is skipped.

    python -m quizapp.content import-excel FILE.xlsx --out question_bank/v1-common/excel-import.yaml
    python -m quizapp.content import-excel --template handbook/templates/questions-template.xlsx

:func:`read_workbook` checks each row and reports problems as (Excel file,
row number, column header, message); :func:`to_yaml` writes the rows in the
bank's format; :func:`convert` also loads the YAML back with
:func:`questions.load_file` and runs the content check's question check
(anchor exists, basis quoted verbatim from the statute corpus, cited
articles exist) and reports what it finds against the Excel rows. Nothing is
written while any row has a problem.
"""
from __future__ import annotations

import argparse
import re
import tempfile
import unicodedata
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.exams import TYPE_NAMES
from ..domain.procedure import ALL_STEPS, VOLUMES, VOLUME_BY_CODE
from . import ROOT
from .check import Report, _check_question
from .problems import Problem
from .questions import ID_PATTERN, OPTION_KEYS, load_bank, load_file
from .site import Site
from .statutes import article_key

OPTION_COLUMNS = tuple(f"选项{k}" for k in OPTION_KEYS)
# header -> (required header, what to write); the template's column order.
COLUMNS: dict[str, tuple[bool, str]] = {
    "题型": (True, "单选题、多选题或判断题（案例分析题请直接编写 YAML）"),
    "题干": (True, "一个完整的情景或问题，填空处用“（　）”；单元格内可用 Alt+回车 换行"),
    **{c: (c in OPTION_COLUMNS[:3], f"{c[-1]} 项内容；选择题 3 至 6 个选项，从 A 起连续填写；判断题不填")
       for c in OPTION_COLUMNS},
    "答案": (True, "单选填一个字母（B），多选填至少两个字母（ACD）；判断题填“正确”或“错误”（也可写 对/错）"),
    "解析": (True, "为什么对、易混选项为什么错；引用条文写成《行政处罚法》第四十二条这样，必须是法规库中存在的条"),
    "分卷": (True, "分卷代码（如 v1-common）或分卷名称（如 公共法律法规规章运用）；一个文件只放一个分卷的题"),
    "办案环节": (True, "程序环节或专题：" + "、".join(ALL_STEPS)),
    "难度": (True, "1（基础）、2（进阶）或 3（综合）"),
    "法规名称": (False, "依据的法规简称，与 handbook/statutes/manifest.tsv 的 short 列一致，如 行政处罚法"),
    "版本": (False, "法规版本日期，格式 YYYY-MM-DD，如 2021-01-22"),
    "条": (False, "条号：33 或 第三十三条"),
    "引文": (False, "逐字照录的条文，整条或整句，省略处用“……”；依据四列要么都填，要么都不填"),
    "手册锚点": (True, "手册页面路径加锚点，如 volumes/v1-common/guide/step-02-investigation.md#调查取证"),
    "题号": (False, "可不填，导入时自动生成（如 v1-xl-001）；生成后请填回本列，以后不再改动"),
}
BASIS_COLUMNS = ("法规名称", "版本", "条", "引文")
TYPE_BY_NAME = {"单选题": "single", "单选": "single", "多选题": "multiple", "多选": "multiple",
                "判断题": "judge", "判断": "judge"}
JUDGE_WORDS = {**dict.fromkeys(("正确", "对", "√", "✓", "是", "T", "TRUE", "Y"), True),
               **dict.fromkeys(("错误", "错", "×", "✗", "X", "否", "F", "FALSE", "N"), False)}
DIFFICULTY_NAMES = {"基础": 1, "进阶": 2, "综合": 3}
EXAMPLE_ID = "示例"
# check.py / questions.py field -> Excel header
HEADER_OF_FIELD = {"id": "题号", "type": "题型", "difficulty": "难度", "step": "办案环节", "stem": "题干",
                   "options": "选项A", "answer": "答案", "explanation": "解析", "anchor": "手册锚点",
                   "basis": "引文", "volume": "分卷"}


def _volume_names() -> dict[str, str]:
    out = {}
    for v in VOLUMES:
        for name in (v.code, v.name, v.title, v.title.replace("\u3000", ""), v.title.split("\u3000")[0]):
            out[name] = v.code
    return out


VOLUME_NAMES = _volume_names()


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(ln.rstrip() for ln in lines).strip()


# --- reading ------------------------------------------------------------------

def read_workbook(path: Path, existing_ids: dict[str, str] | None = None) -> tuple[list[dict], list[Problem]]:
    """The rows without problems, as question mappings in the bank's format
    (plus ``volume`` and ``_row``, the Excel row number), and the problems of
    the others. ``existing_ids`` maps ids already used to where (default: the
    whole bank); a row without 题号 gets the next free ``<v>-xl-NNN``."""
    path = Path(path)
    f = _rel(path)
    if existing_ids is None:
        existing_ids = {q.id: f"{q.file}:{q.line}" for q in load_bank()[0]}
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as e:  # openpyxl raises several kinds for a bad file
        return [], [Problem(f, 0, "", f"无法读取 Excel 文件：{e}")]
    ws = wb["题目"] if "题目" in wb.sheetnames else wb.worksheets[0]
    table = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    if not table:
        return [], [Problem(f, 1, "", "工作表是空的：第 1 行应为列标题")]
    headers = table[0]
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h in columns:
            problems.append(Problem(f, 1, h, f"列“{h}”出现了两次"))
        elif h:
            columns[h] = i
    missing = [h for h, (required, _) in COLUMNS.items() if required and h not in columns]
    if missing:
        problems += [Problem(f, 1, h, f"缺少列“{h}”（第 1 行应为模板中的列标题）") for h in missing]
        return [], problems

    rows: list[dict] = []
    used = dict(existing_ids)
    in_book: dict[str, int] = {}
    volume_of_file: tuple[str, int] | None = None
    for number, values in enumerate(table[1:], start=2):
        cells = {h: (values[i] if i < len(values) else "") for h, i in columns.items()}
        if not any(cells.values()) or cells.get("题号", "").startswith(EXAMPLE_ID):
            continue
        before = len(problems)

        def bad(header: str, message: str, number=number) -> None:
            problems.append(Problem(f, number, header, message))

        row = _row(cells, bad)
        row["_row"] = number
        if row.get("volume"):
            if volume_of_file is None:
                volume_of_file = (row["volume"], number)
            elif row["volume"] != volume_of_file[0]:
                bad("分卷", f"一个文件只能导入一个分卷的题目（第 {volume_of_file[1]} 行为 {volume_of_file[0]}）；"
                          "不同分卷请分别导入")
        qid = row.get("id")
        if qid:
            if qid in in_book:
                bad("题号", f"题号 {qid} 与第 {in_book[qid]} 行重复")
            elif qid in used:
                bad("题号", f"题号 {qid} 已在题库中使用（{used[qid]}）；题号永不复用，请换一个或留空自动生成")
            in_book.setdefault(qid, number)
        if len(problems) == before:
            rows.append(row)
    _generate_ids(rows, set(used) | set(in_book))
    return rows, problems


def _row(cells: dict[str, str], bad) -> dict:
    """One row as a question mapping; problems go to ``bad(header, message)``."""
    for header, (required, _) in COLUMNS.items():
        if required and header not in OPTION_COLUMNS and not cells.get(header):
            bad(header, f"“{header}”为必填，不能为空")
    row: dict = {}
    kind = cells["题型"]
    qtype = TYPE_BY_NAME.get(kind)
    if kind in ("案例分析题", "案例分析", "案例题", "case"):
        bad("题型", "案例分析题请直接编写 YAML（见 handbook/templates/question-template.yaml）")
    elif kind and not qtype:
        bad("题型", f"未知题型“{kind}”；可选：单选题、多选题、判断题")
    qid = cells.get("题号", "")
    if qid and not ID_PATTERN.match(qid):
        bad("题号", f"题号“{qid}”只能用小写字母、数字和连字符，如 v1-xl-001")
    volume = VOLUME_NAMES.get(cells["分卷"])
    if cells["分卷"] and not volume:
        bad("分卷", f"未知分卷“{cells['分卷']}”；可填代码或名称：" + "、".join(f"{v.code}（{v.name}）" for v in VOLUMES))
    step = cells["办案环节"]
    if step and step not in ALL_STEPS:
        bad("办案环节", f"未知办案环节“{step}”；可选：{'、'.join(ALL_STEPS)}")
    difficulty = DIFFICULTY_NAMES.get(cells["难度"]) or (int(cells["难度"]) if cells["难度"].isdigit() else None)
    if cells["难度"] and difficulty not in (1, 2, 3):
        bad("难度", f"难度“{cells['难度']}”无效：应为 1（基础）、2（进阶）或 3（综合）")
    anchor = cells["手册锚点"]
    if anchor and ("#" not in anchor or not anchor.partition("#")[0].endswith(".md")):
        bad("手册锚点", "应为手册页面路径加锚点，如 volumes/v1-common/guide/step-02-investigation.md#调查取证")
    row.update(id=qid, type=qtype, difficulty=difficulty, step=step, stem=cells["题干"])
    if qtype:
        options, answer = _options_and_answer(cells, qtype, bad)
        if qtype != "judge":
            row["options"] = options
        row["answer"] = answer
    row.update(explanation=cells["解析"], anchor=anchor, volume=volume)
    basis = _basis(cells, bad)
    if basis:
        row["basis"] = [basis]
    return row


def _options_and_answer(cells: dict[str, str], qtype: str, bad):
    filled = {c[-1]: cells.get(c, "") for c in OPTION_COLUMNS if cells.get(c)}
    raw = cells["答案"]
    if qtype == "judge":
        if filled:
            bad(f"选项{next(iter(filled))}", "判断题不填选项（固定为 正确/错误）")
        word = unicodedata.normalize("NFKC", raw).upper()
        if raw and word not in JUDGE_WORDS:
            bad("答案", f"判断题的答案应为“正确”或“错误”（也可写 对/错），实为“{raw}”")
        return None, JUDGE_WORDS.get(word)
    keys = list(filled)
    if keys != list(OPTION_KEYS[:len(keys)]):
        gap = next(k for k in OPTION_KEYS if k not in filled)
        bad(f"选项{gap}", f"选项{gap} 为空，但后面的选项有内容；选项应从 A 起连续填写")
    elif len(keys) < 3:
        bad(f"选项{OPTION_KEYS[len(keys)]}", f"选择题至少要有 3 个选项，只填了 {len(keys)} 个")
    letters = re.sub(r"[\s,，、;；/]", "", unicodedata.normalize("NFKC", raw).upper())
    if not raw:
        return filled, None
    if not re.fullmatch(r"[A-Z]+", letters):
        bad("答案", f"答案“{raw}”应为选项字母，如 B 或 ACD")
        return filled, None
    unknown = sorted({a for a in letters if a not in filled})
    if unknown:
        bad("答案", f"答案 {'、'.join(unknown)} 不在已填写的选项中（已填写：{'、'.join(keys) or '无'}）")
    chosen = sorted(set(letters))
    if qtype == "single" and len(chosen) != 1:
        bad("答案", f"单选题只能有一个答案，实为“{raw}”；多个答案请把题型改为多选题")
        return filled, None
    if qtype == "multiple" and len(chosen) < 2:
        bad("答案", "多选题至少要有两个正确选项；只有一个的请改为单选题")
    return filled, chosen[0] if qtype == "single" else chosen


def _basis(cells: dict[str, str], bad) -> dict | None:
    given = {h: cells.get(h, "") for h in BASIS_COLUMNS}
    if not any(given.values()):
        return None
    missing = [h for h, v in given.items() if not v]
    if missing:
        filled = [h for h, v in given.items() if v]
        for h in missing:
            bad(h, f"依据不完整：已填写{'、'.join(filled)}，还缺“{h}”（依据四列要么都填，要么都不填）")
        return None
    version = re.sub(r"[./年月]", "-", given["版本"]).rstrip("日")
    try:
        version_date = date.fromisoformat(version)
    except ValueError:
        bad("版本", f"版本“{given['版本']}”应为 YYYY-MM-DD 格式的日期，如 2021-01-22")
        return None
    try:
        key = article_key(given["条"])
    except ValueError:
        bad("条", f"无法识别条号“{given['条']}”；应写 33 或 第三十三条")
        return None
    return {"statute": given["法规名称"], "version": version_date,
            "article": int(key) if key.isdigit() else key, "quote": given["引文"]}


def _generate_ids(rows: list[dict], taken: set[str]) -> None:
    """Give rows without 题号 the next free <volume prefix>-xl-NNN, in row order."""
    for row in rows:
        row["_generated"] = not row["id"]
        if row["id"]:
            continue
        prefix = f"{row['volume'].split('-')[0]}-xl-"
        numbers = [int(t[len(prefix):]) for t in taken if t.startswith(prefix) and t[len(prefix):].isdigit()]
        row["id"] = f"{prefix}{max(numbers, default=0) + 1:03d}"
        taken.add(row["id"])


# --- writing YAML -------------------------------------------------------------

class _FlowList(list):
    pass


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)     # "  - id:" under "questions:", as in the bank


_Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s,
                                                             style="|" if "\n" in s else None))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def to_yaml(rows: list[dict], source: str = "") -> str:
    """The rows as one question-bank file (``volume:`` + ``questions:``)."""
    volume = rows[0]["volume"] if rows else ""
    questions = []
    for row in rows:
        q = {k: v for k, v in row.items() if not k.startswith("_") and k != "volume" and v is not None}
        if isinstance(q.get("answer"), list):
            q["answer"] = _FlowList(q["answer"])
        questions.append(q)
    text = yaml.dump({"volume": volume, "questions": questions}, Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=10**6, default_flow_style=False)
    text = text.replace("\n  - id: ", "\n\n  - id: ").replace("questions:\n\n", "questions:\n", 1)
    head = f"# 由 Excel 导入生成{f'（{source}）' if source else ''}：python -m quizapp.content import-excel\n"
    return head + text


# --- converting ---------------------------------------------------------------

def _excel_field(field: str, message: str) -> str:
    if field == "basis":
        if "不在项目法规库中" in message:
            return "法规名称"
        if "版本" in message and "没有" in message and "引文" not in message:
            return "版本"
        if "引文" not in message:
            return "条"
    return HEADER_OF_FIELD.get(field.split(".")[-1], field)


def _convert(xlsx_path: Path, out_path: Path, site: Site | None = None) -> tuple[list[dict], list[Problem]]:
    xlsx_path, out_path = Path(xlsx_path), Path(out_path)
    site = site or Site()
    f, out_rel = _rel(xlsx_path), _rel(out_path)
    existing = {q.id: f"{q.file}:{q.line}" for q in site.questions if q.file != out_rel}
    rows, problems = read_workbook(xlsx_path, existing)
    if not rows and not problems:
        problems.append(Problem(f, 0, "", "工作表中没有题目（第 2 行起每行一道题）"))
    if rows and out_path.parent.name in VOLUME_BY_CODE and out_path.parent.name != rows[0]["volume"]:
        problems.append(Problem(f, rows[0]["_row"], "分卷",
                                f"题目属于 {rows[0]['volume']}，但输出文件在 {out_path.parent.name} 目录"))
    if rows:
        text = to_yaml(rows, xlsx_path.name)
        problems += _check_yaml(text, rows, f, site)
        if not any(p.severity == "error" for p in problems):
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(text, encoding="utf-8")
    return rows, sorted(problems, key=lambda p: (p.line, p.field))


def _check_yaml(text: str, rows: list[dict], f: str, site: Site) -> list[Problem]:
    """Load the YAML back and run the content check's question check on it;
    each problem is reported against the Excel row of its question."""
    row_of_id = {r["id"]: r["_row"] for r in rows}
    starts = [n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("  - id: ")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "excel-import.yaml"
        path.write_text(text, encoding="utf-8")
        questions, loaded = load_file(path)
    out = []
    for p in loaded:       # should not happen: read_workbook checks the same rules
        i = max([k for k, s in enumerate(starts) if s <= p.line], default=0)
        out.append(Problem(f, rows[i]["_row"] if rows else 0, _excel_field(p.field, p.message), p.message))
    for q in questions:
        report = Report()
        _check_question(site, q, report)
        for p in report.problems:
            message = p.message.removeprefix(f"题目 {q.id}：")
            out.append(Problem(f, row_of_id[q.id], _excel_field(p.field, message), message, p.severity, p.hint))
    return out


def convert(xlsx_path: Path, out_path: Path, site: Site | None = None) -> list[Problem]:
    """Read the workbook, write the YAML file if no row has a problem, and
    return the problems (file = the Excel file, line = its row, field = the
    column header). ``site`` defaults to the real handbook and bank."""
    return _convert(xlsx_path, out_path, site)[1]


# --- the template -------------------------------------------------------------

EXAMPLE = {
    "题型": "单选题",
    "题干": "某镇综合行政执法办公室查处一起占道经营案件时查明，当事人系初次违法，危害后果轻微，"
            "并在执法人员指出后立即改正。对该当事人，下列处理正确的是（　）。",
    "选项A": "必须给予警告", "选项B": "可以不予行政处罚，但应当对其进行教育",
    "选项C": "应当从重处罚", "选项D": "只能处以法定最低数额的罚款",
    "答案": "B",
    "解析": "《行政处罚法》第三十三条第一款规定，初次违法且危害后果轻微并及时改正的，可以不予行政处罚；"
            "第三款规定，对依法不予行政处罚的当事人，行政机关应当对其进行教育。A、C、D都没有法律依据。",
    "分卷": "公共法律法规规章运用", "办案环节": "不予处罚", "难度": 1,
    "法规名称": "行政处罚法", "版本": "2021-01-22", "条": "第三十三条",
    "引文": "初次违法且危害后果轻微并及时改正的，可以不予行政处罚。……"
            "对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育。",
    "手册锚点": "volumes/v1-common/guide/no-penalty.md#首违不罚的认定",
    "题号": EXAMPLE_ID,
}
WIDTHS = {"题干": 50, "解析": 50, "引文": 50, "手册锚点": 48, **dict.fromkeys(OPTION_COLUMNS, 24)}
NOTES = [
    "一行一道题，从第 2 行起填写；第 1 行的列标题不要改动。",
    "只支持单选题、多选题、判断题。案例分析题有多个小题，请直接编写 YAML（见 handbook/templates/question-template.yaml）。",
    f"“题号”填“{EXAMPLE_ID}”的行是示例，导入时跳过；可以保留，也可以删除。",
    "导入：python -m quizapp.content import-excel 文件.xlsx --out question_bank/v1-common/excel-import.yaml",
    "导入时逐行检查：必填项、题型、答案与选项、分卷、办案环节、难度、依据是否完整，"
    "并核对引文与法规库原文逐字一致、条文确实存在、手册锚点存在；任何一行有问题都不会写出文件。",
]


def _needed(header: str) -> str:
    if header in OPTION_COLUMNS[:3]:
        return "选择题必填"
    if header in BASIS_COLUMNS:
        return "有法条依据时必填"
    return "必填" if COLUMNS[header][0] else "选填"


def write_template(path: Path) -> None:
    """The empty workbook editors fill: 题目 (headers, drop-down lists, one
    example row) and 说明 (every column explained)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "题目"
    required_fill, optional_fill = PatternFill("solid", fgColor="FCE4D6"), PatternFill("solid", fgColor="DDEBF7")
    for col, (header, (required, help_text)) in enumerate(COLUMNS.items(), start=1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = required_fill if required else optional_fill
        cell.comment = Comment(f"{_needed(header)}。{help_text}", "题库")
        ws.cell(row=2, column=col, value=EXAMPLE.get(header))
        letter = cell.column_letter
        ws.column_dimensions[letter].width = WIDTHS.get(header, 12)
        if header in ("题干", "解析", "引文") or header in OPTION_COLUMNS:
            ws.cell(row=2, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    letters = {h: ws.cell(row=1, column=i).column_letter for i, h in enumerate(COLUMNS, start=1)}
    lists = {"题型": [TYPE_NAMES[t] for t in ("single", "multiple", "judge")],
             "办案环节": list(ALL_STEPS), "分卷": [v.name for v in VOLUMES]}
    for header, values in lists.items():
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                            errorStyle="warning", error="请从下拉列表中选择", errorTitle=header)
        dv.add(f"{letters[header]}2:{letters[header]}1000")
        ws.add_data_validation(dv)
    dv = DataValidation(type="whole", operator="between", formula1="1", formula2="3", allow_blank=True,
                        error="难度应为 1、2 或 3", errorTitle="难度")
    dv.add(f"{letters['难度']}2:{letters['难度']}1000")
    ws.add_data_validation(dv)

    notes = wb.create_sheet("说明")
    notes.append(["题目导入模板说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for n, text in enumerate(NOTES, 1):
        notes.append([f"{n}. {text}"])
    notes.append([])
    notes.append(["列名", "是否必填", "填写说明", "示例"])
    header_row = notes.max_row
    for cell in notes[header_row]:
        cell.font = Font(bold=True)
    for header, (_, help_text) in COLUMNS.items():
        notes.append([header, _needed(header), help_text, EXAMPLE.get(header)])
    for letter, width in zip("ABCD", (12, 12, 80, 50)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


# --- command ------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """python -m quizapp.content import-excel FILE.xlsx --out OUT.yaml  (or --template PATH)."""
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["import-excel"]:
        argv = argv[1:]
    parser = argparse.ArgumentParser(prog="python -m quizapp.content import-excel",
                                     description="把 Excel 题目表（单选、多选、判断）转换为题库 YAML 文件")
    parser.add_argument("file", nargs="?", help="填好的 Excel 文件（.xlsx）")
    parser.add_argument("--out", help="要写出的题库文件，如 question_bank/v1-common/excel-import.yaml")
    parser.add_argument("--template", metavar="PATH", help="只写出空白模板到 PATH，不导入")
    args = parser.parse_args(argv)
    if args.template:
        write_template(Path(args.template))
        print(f"已写出模板：{args.template}")
        return 0
    if not args.file or not args.out:
        parser.error("需要 Excel 文件和 --out 输出文件")
    rows, problems = _convert(Path(args.file), Path(args.out))
    errors = [p for p in problems if p.severity == "error"]
    by_row: dict[int, list[Problem]] = {}
    for p in problems:
        by_row.setdefault(p.line, []).append(p)
    for line, ps in sorted(by_row.items()):
        print(f"第 {line} 行：" if line else f"{args.file}：")
        for p in ps:
            tag = "" if p.severity == "error" else "（未核验，仅提示）"
            print(f"  {p.field + '：' if p.field else ''}{tag}{p.message}")
            for hint in p.hint.splitlines():
                print(f"      {hint}")
    numbers = {r["_row"] for r in rows} | {p.line for p in errors if p.line >= 2}
    bad_rows = {p.line for p in errors if p.line >= 2}
    if errors:
        print(f"汇总：共 {len(numbers)} 行题目，其中 {len(bad_rows)} 行有问题，共 {len(errors)} 个问题；"
              f"未写出任何文件，请修改 Excel 后重新导入。")
        return 1
    kinds = Counter(r["type"] for r in rows)
    print(f"汇总：已导入 {len(rows)} 道题（" + "，".join(f"{TYPE_NAMES[t]} {kinds[t]}" for t in
                                                      ("single", "multiple", "judge")) + f"）到 {args.out}")
    generated = [r for r in rows if r["_generated"]]
    if generated:
        print("以下各行未填题号，已自动生成；请把题号填回 Excel 的“题号”列，以后重新导入时保持不变：")
        for r in generated:
            print(f"  第 {r['_row']} 行：{r['id']}")
    return 0
