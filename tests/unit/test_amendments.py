"""Law amendment impact analysis, on the real content and on small seeded trees."""
from pathlib import Path
from textwrap import dedent

import pytest

from quizapp.content import HANDBOOK, QUESTION_BANK, ROOT
from quizapp.content.amendments import (BASIS, CITATION, MENTION, PITFALL, QUOTE, UNVERSIONED,
                                        amended_quote_warnings, changed_articles, format_report,
                                        impact, labels_in_ranges, main, stale_quotes)
from quizapp.content.site import Site
from quizapp.content.statutes import Corpus

OLD, NEW = "2009-08-27", "2024-11-08"


def grep(folder: Path, pattern: str, needles: tuple[str, ...], others: tuple[str, ...] = ()) -> set[tuple[str, int]]:
    """(file relative to the project root, line) of every line holding one of ``needles`` once the
    names of ``others`` (other statutes whose names contain a needle) are taken out."""
    found = set()
    for path in sorted(folder.rglob(pattern)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for other in others:
                line = line.replace(other, "")
            if any(needle in line for needle in needles):
                found.add((path.relative_to(ROOT).as_posix(), n))
    return found


# -- the real handbook and bank ----------------------------------------------


def test_the_impact_lists_exactly_the_lines_that_cite_the_mineral_resources_law(site):
    # The name, or a link to one of its generated pages (whose label may lack the name).
    needles = ("矿产资源法", "kuang-chan-zi-yuan-fa-")
    others = ("矿产资源法实施细则", "kuang-chan-zi-yuan-fa-shi-shi-xi-ze-")     # another statute, its own impact
    expected = grep(HANDBOOK / "volumes", "*.md", needles, others) | grep(QUESTION_BANK, "*.yaml", needles, others)
    assert expected, "the handbook no longer names 矿产资源法; the test needs another statute"
    found = impact(site, "矿产资源法")
    listed = {(p.file, p.line) for p in found.places}
    missing = expected - listed
    assert not missing, f"not in the impact: {sorted(missing)}"
    extra = {(f, n) for f, n in listed - expected if f.startswith(("handbook/volumes/", "question_bank/"))}
    assert not extra, f"listed but not citing: {sorted(extra)}"
    report = format_report(found)
    for file, line in expected:
        assert f"{file}:{line}" in report


def test_every_cited_article_of_the_real_content_exists_in_the_version_it_names(site):
    found = impact(site, "矿产资源法")
    versions = {s.version: s for s in site.corpus.versions("矿产资源法")}
    for place in found.places:
        if place.article and place.version:
            assert place.article in versions[place.version].articles, place


def test_changed_articles_between_2009_and_2024(site):
    changes = changed_articles(site.corpus, "矿产资源法", OLD, NEW)
    assert changes
    # Read by hand in handbook/statutes/矿产资源法(2009-08-27).md and (2024-11-08).md.
    assert changes["2"] == (
        "在中华人民共和国领域及管辖海域勘查、开采矿产资源，必须遵守本法。",
        "在中华人民共和国领域及管辖的其他海域勘查、开采矿产资源，开展矿区生态修复等活动，适用本法。\n"
        "本法所称矿产资源，是指由地质作用形成、具有利用价值的，呈固态、液态、气态等形态的自然资源。"
        "矿产资源目录由国务院确定并调整。")
    assert changes["53"][0] == "本法自1986年10月1日施行。"
    assert changes["80"] == (None, "本法自2025年7月1日起施行。")
    assert not [k for k, (old, new) in changes.items() if new is None]      # 53 old, 80 new articles
    assert len(changes) == 80
    assert list(changes)[:3] == ["1", "2", "3"]                              # in article order


def test_changed_articles_ignore_whitespace_and_report_removed_articles(tmp_path):
    (tmp_path / "manifest.tsv").write_text(
        "file\tshort\ttitle\tversion\tslug\tvolumes\tcategory\tsource_path\n"
        "示例法(2000-01-01).md\t示例法\t中华人民共和国示例法\t2000-01-01\tshi-li-2000\t1\t行政法\tx\n"
        "示例法(2020-01-01).md\t示例法\t中华人民共和国示例法\t2020-01-01\tshi-li-2020\t1\t行政法\tx\n",
        encoding="utf-8")
    (tmp_path / "outside-rules.yaml").write_text("rules: []\n", encoding="utf-8")
    head = "# 中华人民共和国示例法\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
    (tmp_path / "示例法(2000-01-01).md").write_text(
        head + "第一条 为了示例，制定本法。\n\n第二条 旧的规定。\n\n第三条 将被删除。\n", encoding="utf-8")
    (tmp_path / "示例法(2020-01-01).md").write_text(
        head + "第一条 为了 示例，制定本法。\n\n第二条 新的规定。\n\n第二条之一 新增的规定。\n", encoding="utf-8")
    changes = changed_articles(Corpus(tmp_path), "示例法", "2000-01-01", "2020-01-01")
    assert changes == {"2": ("旧的规定。", "新的规定。"), "2之一": (None, "新增的规定。"),
                       "3": ("将被删除。", None)}


def test_article_numbers_are_listed_in_ranges():
    assert labels_in_ranges(["3", "1", "2", "5", "5之一", "7", "8"]) == "第一条至第三条、第五条、第五条之一、第七条、第八条"


# -- a seeded tree that quotes the old version ---------------------------------

GUIDE = dedent("""\
    # 工作指南

    ## 无证采矿

    依照《矿产资源法》第三十九条处罚；修订后见矿产资源法第64条，另见[《矿产资源法》第六十四条](../laws/kuang-chan-zi-yuan-fa-2024-11-08.md#art-64)。

    !!! quote "《矿产资源法》（2009-08-27）第三条"
        地表或者地下的矿产资源的国家所有权，不因其所依附的土地的所有权或者使用权的不同而改变。

    !!! quote "《矿产资源法》（2009-08-27）第三条"
        从事矿产资源勘查和开采的，必须符合规定的资质条件。

    !!! quote "《矿产资源法》（2024-11-08）第六十四条"
        超出采矿权登记的开采区域开采矿产资源的，依照前款规定处罚；……

    ## 查处要点

    !!! danger "易错点：越界开采按无证开采处理"
        **环节**：调查取证

        **错误表现**：把越界开采一律认定为无证开采。

        **后果**：定性错误。

        **正确做法**：区分无证开采和越界开采。

        **依据**：

        !!! quote "《矿产资源法》（2009-08-27）第三十九条"
            单位和个人进入他人依法设立的国有矿山企业和其他矿山企业矿区范围内采矿的，依照前款规定处罚。

    《行政处罚法》第三十七条另有规定。
    """)

QUESTIONS = dedent("""\
    volume: v2-natural-resources
    questions:
      - id: t-kc-001
        type: judge
        difficulty: 1
        step: 调查取证
        stem: 民族自治地方的自治机关可以优先合理开发利用本地方的矿产资源（《矿产资源法》第十条）。
        answer: true
        explanation: 见矿产资源法。
        anchor: volumes/v2-natural-resources/guide/g.md#无证采矿
        basis:
          - statute: 矿产资源法
            version: 2009-08-27
            article: 10
            quote: 民族自治地方的自治机关根据法律规定和国家的统一规划，对可以由本地方开发的矿产资源，优先合理开发利用。
          - statute: 矿产资源法
            version: 2024-11-08
            article: 80
            quote: 本法自2025年7月1日起施行。
    """)
GUIDE_FILE = "handbook/volumes/v2-natural-resources/guide/g.md"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    guide = root / "handbook" / "volumes" / "v2-natural-resources" / "guide"
    guide.mkdir(parents=True)
    (guide / "g.md").write_text(GUIDE, encoding="utf-8")
    bank = root / "bank"
    bank.mkdir()
    (bank / "q.yaml").write_text(QUESTIONS, encoding="utf-8")
    site = Site(handbook=root / "handbook", bank=bank)
    assert not site.question_problems, site.question_problems
    return site


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def bank_file(site) -> str:
    (q,) = site.questions
    return q.file


def test_the_seeded_impact_names_kind_version_and_section_of_each_place(seeded):
    found = impact(seeded, "矿产资源法")
    at = {(p.line, p.kind, p.article): p for p in found.places if p.file == GUIDE_FILE}
    cite = line_of(GUIDE, "第三十九条处罚")
    assert at[(cite, CITATION, "39")].version is None
    assert at[(cite, CITATION, "39")].version_label == UNVERSIONED
    assert at[(cite, CITATION, "64")].version is None                     # 矿产资源法第64条
    assert at[(cite, CITATION, "64")].section == "无证采矿" and at[(cite, CITATION, "64")].anchor == "无证采矿"
    linked = [p for p in found.places if p.line == cite and p.article == "64" and p.version == NEW]
    assert len(linked) == 1 and "据链接" in linked[0].version_label
    first_quote = line_of(GUIDE, '!!! quote "《矿产资源法》（2009-08-27）第三条"')
    assert at[(first_quote, QUOTE, "3")].version == OLD
    pit = at[(line_of(GUIDE, "第三十九条\""), PITFALL, "39")]
    assert pit.pitfall == "越界开采按无证开采处理" and pit.section == "查处要点"
    qfile = bank_file(seeded)
    in_bank = {(p.line, p.kind, p.article) for p in found.places if p.file == qfile}
    assert (line_of(QUESTIONS, "statute: 矿产资源法"), BASIS, "10") in in_bank
    assert (line_of(QUESTIONS, "statute: 矿产资源法", 2), BASIS, "80") in in_bank
    assert (line_of(QUESTIONS, "stem:"), CITATION, "10") in in_bank
    assert (line_of(QUESTIONS, "explanation:"), MENTION, "") in in_bank
    assert not [p for p in found.places if "行政处罚法" in p.text]
    assert list(found.by_article)[:3] == ["3", "10", "39"] and list(found.by_article)[-1] == ""


def test_the_impact_of_one_version_leaves_out_places_of_the_other(seeded):
    found = impact(seeded, "矿产资源法", OLD)
    assert {p.version for p in found.places} <= {OLD, None}
    assert not [p for p in found.places if p.article in ("64", "80") and p.version]
    unversioned = [p for p in found.places if p.article == "64"]
    assert len(unversioned) == 1 and unversioned[0].version is None      # 矿产资源法第64条 stays
    with pytest.raises(LookupError):
        impact(seeded, "矿产资源法", "1996-08-29")


def test_stale_quotes_say_whether_to_repoint_or_rewrite(seeded):
    stale = {(s.place.file, s.place.line): s for s in stale_quotes(seeded, "矿产资源法", OLD, NEW)}
    assert len(stale) == 4                           # three quote blocks and one basis of 2009
    moved = stale[(GUIDE_FILE, line_of(GUIDE, '!!! quote "《矿产资源法》（2009-08-27）第三条"'))]
    assert moved.found_in == ("4",) and moved.can_repoint and not moved.same_article
    assert "第四条" in moved.advice(NEW)
    gone = stale[(GUIDE_FILE, line_of(GUIDE, '!!! quote "《矿产资源法》（2009-08-27）第三条"', 2))]
    assert gone.found_in == () and "须重写" in gone.advice(NEW)
    basis = stale[(bank_file(seeded), line_of(QUESTIONS, "statute: 矿产资源法"))]
    assert basis.found_in == ("13",)


def test_amended_quote_warnings_point_at_file_and_line(seeded):
    warnings = amended_quote_warnings(seeded)
    assert warnings and all(p.severity == "warning" for p in warnings)
    by_place = {(p.file, p.line): p for p in warnings}
    moved = by_place[(GUIDE_FILE, line_of(GUIDE, '!!! quote "《矿产资源法》（2009-08-27）第三条"'))]
    assert moved.field == "quote"
    for words in ("《矿产资源法》（2009-08-27）第三条", "2024-11-08", "第四条"):
        assert words in moved.message
    gone = by_place[(GUIDE_FILE, line_of(GUIDE, '!!! quote "《矿产资源法》（2009-08-27）第三条"', 2))]
    assert "已不存在" in gone.message
    basis = by_place[(bank_file(seeded), line_of(QUESTIONS, "quote: 民族自治地方"))]
    assert basis.field == "basis" and "t-kc-001" in basis.message and "第十三条" in basis.message
    # The quotation and the basis of the newest version are not warned about.
    assert not [p for p in warnings if "（2024-11-08）第" in p.message.split("，")[0]]
    assert len(warnings) == 4
    assert str(moved).startswith(f"{GUIDE_FILE}:{moved.line}: [warning] quote: ")


def test_warnings_on_the_real_content_never_fail_the_check(site):
    for p in amended_quote_warnings(site):
        assert p.severity == "warning" and "版本" in p.message


def test_the_report_is_in_chinese_by_article_with_changes_and_advice(seeded):
    found = impact(seeded, "矿产资源法", OLD)
    changes = changed_articles(seeded.corpus, "矿产资源法", OLD, NEW)
    stale = stale_quotes(seeded, "矿产资源法", OLD, NEW)
    text = format_report(found, changes, new_version=NEW, stale=stale)
    assert text.startswith("法律修订影响分析：《矿产资源法》（2009-08-27）")
    # 条文引用: 第三十九条 and 第64条 on the page (unversioned), 第十条 in the question stem.
    assert "受影响：页面 1 个，引文 2 处，条文引用 3 处，易错点依据 1 处，题目 1 道（题目依据 1 处）" in text
    assert "■ 第三条（新版本中已修改）" in text and "条文（2009-08-27）：矿产资源属于国家所有" in text
    assert f"{GUIDE_FILE}:{line_of(GUIDE, '第三十九条处罚')}  条文引用  版本：未注明版本" in text
    assert "所在：工作指南 › 无证采矿（#无证采矿）" in text
    assert "易错点依据" in text and "题目 t-kc-001" in text
    assert "条文变化（2009-08-27 → 2024-11-08，按条号对比）：修改 53 条，新增 27 条，删除 0 条" in text
    assert "可改指向" in text and "须重写" in text


def test_the_command_prints_the_report_and_rejects_unknown_versions(capsys):
    assert main(["impact", "矿产资源法", "--version", OLD, "--new", NEW]) == 0
    out = capsys.readouterr().out
    assert "法律修订影响分析：《矿产资源法》（2009-08-27）" in out and "条文变化" in out
    assert "旧版本引文处理建议" in out
    assert main(["矿产资源法", "--version", "1999-01-01"]) == 2
    assert "没有 1999-01-01 版本" in capsys.readouterr().out
