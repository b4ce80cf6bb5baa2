"""The content checker on a small handbook with known mistakes, and on the real content."""
from textwrap import dedent

import pytest

from quizapp.content.check import check
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


@pytest.fixture
def report(tmp_path):
    hb = tmp_path / "handbook" / "volumes" / "v1-common"
    (hb / "guide").mkdir(parents=True)
    (hb / "cases").mkdir()
    (hb / "guide" / "g.md").write_text(GUIDE, encoding="utf-8")
    (hb / "cases" / "c.md").write_text(CASE, encoding="utf-8")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "q.yaml").write_text(QUESTIONS, encoding="utf-8")
    return check(Site(handbook=tmp_path / "handbook", bank=bank))


def messages(report, line=None):
    return [p.message for p in report.problems if line is None or p.line == line]


def test_broken_links_and_anchors_name_file_and_line(report):
    on_line_5 = " ".join(messages(report, 5))
    assert "没有锚点 #送达" in on_line_5 and "none.md 不存在" in on_line_5
    assert "没有锚点 #art-900" in " ".join(messages(report, 16))
    assert all(p.file == "handbook/volumes/v1-common/cases/c.md" for p in report.problems if p.line in (5, 16))


def test_citations_of_missing_articles_and_unknown_statutes_fail(report):
    line6 = [p for p in report.problems if p.line == 6]
    assert any("没有第九百条" in p.message and p.severity == "error" for p in line6)
    assert any("某某管理条例" in p.message and p.severity == "error" for p in line6)


def test_outside_rules_are_reported_as_unchecked_not_as_errors(report):
    (unchecked,) = report.unchecked
    assert "市场监督管理行政处罚程序规定" in unchecked.message and unchecked.line == 6


def test_a_changed_quotation_shows_the_corpus_wording(report):
    (p,) = [p for p in report.problems if p.line == 8]
    assert p.field == "quote" and "不得少于两人" in p.message


def test_an_incomplete_pitfall_names_the_missing_fields(report):
    (p,) = [p for p in report.problems if p.field == "易错点"]
    assert p.line == 11 and "错误表现、正确做法、依据" in p.message
    assert any(p.field == "依据" and p.line == 11 for p in report.problems)


def test_question_problems_point_into_the_bank(report):
    q = [p for p in report.problems if p.file.endswith("q.yaml")]
    fields = {p.field for p in q}
    assert {"anchor", "basis", "stem"} <= fields
    assert any(p.field == "basis" and p.line == 15 for p in q)


def test_the_summary_counts_what_was_checked(report):
    assert report.counts["pages"] == 2 and report.counts["cases"] == 1
    assert report.counts["pitfalls"] == 1 and report.counts["questions"] == 1
    assert "错误" in report.summary()


def test_the_real_handbook_and_bank_pass(site):
    report = check(site)
    assert report.errors == [], "\n".join(map(str, report.errors))
    assert report.counts["questions"] >= 30 and report.counts["quotations"] > 0


def test_a_case_must_say_it_is_a_teaching_case_end_with_analysis_and_mark_three_pitfalls(tmp_path):
    hb = tmp_path / "handbook" / "volumes" / "v1-common" / "cases"
    hb.mkdir(parents=True)
    (hb / "case-x.md").write_text("# 案例\n\n## 基本案情\n\n某镇。\n", encoding="utf-8")
    bank = tmp_path / "bank"
    bank.mkdir()
    report = check(Site(handbook=tmp_path / "handbook", bank=bank))
    messages = " ".join(p.message for p in report.errors)
    assert "教学案例说明" in messages and "案例评析" in messages and "至少标注 3 个易错点，现有 0 个" in messages


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
