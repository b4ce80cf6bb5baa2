"""The content commands, one entry point: ``python -m quizapp.content <命令>``.

    check          the content check (:func:`check.main`)
    impact         law amendment impact (:func:`amendments.main`)
    import-excel   Excel -> question YAML, or the blank template (:func:`excel_questions.main`)
    export         the whole bank as Moodle XML or GIFT (:func:`export_main`)

Each command keeps its own argparse parser; this module only picks the
command by its first word. argparse's own words (usage, options, error …)
are shown in Chinese while a command runs (:func:`chinese_argparse`).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PROG = "python -m quizapp.content"

# command -> (one line of help, module, function name); modules are imported only when run.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("检查手册与题库：链接、锚点、法条引文、条文引用、易错点、典型案例、题目格式、修订记录",
              "check", "main"),
    "impact": ("法律修订影响分析：列出手册和题库中引用某部法规（某个版本）的全部位置，对比新旧版本条文",
               "amendments", "main"),
    "import-excel": ("把 Excel 题目表（单选、多选、判断）转换为题库 YAML 文件；--template 写出空白模板",
                     "excel_questions", "main"),
    "export": ("把整个题库导出为 Moodle XML 或 GIFT 文件，供其他学习平台导入",
               "cli", "export_main"),
    "pdf": ("由已构建的手册（site/）生成各卷印刷本 PDF（封面、目录及页码、页眉），法规全文可作附录",
            "pdf", "main"),
}

HELP = f"""用法：{PROG} <命令> [参数……]

手册与题库的内容工具。命令：
{{commands}}

查看某个命令的参数：{PROG} <命令> --help

示例：
  {PROG} check
  {PROG} check --quiet
  {PROG} impact 矿产资源法 --version 2009-08-27 --new 2024-11-08
  {PROG} import-excel 题目.xlsx --out question_bank/v1-common/excel-import.yaml
  {PROG} import-excel --template handbook/templates/questions-template.xlsx
  {PROG} export --format moodle --out var/question-bank.xml
  {PROG} export --format gift --out var/question-bank.gift.txt --base-url https://example.org

编写组日常只需运行 python3 manage.py check（即本工具的 check 命令）。"""

# argparse's words (Python 3.11) in Chinese.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少以下参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "expected one argument": "需要一个参数值",
    "expected at least one argument": "至少需要一个参数值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
}


@contextmanager
def chinese_argparse() -> Iterator[None]:
    """argparse's help and error words in Chinese while the block runs."""
    original = argparse._
    argparse._ = lambda message: ARGPARSE_ZH.get(message, original(message))
    try:
        yield
    finally:
        argparse._ = original


def help_text() -> str:
    width = max(len(c) for c in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}   {what}" for name, (what, _, _) in COMMANDS.items())
    return HELP.format(commands=lines)


def command(name: str) -> Callable[[list[str]], int]:
    from importlib import import_module

    _, module, function = COMMANDS[name]
    return getattr(import_module(f"{__package__}.{module}"), function)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(help_text())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"{PROG}：错误：未知命令 {name!r}\n", file=sys.stderr)
        print(help_text(), file=sys.stderr)
        return 2
    with chinese_argparse():
        try:
            return command(name)(rest)
        except SystemExit as e:          # argparse: --help (0) or a usage error (2)
            return e.code if isinstance(e.code, int) else 0 if e.code is None else 2


# --- export -----------------------------------------------------------------------

FORMATS = {"moodle": "Moodle XML", "gift": "GIFT"}


def export_main(argv: list[str] | None = None) -> int:
    """python -m quizapp.content export --format moodle|gift --out FILE [--base-url URL]"""
    from .interchange import to_gift, to_moodle_xml
    from .questions import load_bank

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export"]:
        argv = argv[1:]
    parser = argparse.ArgumentParser(
        prog=f"{PROG} export",
        description="把整个题库（question_bank/ 下的全部题目）导出为 Moodle XML 或 GIFT 文件。"
                    "案例分析题在 Moodle 中没有对应题型，每个小题导出为一道题，题干前附案情。")
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), help="moodle（Moodle XML）或 gift（GIFT 文本）")
    parser.add_argument("--out", required=True, metavar="FILE", help="要写出的文件，如 var/question-bank.xml")
    parser.add_argument("--base-url", default="", metavar="URL",
                        help="手册网站地址，如 https://example.org；给出时解析中的手册链接写成完整网址")
    parser.add_argument("--bank", default=None, metavar="DIR", help=argparse.SUPPRESS)   # tests: another bank
    args = parser.parse_args(argv)
    from . import QUESTION_BANK
    questions, problems = load_bank(Path(args.bank) if args.bank else QUESTION_BANK)
    if problems:
        for p in problems:
            print(p)
        print(f"题库有 {len(problems)} 处格式错误，未导出。请先运行 python3 manage.py check 并改正。")
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "moodle":
        out.write_bytes(to_moodle_xml(questions, base_url=args.base_url))
    else:
        out.write_text(to_gift(questions, base_url=args.base_url), encoding="utf-8")
    cases = [q for q in questions if q.type == "case"]
    parts = sum(len(q.parts) for q in cases)
    exported = len(questions) - len(cases) + parts
    print(f"已导出 {len(questions)} 道题（其中案例分析题 {len(cases)} 道，拆为 {parts} 个小题），"
          f"共 {exported} 个题目，格式 {FORMATS[args.format]}，文件：{out}")
    return 0
