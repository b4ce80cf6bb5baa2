"""python -m quizapp.content: one command line for the content tools."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from quizapp.content import ROOT
from quizapp.content.cli import COMMANDS, main


def test_help_lists_every_command_in_chinese(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：python -m quizapp.content <命令>")
    for name in ("check", "impact", "import-excel", "export", "pdf"):
        assert f"  {name} " in out
    assert "法律修订影响分析" in out and "Moodle XML 或 GIFT" in out and "印刷本 PDF" in out and set(COMMANDS) == {
        "check", "impact", "import-excel", "export", "pdf"}


def test_a_command_keeps_its_own_options_with_argparse_in_chinese(capsys):
    assert main(["impact", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：python -m quizapp.content impact") and "--new NEW" in out and "显示本帮助并退出" in out
    assert main(["export", "--format", "pdf", "--out", "x"]) == 2
    assert "错误：参数 --format：无效的选项 'pdf'" in capsys.readouterr().err


def test_an_unknown_command_says_so_and_shows_the_commands(capsys):
    assert main(["chek"]) == 2
    err = capsys.readouterr().err
    assert "未知命令 'chek'" in err and "import-excel" in err


def test_export_writes_the_whole_bank_and_says_how_many(tmp_path, site, capsys):
    out = tmp_path / "bank.xml"
    assert main(["export", "--format", "moodle", "--out", str(out), "--base-url", "https://example.org"]) == 0
    cases = [q for q in site.questions if q.type == "case"]
    parts = sum(len(q.parts) for q in cases)
    items = len(site.questions) - len(cases) + parts
    said = capsys.readouterr().out
    assert f"已导出 {len(site.questions)} 道题（其中案例分析题 {len(cases)} 道，拆为 {parts} 个小题），共 {items} 个题目" in said
    quiz = ET.fromstring(out.read_bytes())
    assert len([q for q in quiz if q.get("type") != "category"]) == items
    assert "https://example.org/volumes/" in out.read_text(encoding="utf-8")
    gift = tmp_path / "bank.gift.txt"
    assert main(["export", "--format", "gift", "--out", str(gift)]) == 0
    assert "GIFT" in capsys.readouterr().out and gift.read_text(encoding="utf-8").count("::") >= 2 * items


def test_export_refuses_a_bank_with_format_errors(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("volume: v1-common\nquestions:\n  - id: x\n", encoding="utf-8")
    out = tmp_path / "bank.xml"
    assert main(["export", "--format", "moodle", "--out", str(out), "--bank", str(tmp_path)]) == 1
    assert "未导出" in capsys.readouterr().out and not out.exists()


def test_impact_and_import_excel_run_through_the_same_entry_point(tmp_path, capsys):
    assert main(["impact", "矿产资源法", "--version", "2009-08-27", "--new", "2024-11-08"]) == 0
    assert "法律修订影响分析：《矿产资源法》（2009-08-27）" in capsys.readouterr().out
    template = tmp_path / "t.xlsx"
    assert main(["import-excel", "--template", str(template)]) == 0 and template.is_file()


def test_impact_newer_lists_the_places_of_each_statute_amended_beyond_the_corpus(capsys):
    assert main(["impact", "--newer"]) == 0
    out = capsys.readouterr().out
    assert "== 《传染病防治法》：2025-04-30 修订，自 2025-09-01 起施行" in out
    assert "法律修订影响分析：《传染病防治法》（2013-06-29）" in out and "第七十三条" in out
    assert "== 《治安管理处罚法》" in out and "法规库中没有该法文本" in out


@pytest.mark.parametrize("args, code", [(["check", "--quiet"], 0), ([], 2)])
def test_python_dash_m_runs_the_dispatcher(args, code):
    r = subprocess.run([sys.executable, "-m", "quizapp.content", *args], cwd=ROOT, capture_output=True,
                       text=True, env={**os.environ}, timeout=300)
    assert r.returncode == code, r.stdout + r.stderr
    if args:
        assert r.stdout.rstrip().splitlines()[-1].startswith("内容检查通过：")
