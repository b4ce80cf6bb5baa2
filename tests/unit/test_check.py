"""The content checker on small handbooks seeded with known mistakes -- each
kind of error it knows, found at the right file and line -- and on the real
content. Question-format errors are unit-tested in test_questions.py and the
amended-quote warning itself in test_amendments.py; here they are seen
through the check and its report."""
from textwrap import dedent

import pytest

from quizapp.content.check import check, format_report, main
from quizapp.content.generate import revisions_page
from quizapp.content.pages import PITFALL_FIELDS
from quizapp.content.site import Site

GUIDE = dedent("""\
    # 指南

    ## 调查取证

    执法人员不得少于两人。
    """)

CASE = dedent("""\
    # 案例

    ## 调查取证

    见[指南](../guide/g.md#调查取证)、[不存在的节](../guide/g.md#送达)、[不存在的页](../guide/none.md)。
    依据《行政处罚法》第九百条、《某某管理条例》第三条、《市场监督管理行政处罚程序规定》第十条。

    !!! quote "《行政处罚法》（2021-01-22）第四十二条"
        执法人员不得少于三人。

    !!! danger "易错点：少了字段"
        **环节**：[调查取证](../guide/g.md#调查取证)

        **后果**：被撤销。

    见[第五十五条](../laws/xing-zheng-chu-fa-fa-2021-01-22.md#art-55)与[第九百条](../laws/xing-zheng-chu-fa-fa-2021-01-22.md#art-900)。
    """)

QUESTIONS = dedent("""\
    volume: v1-common
    questions:
      - id: t-001
        type: judge
        difficulty: 1
        step: 调查取证
        stem: 执法人员可以一人调查。依据《行政处罚法》第九百条。
        answer: false
        explanation: 不得少于两人。
        anchor: volumes/v1-common/guide/g.md#听证
        basis:
          - statute: 行政处罚法
            version: 2021-01-22
            article: 42
            quote: 执法人员不得少于三人。
    """)

CASE_FILE = "handbook/volumes/v1-common/cases/c.md"
ARTICLE_42 = "行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人，法律另有规定的除外。"


def build(tmp_path, corpus, pages: dict[str, str], bank: dict[str, str] | None = None,
          revisions: str | None = None) -> Site:
    """A handbook of ``pages`` (path under handbook/ -> text), a bank of
    ``bank`` (file name -> YAML) and an optional handbook/revisions.yaml."""
    handbook = tmp_path / "handbook"
    handbook.mkdir(exist_ok=True)
    for path, text in pages.items():
        (handbook / path).parent.mkdir(parents=True, exist_ok=True)
        (handbook / path).write_text(text, encoding="utf-8")
    if revisions is not None:
        (handbook / "revisions.yaml").write_text(revisions, encoding="utf-8")
    folder = tmp_path / "bank"
    folder.mkdir(exist_ok=True)
    for name, text in (bank or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return Site(handbook=handbook, bank=folder, corpus=corpus)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[nth - 1]


@pytest.fixture(scope="module")
def corpus(site):
    return site.corpus


@pytest.fixture
def report(tmp_path, corpus):
    return check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": GUIDE,
                                          "volumes/v1-common/cases/c.md": CASE},
                       {"q.yaml": QUESTIONS}))


def messages(report, line=None):
    return [p.message for p in report.problems if line is None or p.line == line]


# --- pages: links, quotations, citations ------------------------------------------


def test_broken_links_and_anchors_name_file_and_line(report):
    on_line_5 = " ".join(messages(report, 5))
    assert "没有锚点 #送达" in on_line_5 and "none.md 不存在" in on_line_5
    assert "没有锚点 #art-900" in " ".join(messages(report, 16))
    assert all(p.file == CASE_FILE for p in report.problems if p.line in (5, 16))


def test_a_link_from_a_page_to_itself_is_an_error_and_an_in_page_anchor_is_not(tmp_path, corpus):
    guide = GUIDE + "\n见[本节](g.md#调查取证)、[本页](g.md)和[本节](#调查取证)。\n"
    report = check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": guide}))
    found = [(p.line, p.message) for p in report.errors if "本页自身" in p.message]
    assert [line for line, _ in found] == [7, 7]
    assert found[0][1] == "链接 g.md#调查取证 指向本页自身：本页内跳转写 #锚点，否则去掉链接"


def quoting(article_text: str, times: int = 1) -> str:
    block = f'!!! quote "《行政处罚法》（2021-01-22）第四十二条"\n    {article_text}\n\n'
    return "# 页\n\n## 一节\n\n" + block * times


def test_an_article_is_quoted_once_a_page_and_on_two_pages_of_a_volume_at_most(tmp_path, corpus):
    pages = {"volumes/v1-common/laws/key-points.md": quoting(ARTICLE_42),
             "volumes/v1-common/guide/g.md": quoting(ARTICLE_42, times=2),
             "volumes/v1-common/cases/c.md": quoting(ARTICLE_42),
             "volumes/v2-natural-resources/guide/g.md": quoting(ARTICLE_42)}      # another volume: its own count
    errors = [(p.file, p.line, p.message) for p in check(build(tmp_path, corpus, pages)).errors if "F-56" in p.message]
    assert errors == [
        ("handbook/volumes/v1-common/cases/c.md", 5,
         "《行政处罚法》第四十二条已在本卷 key-points.md（第 5 行）、g.md（第 5 行）引用原文，此处改为带链接的条文引用（F-56）"),
        ("handbook/volumes/v1-common/guide/g.md", 8,
         "《行政处罚法》第四十二条已在本页第 5 行引用原文，此处改为带链接的条文引用（F-56）"),
    ]


def test_a_pitfall_may_quote_an_article_quoted_elsewhere(tmp_path, corpus):
    pages = {"volumes/v1-common/laws/a.md": quoting(ARTICLE_42), "volumes/v1-common/guide/b.md": quoting(ARTICLE_42),
             "volumes/v1-common/guide/g.md": guide_with(pitfall())}
    assert not [p for p in check(build(tmp_path, corpus, pages)).errors if "F-56" in p.message]


def test_reading_text_says_nothing_of_the_statute_corpus(tmp_path, corpus):
    guide = GUIDE + "\n本页引用的是法规库所收 2021-01-22 文本。\n"
    errors = [p for p in check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": guide})).errors]
    assert [(p.line, p.field) for p in errors] == [(7, "编写说明")] and "F-61" in errors[0].message


def test_citations_of_missing_articles_and_unknown_statutes_fail(report):
    line6 = [p for p in report.problems if p.line == 6]
    assert any("没有第九百条" in p.message and p.severity == "error" for p in line6)
    assert any("某某管理条例" in p.message and p.severity == "error" for p in line6)
    assert all(p.file == CASE_FILE and p.field == "citation" for p in line6)


def test_outside_rules_are_reported_as_unchecked_not_as_errors(report):
    (unchecked,) = report.unchecked
    assert "市场监督管理行政处罚程序规定" in unchecked.message and unchecked.line == 6


def test_a_changed_quotation_shows_the_corpus_wording_and_where_it_differs(report):
    (p,) = [p for p in report.problems if p.line == 8]
    assert (p.file, p.field) == (CASE_FILE, "quote")
    assert p.message == "引文与行政处罚法（2021-01-22）第四十二条原文不一致"
    assert p.hint.splitlines() == [f"原文：{ARTICLE_42}",
                                   "差异：在“执法人员不得少于”之后，引文为“三人”，原文为“两人，法律另有规定的除外”"]
    # The one-line form other commands print keeps file:line: field: message, and adds the wording.
    assert str(p).startswith(f"{CASE_FILE}:8: quote: 引文与行政处罚法") and "不得少于两人" in str(p)


def test_a_quotation_of_a_long_paragraph_shows_about_200_characters_around_the_difference(corpus):
    paragraph = corpus.find("水污染防治法", "2017-06-27").articles["94"][0]
    sentence = next(s + "；" for s in paragraph.split("；") if "代为治理" in s)
    why, hint = corpus.quote_mismatch("水污染防治法", "2017-06-27", 94, sentence.replace("代为治理", "代为处理"))
    assert why.endswith("第九十四条原文不一致")
    shown, diff = hint.splitlines()
    assert shown.startswith("原文：……") and shown.endswith("……") and "代为治理" in shown
    assert len(shown) <= len("原文：") + 200 + 4
    assert diff.startswith("差异：在“……") and "引文为“处”，原文为“治”" in diff


def test_a_quotation_of_two_paragraphs_is_compared_with_both_and_every_difference_is_named(corpus):
    first, second = corpus.find("行政处罚法", "2021-01-22").articles["55"]
    changed = first.replace("应当主动向当事人或者有关人员", "应当向当事人") + "\n" + second
    _, hint = corpus.quote_mismatch("行政处罚法", "2021-01-22", 55, changed)
    shown, diff = hint.splitlines()
    assert shown == f"原文：{first}{second}"
    assert diff == ("差异：在“……调查或者进行检查时，应当”之后，引文少了原文的“主动”；"
                    "在“……进行检查时，应当向当事人”之后，引文少了原文的“或者有关人员”")


def test_an_excerpt_that_is_not_whole_sentences_is_explained(corpus):
    why, hint = corpus.quote_mismatch("行政处罚法", "2021-01-22", 42, "执法人员不得少于两人")
    assert why and "不在句末" in hint and ARTICLE_42 in hint


# --- 易错点 --------------------------------------------------------------------------

def pitfall(title: str = "调查时只有一名执法人员", drop: str = "", order=PITFALL_FIELDS,
            step: str = "调查取证") -> str:
    text = {"环节": step, "错误表现": "只派一名执法人员调查。", "后果": "证据可能被认定为不合法。",
            "正确做法": "安排两名以上执法人员调查。", "依据": ""}
    lines = [f'!!! danger "易错点：{title}"']
    for name in order:
        if name != drop:
            lines += [f"    **{name}**：{text[name]}".rstrip(), ""]
    lines += ['    !!! quote "《行政处罚法》（2021-01-22）第四十二条"', f"        {ARTICLE_42}", ""]
    return "\n".join(lines)


def guide_with(block: str) -> str:
    return f"# 指南\n\n## 调查取证\n\n{block}\n"


@pytest.mark.parametrize("missing", PITFALL_FIELDS)
def test_a_pitfall_without_one_field_names_it_at_the_pitfall(tmp_path, corpus, missing):
    text = guide_with(pitfall(drop=missing))
    report = check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": text}))
    (p,) = report.errors
    assert (p.file, p.line, p.field) == ("handbook/volumes/v1-common/guide/g.md", line_of(text, "!!! danger"), "易错点")
    assert p.message == f"易错点“调查时只有一名执法人员”缺少字段：{missing}"


@pytest.mark.parametrize("mistake, field, needle, words", [
    ("order", "易错点", "!!! danger", "字段应依次为：环节、错误表现、后果、正确做法、依据"),
    ("step", "环节", "**环节**", "环节应为程序环节之一"),
])
def test_a_pitfall_out_of_order_or_outside_the_steps_is_an_error(tmp_path, corpus, mistake, field, needle, words):
    if mistake == "order":
        block = pitfall(order=("环节", "后果", "错误表现", "正确做法", "依据"))
    else:
        block = pitfall(step="现场检查")
    text = guide_with(block)
    (p,) = check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": text})).errors
    assert (p.line, p.field) == (line_of(text, needle), field) and words in p.message


def test_an_incomplete_pitfall_names_the_missing_fields(report):
    (p,) = [p for p in report.problems if p.field == "易错点"]
    assert p.line == 11 and "错误表现、正确做法、依据" in p.message
    assert any(p.field == "依据" and p.line == 11 for p in report.problems)     # and no quote block


# --- 典型案例 --------------------------------------------------------------------------

def case_page(drop: str = "") -> str:
    parts = ["# 案例一：某镇某公司违法建设案", ""]
    if drop != "教学案例说明":
        parts += ['!!! info "教学案例说明"', "    本案例系根据镇街综合行政执法工作实际改编的教学案例，人物、地点、单位均为虚构。", ""]
    parts += ["## 调查取证", ""]
    for n, title in enumerate(("一人调查", "未出示证件", "笔录未签名")):
        if not (drop == "易错点" and n == 2):
            parts += [pitfall(title), ""]
    if drop != "案例评析":
        parts += ["## 案例评析", "", "本案的教学要点。", ""]
    return "\n".join(parts)


@pytest.mark.parametrize("drop, words", [
    ("", None),
    ("教学案例说明", '案例页面开头应有 !!! info "教学案例说明"'),
    ("案例评析", "案例应以“## 案例评析”一节结尾"),
    ("易错点", "案例应至少标注 3 个易错点，现有 2 个"),
])
def test_a_case_must_say_it_is_a_teaching_case_end_with_analysis_and_mark_three_pitfalls(tmp_path, corpus,
                                                                                         drop, words):
    path = "volumes/v1-common/cases/case-01-x.md"
    report = check(build(tmp_path, corpus, {path: case_page(drop)}))
    if words is None:
        assert report.errors == [] and report.counts["cases"] == 1
        return
    (p,) = report.errors
    assert (p.file, p.line, p.field) == (f"handbook/{path}", 1, "案例") and words in p.message


# --- the question bank ------------------------------------------------------------------

def test_question_problems_point_at_the_line_of_the_field(report):
    q = {(p.field, p.line): p for p in report.problems if p.file.endswith("q.yaml")}
    assert "手册页面 volumes/v1-common/guide/g.md 没有锚点 #听证" in q[("anchor", line_of(QUESTIONS, "anchor:"))].message
    assert "没有第九百条" in q[("stem", line_of(QUESTIONS, "stem:"))].message
    basis = q[("basis", line_of(QUESTIONS, "quote:"))]
    assert basis.message == "题目 t-001：引文与行政处罚法（2021-01-22）第四十二条原文不一致"
    assert f"原文：{ARTICLE_42}" in basis.hint


FORMAT = dedent("""\
    volume: v1-common
    questions:
      - id: t-002
        type: single
        difficulty: 1
        step: 审批
        stem: 执法人员不得少于几人？
        options: {A: 一, B: 两, C: 三}
        answer: B
        anchor: volumes/v1-common/guide/g.md#调查取证
    """)


def test_format_errors_of_the_bank_are_in_the_check_with_file_and_line(tmp_path, corpus):
    duplicate = FORMAT.replace("difficulty: 1\n", "difficulty: 1\n    difficulty: 2\n")
    report = check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": GUIDE},
                         {"format.yaml": FORMAT, "dup.yaml": duplicate}))
    found = {(p.file.rsplit("/", 1)[1], p.line, p.field): p.message for p in report.errors}
    assert "未知环节 '审批'" in found[("format.yaml", line_of(FORMAT, "step:"), "step")]
    assert "缺少必填字段 explanation" in found[("format.yaml", line_of(FORMAT, "- id:"), "explanation")]
    assert "重复" in found[("dup.yaml", line_of(duplicate, "difficulty:", 2), "")]
    assert len(found) == 3


# --- 修订提醒: a quotation of an older version whose article has changed -------------------

AMENDED = dedent("""\
    # 指南

    ## 无证采矿

    !!! quote "《矿产资源法》（2009-08-27）第三条"
        地表或者地下的矿产资源的国家所有权，不因其所依附的土地的所有权或者使用权的不同而改变。
    """)


def test_a_quotation_of_an_amended_article_is_a_warning_that_does_not_fail(tmp_path, corpus, capsys):
    site = build(tmp_path, corpus, {"volumes/v2-natural-resources/guide/g.md": AMENDED})
    report = check(site)
    assert report.errors == []
    (w,) = report.warnings
    assert (w.file, w.line, w.field) == ("handbook/volumes/v2-natural-resources/guide/g.md", 5, "quote")
    assert "《矿产资源法》（2009-08-27）第三条" in w.message and "第四条" in w.message
    assert "修订提醒 1" in report.summary()
    assert main(["check"], site=site) == 0
    out = capsys.readouterr().out
    assert "  行 5 · [修订提醒] 法条引文：引用的是《矿产资源法》（2009-08-27）第三条" in out
    assert out.rstrip().splitlines()[-1].startswith("内容检查通过：")
    assert main(["check", "--quiet"], site=site) == 0
    assert "修订提醒]" not in capsys.readouterr().out


# --- the report ------------------------------------------------------------------------

def test_the_report_groups_problems_per_file_and_ends_with_the_summary(report, capsys):
    text = format_report(report)
    lines = text.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith(CASE_FILE))
    assert lines[header] == f"{CASE_FILE}（错误 11，未核验 1）"
    block = lines[header + 1:lines.index("", header)]
    assert block[3] == "  行 5 · 链接：链接 ../guide/g.md#送达：页面 volumes/v1-common/guide/g.md 没有锚点 #送达"
    at = block.index("  行 8 · 法条引文：引文与行政处罚法（2021-01-22）第四十二条原文不一致")
    assert block[at + 1] == f"        原文：{ARTICLE_42}"
    assert block[at + 2].startswith("        差异：在“执法人员不得少于”之后")
    assert "  行 6 · [未核验] 条文引用：《市场监督管理行政处罚程序规定》第十条：外部规章，不在法规库中，条文未核验" in block
    assert [int(line.split()[1]) for line in block if line.startswith("  行 ")] == sorted(
        int(line.split()[1]) for line in block if line.startswith("  行 "))
    assert any(line.endswith("q.yaml（错误 3）") for line in lines)
    assert lines[-1] == "内容检查未通过：" + report.summary()
    assert "[未核验]" not in format_report(report, quiet=True)


def test_the_summary_counts_what_was_checked(report):
    assert report.counts["pages"] == 2 and report.counts["cases"] == 1
    assert report.counts["pitfalls"] == 1 and report.counts["questions"] == 1
    assert report.summary().endswith("错误 14，修订提醒 0，未核验的外部规章引用 1")


def test_the_exit_code_follows_the_errors(tmp_path, corpus, capsys):
    site = build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": GUIDE,
                                    "volumes/v1-common/cases/c.md": CASE}, {"q.yaml": QUESTIONS})
    assert main(["check"], site=site) == 1
    assert capsys.readouterr().out.rstrip().splitlines()[-1].startswith("内容检查未通过：")


# --- 修订记录 -----------------------------------------------------------------------------

REVISIONS = dedent("""\
    revisions:
      - date: 2026-11-24
        volume: v1-common
        summary: 好的记录。
        pages:
          - volumes/v1-common/guide/g.md#调查取证
      - date: 2026/11/24
        volume: v9-space
        summary: 日期和分卷都不对。
      - date: 2026-02-30
        volume: all
        summery: 字段名拼错了。
      - date: 2026-11-25
        volume: all
        summary: >-
          页面不存在，
          锚点也不存在。
        pages:
          - volumes/v1-common/guide/g.md
          - volumes/v1-common/guide/none.md
          - volumes/v1-common/guide/g.md#没有这一节
          - guide.html
    """)


def test_bad_revision_entries_are_reported_with_their_line(tmp_path, corpus):
    report = check(build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": GUIDE}, revisions=REVISIONS))
    found = {(p.line, p.field): p.message for p in report.errors}
    assert all(p.file == "handbook/revisions.yaml" for p in report.errors)
    assert "应写成 YYYY-MM-DD" in found[(line_of(REVISIONS, "2026/11/24"), "date")]
    assert "未知分卷 'v9-space'" in found[(line_of(REVISIONS, "v9-space"), "volume")]
    assert "日期 2026-02-30 不存在" in found[(line_of(REVISIONS, "2026-02-30"), "date")]
    assert "缺少必填字段 summary" in found[(line_of(REVISIONS, "2026-02-30"), "summary")]
    assert "未知字段 summery" in found[(line_of(REVISIONS, "summery"), "summery")]
    assert "none.md 不存在" in found[(line_of(REVISIONS, "none.md"), "pages")]
    assert "没有锚点 #没有这一节" in found[(line_of(REVISIONS, "没有这一节"), "pages")]
    assert "应为 handbook/ 下的 .md 页面路径" in found[(line_of(REVISIONS, "guide.html"), "pages")]
    assert len(found) == 8
    assert report.counts["revisions"] == 4
    assert [r.summary for r in build(tmp_path, corpus, {}, revisions=REVISIONS).revisions] == ["好的记录。"]


def test_the_revisions_page_lists_entries_newest_first_with_their_volume_and_pages(tmp_path, corpus):
    good = REVISIONS.split("  - date: 2026/11/24")[0] + (
        "  - date: 2026-12-01\n"
        "    volume: all\n"
        "    summary: >-\n"
        "      较新的记录，\n"
        "      分两行书写。\n")
    site = build(tmp_path, corpus, {"volumes/v1-common/guide/g.md": GUIDE}, revisions=good)
    assert check(site).errors == [] and check(site).counts["revisions"] == 2
    page = revisions_page(site)
    assert page.index("## 2026年12月1日") < page.index("## 2026年11月24日")
    assert "- **全套教程**：较新的记录，分两行书写。" in page
    assert "- **第一卷　公共法律法规规章运用**：好的记录。" in page
    assert "[指南 › 调查取证](volumes/v1-common/guide/g.md#调查取证)" in page


# --- the real content -----------------------------------------------------------------------

def test_the_real_handbook_and_bank_pass(site):
    report = check(site)
    assert report.errors == [], "\n".join(map(str, report.errors))
    assert report.counts["questions"] >= 30 and report.counts["quotations"] > 0
    assert report.counts["revisions"] >= 1


def test_volume_one_holds_the_counts_the_model_volume_promises(site):
    cases = [p for path, p in site.pages.items() if path.startswith("volumes/v1-common/cases/case-")]
    assert len(cases) >= 8 and all(len(c.pitfalls) >= 3 for c in cases)
    v1 = [q for q in site.questions if q.volume == "v1-common"]
    assert len(v1) >= 150
    assert {q.type for q in v1} == {"single", "multiple", "judge", "case"}
    assert sum(q.type == "case" for q in v1) >= 30
    assert {q.difficulty for q in v1} == {1, 2, 3}
    from quizapp.domain.procedure import ALL_STEPS
    assert {q.step for q in v1} == set(ALL_STEPS)
    guide = {p.rsplit("/", 1)[1] for p in site.pages if p.startswith("volumes/v1-common/guide/step-")}
    assert len(guide) == 10
    study = [p for p in site.pages if p.startswith("volumes/v1-common/laws/key-points-")]
    assert len(study) == 8
