"""The question bank format: what loads, and what is reported where."""
from textwrap import dedent

from quizapp.content.questions import load_bank, load_file

GOOD = dedent("""\
    volume: v1-common
    questions:
      - id: t-001
        type: single
        difficulty: 1
        step: 调查取证
        stem: 执法人员不得少于几人？
        options: {A: 一, B: 两, C: 三}
        answer: B
        explanation: 第四十二条规定不得少于两人。
        anchor: volumes/v1-common/guide/general-procedure.md#调查取证
        basis:
          - statute: 行政处罚法
            version: 2021-01-22
            article: 42
            quote: 执法人员不得少于两人，法律另有规定的除外。
      - id: t-002
        type: judge
        difficulty: 2
        step: 听证
        stem: 当事人要求听证的，应当在告知后五日内提出。
        answer: true
        explanation: 见第六十四条。
        anchor: volumes/v1-common/guide/general-procedure.md#听证
      - id: t-003
        type: multiple
        difficulty: 3
        step: 告知
        stem: 事先告知应当包括哪些内容？
        options: {A: 事实, B: 理由, C: 依据, D: 罚款缴纳银行}
        answer: [C, A, B]
        explanation: 见第四十四条。
        anchor: volumes/v1-common/guide/general-procedure.md#告知
    """)


def write(tmp_path, text, name="q.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_well_formed_file_loads_with_normalised_answers(tmp_path):
    questions, problems = load_file(write(tmp_path, GOOD))
    assert problems == []
    single, judge, multiple = questions
    assert single.answer == ["B"] and single.basis[0].article == "42" and single.basis[0].version == "2021-01-22"
    assert judge.options == {"T": "正确", "F": "错误"} and judge.answer == ["T"]
    assert multiple.answer == ["A", "B", "C"]
    assert single.line == 3


def test_each_mistake_names_its_line_and_field(tmp_path):
    bad = GOOD.replace("answer: B", "answer: E").replace("step: 听证", "step: 审批").replace(
        "type: multiple", "type: essay").replace("difficulty: 1", "difficulty: 5")
    _, problems = load_file(write(tmp_path, bad))
    found = {(p.line, p.field) for p in problems}
    assert (9, "answer") in found            # E is not an option
    assert (5, "difficulty") in found
    assert (20, "step") in found
    assert (26, "type") in found
    assert all(p.file.endswith("q.yaml") for p in problems)


def test_missing_fields_and_unknown_fields_are_reported(tmp_path):
    text = GOOD.replace("    explanation: 见第六十四条。\n", "    explaination: 见第六十四条。\n")
    _, problems = load_file(write(tmp_path, text))
    messages = " ".join(p.message for p in problems)
    assert "缺少必填字段 explanation" in messages and "未知字段 explaination" in messages


def test_a_multiple_choice_question_needs_two_answers(tmp_path):
    _, problems = load_file(write(tmp_path, GOOD.replace("answer: [C, A, B]", "answer: [C]")))
    assert [p.field for p in problems] == ["answer"]


def test_yaml_syntax_errors_give_the_line(tmp_path):
    _, problems = load_file(write(tmp_path, GOOD.replace("stem: 执法人员不得少于几人？", "stem: [未闭合")))
    assert len(problems) == 1 and problems[0].line > 0 and "YAML" in problems[0].message


def test_duplicate_keys_and_duplicate_ids_are_errors(tmp_path):
    _, problems = load_file(write(tmp_path, GOOD.replace("difficulty: 2\n", "difficulty: 2\n    difficulty: 3\n")))
    assert "重复" in problems[0].message
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    _, problems = load_bank(tmp_path)
    assert sum("题目编号 t-001 重复" in p.message for p in problems) == 1


def test_content_hash_changes_with_what_the_trainee_sees(tmp_path):
    (a, *_), _ = load_file(write(tmp_path, GOOD))
    (b, *_), _ = load_file(write(tmp_path, GOOD.replace("一, B: 两", "一, B: 二"), "b.yaml"))
    (c, *_), _ = load_file(write(tmp_path, "\n\n" + GOOD, "c.yaml"))
    assert a.content_hash() != b.content_hash()
    assert a.content_hash() == c.content_hash()      # moving lines is not a change


def test_the_format_examples_in_the_readme_pass_the_checker(tmp_path):
    import re

    from quizapp.content import QUESTION_BANK
    from quizapp.content.check import check
    from quizapp.content.site import Site

    readme = (QUESTION_BANK / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(  - id:.*?)```", readme, re.S)
    assert len(blocks) == 4
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "examples.yaml").write_text("volume: v1-common\nquestions:\n" + "".join(blocks).replace("v1-gp-", "doc-"),
                                        encoding="utf-8")
    report = check(Site(bank=bank))
    assert report.counts["questions"] == 4
    assert [p for p in report.errors if "examples.yaml" in p.file] == []


CASE = dedent("""\
    volume: v1-common
    questions:
      - id: t-case-001
        type: case
        difficulty: 3
        step: 听证
        stem: 某镇拟对某公司罚款八万元，告知书未写明听证权利。
        parts:
          - stem: 本案哪个环节出错？
            type: single
            options: {A: 调查取证, B: 告知, C: 送达}
            answer: B
          - stem: 可能的后果有（　）。
            type: multiple
            options: {A: 决定被撤销, B: 确认违法, C: 罚款加倍}
            answer: [A, B]
            explanation: 程序违法。
        explanation: 告知书遗漏听证权利。
        anchor: volumes/v1-common/guide/general-procedure.md#听证
    """)


def test_a_case_analysis_question_has_parts_each_with_its_own_key(tmp_path):
    (q,), problems = load_file(write(tmp_path, CASE))
    assert problems == []
    assert q.type == "case" and q.options == {} and q.answer == []
    assert [(p.id, p.type, p.answer) for p in q.parts] == [("1", "single", ["B"]), ("2", "multiple", ["A", "B"])]
    assert q.parts[1].explanation == "程序违法。"


def test_a_bad_part_is_reported_at_its_own_line(tmp_path):
    _, problems = load_file(write(tmp_path, CASE.replace("answer: [A, B]", "answer: [A, D]")))
    (p,) = problems
    assert p.line == 16 and p.field == "parts[2].answer" and "第 2 小题" in p.message


def test_a_case_question_needs_parts(tmp_path):
    text = CASE.split("    parts:")[0] + "    explanation: x\n    anchor: volumes/v1-common/guide/general-procedure.md#听证\n"
    _, problems = load_file(write(tmp_path, text))
    assert any(p.field == "parts" for p in problems)


def test_dates_stay_text_so_an_impossible_version_is_reported_not_a_crash(tmp_path):
    (single, *_), problems = load_file(write(tmp_path, GOOD.replace("version: 2021-01-22", "version: 2021-02-30")))
    assert problems == [] and single.basis[0].version == "2021-02-30"
    from quizapp.content.statutes import Corpus
    assert "没有 2021-02-30 版本" in Corpus().check_quote("行政处罚法", single.basis[0].version, 42, "x")
