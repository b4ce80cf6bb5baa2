"""The 赋权事项目录 (quizapp/content/items.py): each item's format, its basis
checked against the vendored statutes like a quotation, its guide anchor,
the ids that cases and questions name, at least one question per item; and
the generated catalogue and item pages (the basis quoted verbatim, the
cases and the 练一练 from the tags, never written by hand)."""
from textwrap import dedent

import pytest

from quizapp.content import generate
from quizapp.content.check import check
from quizapp.content.items import article_text, cases_of, questions_of
from quizapp.practice import PracticeFilter
from tests.unit.test_check import build

GUIDE = dedent("""\
    # 农业执法指南

    ## 农药经营

    经营农药须取得许可。
    """)

CASE = dedent("""\
    ---
    items: [v3-sx-001]
    ---
    # 案例：周某无证经营农药案

    !!! info "教学案例说明"
        改编的教学案例。

    ## 案例评析

    见[指南](../guide/g.md#农药经营)。
    """)

ITEM = dedent("""\
      - id: v3-sx-001
        name: 对未取得农药经营许可证经营农药的行政处罚
        kind: 行政处罚
        department: 县级农业农村主管部门
        basis:
          - role: 违法行为
            statute: 农药管理条例
            version: 2022-03-29
            article: 24
            paragraph: 1
          - role: 处罚
            statute: 农药管理条例
            version: 2022-03-29
            article: 55
        penalty:
          summary: 责令停止经营，没收违法所得和违法经营的农药，并处罚款。
          discretion: 应当
          decided_by: 以承接的镇人民政府名义作出
        procedure_notes:
          - 现场发现的农药可以依法查封、扣押。
        frequency: 高
        often_retained: false
        guide: volumes/v3-agriculture/guide/g.md#农药经营
    """)

QUESTION = dedent("""\
    volume: v3-agriculture
    questions:
      - id: t-001
        type: judge
        difficulty: 1
        step: 管辖与立案
        stem: 未取得农药经营许可证经营农药的，由县级以上农业农村主管部门责令停止经营。
        answer: true
        explanation: 见农药管理条例第五十五条。
        anchor: volumes/v3-agriculture/guide/g.md#农药经营
        items: [v3-sx-001]
    """)


def handbook(tmp_path, corpus, item=ITEM, question=QUESTION, case=CASE, extra_items=""):
    site = build(tmp_path, corpus, {"volumes/v3-agriculture/guide/g.md": GUIDE,
                                    "volumes/v3-agriculture/cases/c.md": case},
                 {"q.yaml": question})
    folder = tmp_path / "handbook" / "items"
    folder.mkdir(exist_ok=True)
    (folder / "v3-agriculture.yaml").write_text("volume: v3-agriculture\nitems:\n" + item + extra_items,
                                                encoding="utf-8")
    return build(tmp_path, corpus, {}, {})


@pytest.fixture(scope="module")
def corpus(site):
    return site.corpus


def item_problems(report):
    """Errors of the catalogue, the question and the case (not the case's own format: it is no full case)."""
    return [(p.field, p.message) for p in report.errors
            if p.file.endswith(("v3-agriculture.yaml", "q.yaml", "c.md")) and p.field != "案例"]


def test_a_sound_item_passes_and_is_linked_both_ways(tmp_path, corpus):
    site = handbook(tmp_path, corpus)
    assert item_problems(check(site)) == []
    (item,) = site.items
    assert questions_of(site.items, site.questions) == {"v3-sx-001": ["t-001"]}
    assert cases_of(site.items, site.pages) == {"v3-sx-001": ["volumes/v3-agriculture/cases/c.md"]}
    assert item.by_role("处罚")[0].label == "《农药管理条例》第五十五条"
    assert item.by_role("违法行为")[0].label == "《农药管理条例》第二十四条第一款"


def test_a_wrong_article_a_missing_paragraph_and_an_unknown_statute_are_named_with_their_line(tmp_path, corpus):
    bad = ITEM.replace("article: 55", "article: 900").replace("paragraph: 1", "paragraph: 9")
    site = handbook(tmp_path, corpus, bad)
    problems = [p for p in check(site).errors if p.field == "basis"]
    assert any("没有第九百条" in p.message for p in problems)
    assert any("第二十四条第九款不存在" in p.message for p in problems)
    assert all(p.line > 1 for p in problems)
    site = handbook(tmp_path, corpus, ITEM.replace("statute: 农药管理条例", "statute: 农药经营办法", 1))
    assert any("农药经营办法" in p.message for p in check(site).errors if p.field == "basis")


def test_an_item_no_question_teaches_and_ids_nobody_catalogued_are_errors(tmp_path, corpus):
    site = handbook(tmp_path, corpus, question=QUESTION.replace("items: [v3-sx-001]", "items: [v3-sx-099]"),
                    case=CASE.replace("[v3-sx-001]", "[v3-sx-002]"))
    problems = item_problems(check(site))
    assert ("id", "事项 v3-sx-001（对未取得农药经营许可证经营农药的行政处罚）没有任何题目标注它："
                  "请在相关题目中写 items: [v3-sx-001]") in problems
    assert ("items", "事项目录中没有 v3-sx-099") in problems
    assert ("items", "事项目录中没有 v3-sx-002") in problems


@pytest.mark.parametrize("change, field, words", [
    (("kind: 行政处罚", "kind: 行政许可"), "kind", "未知职权类型"),
    (("frequency: 高", "frequency: 很高"), "frequency", "高、中 或 低"),
    (("id: v3-sx-001", "id: v3-001"), "id", "应形如 v3-sx-001"),
    (("discretion: 应当", "discretion: 必须"), "penalty", "应当 或 可以"),
    (("guide: volumes/v3-agriculture/guide/g.md#农药经营", "guide: volumes/v3-agriculture/guide/g.md#农药"),
     "guide", "没有锚点 #农药"),
    (("  - role: 处罚", "  - role: 强制"), "basis", "至少要有一条 role: 处罚"),
    (("  department: 县级农业农村主管部门\n", ""), "department", "缺少必填字段 department"),
])
def test_each_field_is_checked(tmp_path, corpus, change, field, words):
    assert change[0] in ITEM
    site = handbook(tmp_path, corpus, ITEM.replace(*change))
    problems = item_problems(check(site))
    assert any(f == field and words in m for f, m in problems), problems


def test_a_duplicate_id_names_the_first(tmp_path, corpus):
    site = handbook(tmp_path, corpus, extra_items=ITEM.replace("name: 对未取得", "name: 重复的"))
    assert any("事项编号 v3-sx-001 重复" in m for _, m in item_problems(check(site)))


def test_the_item_page_quotes_the_basis_verbatim_and_links_cases_guide_and_practice(tmp_path, corpus):
    site = handbook(tmp_path, corpus)
    (item,) = site.items
    page = generate.item_page(site, item)
    article_55 = article_text(site.corpus, item.by_role("处罚")[0])
    assert all(paragraph in page for paragraph in article_55)
    assert "[处罚依据：《农药管理条例》（2022-03-29）第五十五条](../laws/nong-yao-guan-li-tiao-li-2022-03-29.md#art-55)" in page
    assert "本省是否下放以省级公布的目录为准" in page
    assert "[案例：周某无证经营农药案](../cases/c.md)" in page
    assert "[农业执法指南 › 农药经营](../guide/g.md#农药经营)" in page
    assert "/practice/start?ids=t-001" in page
    catalogue = generate.item_catalogue(site, "items.md", None)
    assert "[对未取得农药经营许可证经营农药的行政处罚](volumes/v3-agriculture/items/v3-sx-001.md)" in catalogue
    assert "| 行政处罚 | 第三卷　农业农村 |" in catalogue and "| 1 道 |" in catalogue
    assert site.item_pages()["volumes/v3-agriculture/items/index.md"] == "第三卷　农业农村 · 赋权事项目录"


def test_a_power_the_law_gives_the_township_itself_is_not_presented_as_delegated(tmp_path, corpus):
    own = ITEM.replace("often_retained: false", "often_retained: false\n  own_power: true")
    site = handbook(tmp_path, corpus, own)
    (item,) = site.items
    page = generate.item_page(site, item)
    assert item.own_power and "乡、镇人民政府的法定职权" in page
    assert "本省是否下放" not in page and "不需要省级决定交由镇街行使" in page
    assert "zj-item-status" not in page          # no county list's "列有/未列入" for a power held by law
    site = handbook(tmp_path, corpus, ITEM.replace("often_retained: false", "often_retained: false\n  own_power: 是"))
    assert any(f == "own_power" and "true 或 false" in m for f, m in item_problems(check(site)))


def test_the_case_names_its_items_and_the_guide_and_article_link_back(tmp_path, corpus):
    site = handbook(tmp_path, corpus)
    case = generate.insert_backlinks(site, "volumes/v3-agriculture/cases/c.md", CASE.split("---\n", 2)[2])
    assert '!!! abstract "本案涉及的赋权事项"' in case
    assert "[对未取得农药经营许可证经营农药的行政处罚](../items/v3-sx-001.md)（行政处罚）" in case
    guide = generate.insert_backlinks(site, "volumes/v3-agriculture/guide/g.md", GUIDE)
    assert "[赋权事项：对未取得农药经营许可证经营农药的行政处罚](../items/v3-sx-001.md)" in guide


def test_a_practice_filter_by_item_keeps_the_questions_tagged_with_it():
    class Q:
        def __init__(self, qid, items):
            self.id, self.items, self.volume, self.step, self.anchor, self.basis = qid, items, "", "", "", []
    flt = PracticeFilter.from_query(item="v3-sx-001")
    assert [q.id for q in (Q("a", ["v3-sx-001"]), Q("b", []), Q("c", ["v3-sx-002", "v3-sx-001"])) if flt.matches(q)] \
        == ["a", "c"]
    assert flt.query() == "item=v3-sx-001"


def test_a_paragraph_keeps_its_enumerated_items():
    from quizapp.content.items import ItemBasis, clauses
    from quizapp.content.statutes import Corpus
    lines = ["农药经营者应当具备下列条件：", "（一）有具备农药和病虫害防治专业知识的人员；", "（二）有仓储场所；",
             "经营限制使用农药的，还应当配备相应的用药指导人员。"]
    assert clauses(lines) == [lines[:3], lines[3:]]
    corpus = Corpus()
    first = article_text(corpus, ItemBasis("违法行为", "农药管理条例", "2022-03-29", "24", 1))
    assert len(first) > 1 and first[1].startswith("（一）")              # 第一款 with its 项, not its first line only
