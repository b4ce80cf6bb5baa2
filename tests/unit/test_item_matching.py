"""Reading a county list's 执法依据 and matching its rows to catalogue items
(quizapp/domain/item_matching.py), and the rows' 请核对 (quizapp/county_list.py's
check_and_match and ListRow.needs_check: plain functions, no server)."""
import pytest

from quizapp.content.items import catalogue
from quizapp.content.statutes import Corpus
from quizapp.county_list import LOW_CONFIDENCE, MANUAL, ListRow, check_and_match, report
from quizapp.domain.item_matching import (BY_ARTICLE, BY_NAME, BY_PART, NAME_THRESHOLD, NO_MATCH,
                                          OTHER_ARTICLES_REMARK, OTHER_ARTICLES_THRESHOLD, PART_REMARK, SHARED_REMARK, Candidate,
                                          Reference, match_row, plain_name, references, similarity)

NAMES = {"农药管理条例": "农药管理条例", "城市道路管理条例": "城市道路管理条例",
         "固体废物污染环境防治法": "固体废物污染环境防治法", "大气污染防治法": "大气污染防治法"}

PESTICIDE = Candidate("v3-sx-001", "对未取得农药经营许可证经营农药的行政处罚", "行政处罚",
                      frozenset({Reference("农药管理条例", "24"), Reference("农药管理条例", "55")}))
SEIZE = Candidate("v3-sx-002", "对违法经营的农药实施查封、扣押", "行政强制",
                  frozenset({Reference("农药管理条例", "41")}))
ROAD = Candidate("v5-sx-001", "对擅自占用城市道路的行政处罚", "行政处罚",
                 frozenset({Reference("城市道路管理条例", "27"), Reference("城市道路管理条例", "42")}))
CATALOGUE = [PESTICIDE, SEIZE, ROAD]


@pytest.mark.parametrize("written, key", [("第五十五条", "55"), ("第一百一十一条", "111"), ("第十条", "10"),
                                          ("第一百零八条", "108"), ("第42条", "42")])
def test_article_numbers_in_chinese_or_arabic_figures(written, key):
    assert references(f"《农药管理条例》{written}", NAMES).references == [Reference("农药管理条例", key)]


def test_articles_belong_to_the_title_before_them():
    read = references("《中华人民共和国农药管理条例》第二十四条第一款、第五十五条；《城市道路管理条例》第42条", NAMES)
    assert read.references == [Reference("农药管理条例", "24"), Reference("农药管理条例", "55"),
                               Reference("城市道路管理条例", "42")]
    assert read.guessed == {} and read.unknown == []


def test_a_misspelt_statute_is_guessed_and_an_unknown_one_named():
    read = references("《农药管里条例》第五十五条；《某省农资管理办法》第十条", NAMES)
    assert read.references == [Reference("农药管理条例", "55")]
    assert read.guessed == {"农药管里条例": "农药管理条例"} and read.unknown == ["某省农资管理办法"]


def test_a_provinces_own_regulation_is_not_read_as_the_national_law_it_resembles():
    read = references("《广东省固体废物污染环境防治条例》第五十二条", NAMES)
    assert read.references == [] and read.unknown == ["广东省固体废物污染环境防治条例"]


def test_a_basis_without_title_marks_is_searched_for_known_names():
    assert references("依据城市道路管理条例第四十二条", NAMES).references == [Reference("城市道路管理条例", "42")]
    assert references("", NAMES).references == []


def test_names_are_compared_without_the_catalogue_wording():
    assert plain_name("对未取得农药经营许可证经营农药的行政处罚") == "未取得农药经营许可证经营农药"
    assert plain_name("对擅自占用城市道路的处罚（含临时占用）") == "擅自占用城市道路"


def test_a_row_is_matched_by_its_articles_first_with_high_confidence():
    read = references("《农药管理条例》第五十五条", NAMES)
    m = match_row("无农药经营许可证经营农药", "", read, CATALOGUE)
    assert (m.item_id, m.method) == ("v3-sx-001", BY_ARTICLE) and 0.9 < m.confidence <= 1.0


def test_a_guessed_statute_costs_confidence():
    exact = match_row("对未取得农药经营许可证经营农药的行政处罚", "",
                      references("《农药管理条例》第五十五条", NAMES), CATALOGUE)
    guessed = match_row("对未取得农药经营许可证经营农药的行政处罚", "",
                        references("《农药管里条例》第五十五条", NAMES), CATALOGUE)
    assert exact.item_id == guessed.item_id == "v3-sx-001" and guessed.confidence == exact.confidence - 0.05


def test_the_kind_must_agree():
    read = references("《农药管理条例》第五十五条", NAMES)
    assert match_row("违法经营农药", "行政处罚", read, CATALOGUE).item_id == "v3-sx-001"
    coercion = match_row("违法经营农药", "行政强制", read, CATALOGUE)       # article 55 is a penalty's
    assert coercion.item_id != "v3-sx-001" and coercion.method != BY_ARTICLE


def test_without_a_usable_basis_the_name_decides_and_ranks_below_any_article_match():
    m = match_row("对擅自占用城市道路的行政处罚", "行政处罚", references("", NAMES), CATALOGUE)
    assert (m.item_id, m.method) == ("v5-sx-001", BY_NAME) and m.confidence <= 0.8
    assert match_row("对违反殡葬管理规定的行政处罚", "", references("", NAMES), CATALOGUE) == NO_MATCH


def test_known_articles_of_no_item_are_another_provision_not_a_name_match():
    names = {**NAMES, "城乡规划法": "城乡规划法"}
    planning = Candidate("v2-sx-001", "对城市、镇规划区内未取得建设工程规划许可证进行建设的行政处罚", "行政处罚",
                         frozenset({Reference("城乡规划法", "64")}))
    village = references("《城乡规划法》第六十五条", names)
    assert match_row("对在乡、村庄规划区内未取得乡村建设规划许可证进行建设的行政处罚", "行政处罚", village,
                     [planning]) == NO_MATCH
    local = references("《某省市容管理条例》第十条", names)                  # a local rule: the name decides
    assert match_row("对擅自占用城市道路的行政处罚", "行政处罚", local, CATALOGUE).item_id == "v5-sx-001"


# --- the name decides when the cited articles are known but are no item's (or only partly an item's) basis ------

URBAN = {**NAMES, "城市市容和环境卫生管理条例": "城市市容和环境卫生管理条例", "行政处罚法": "行政处罚法"}
WASTE = Candidate("v5-sx-001", "对随意倾倒、抛撒、堆放或者焚烧生活垃圾的行政处罚", "行政处罚",
                  frozenset({Reference("固体废物污染环境防治法", "49"), Reference("固体废物污染环境防治法", "111")}))
WALKED_ROW = "对随意倾倒、抛撒、堆放生活垃圾的行政处罚"          # as a county published it (the browser walk's row)
WALKED_BASIS = "《城市市容和环境卫生管理条例》第三十四条"


def test_a_row_citing_another_statutes_article_is_matched_by_its_nearly_same_name_and_marked_to_check():
    read = references(WALKED_BASIS, URBAN)
    assert read.references == [Reference("城市市容和环境卫生管理条例", "34")]     # known, but no item's basis
    m = match_row(WALKED_ROW, "行政处罚", read, [*CATALOGUE, WASTE])
    assert (m.item_id, m.method, m.remark) == ("v5-sx-001", BY_NAME, OTHER_ARTICLES_REMARK)
    assert m.confidence == round(similarity(WALKED_ROW, WASTE.name) * 0.8, 2) == 0.7
    assert m.confidence < LOW_CONFIDENCE                                       # shown 请核对, never as sure


POSTING = Candidate("v5-sx-013", "对在建筑物、设施以及树木上涂写、刻画或者未经批准张挂、张贴宣传品的行政处罚", "行政处罚",
                    frozenset({Reference("城市市容和环境卫生管理条例", "17"), Reference("城市市容和环境卫生管理条例", "34")}))
BALCONY = Candidate("v5-sx-014", "对临街建筑物的阳台和窗外堆放、吊挂有碍市容的物品的行政处罚", "行政处罚",
                    frozenset({Reference("城市市容和环境卫生管理条例", "10"), Reference("城市市容和环境卫生管理条例", "34")}))


def test_an_article_that_several_items_share_one_item_a_项_does_not_decide_alone_the_name_does():
    read = references(WALKED_BASIS, URBAN)                   # 第三十四条: seven 项, two of them catalogue items
    m = match_row(WALKED_ROW, "行政处罚", read, [*CATALOGUE, WASTE, POSTING, BALCONY])
    assert (m.item_id, m.method, m.remark) == ("v5-sx-001", BY_NAME, OTHER_ARTICLES_REMARK)
    posting = match_row("对未经批准张挂、张贴宣传品的行政处罚", "行政处罚", read, [WASTE, POSTING, BALCONY])
    assert (posting.item_id, posting.remark) == ("v5-sx-013", SHARED_REMARK)   # the closest of those sharing it,
    assert posting.confidence < LOW_CONFIDENCE                                  # shown 请核对
    only = match_row(WALKED_ROW, "行政处罚", read, [WASTE, POSTING])
    assert (only.item_id, only.method) == ("v5-sx-013", BY_ARTICLE)   # one item on the article: the article decides


def test_other_articles_of_the_items_statute_with_an_unlike_name_are_another_provision():
    burning = Candidate("v5-sx-019", "对在人口集中地区焚烧沥青、油毡、橡胶、塑料、皮革、垃圾等的行政处罚", "行政处罚",
                        frozenset({Reference("大气污染防治法", "119")}))
    straw = references("《中华人民共和国大气污染防治法》第七十七条、第一百一十九条", URBAN)      # 秸秆: its 第一款
    assert match_row("对在人口集中地区焚烧秸秆的行政处罚", "行政处罚", straw, [burning]) == NO_MATCH


def test_known_articles_of_no_item_need_a_nearly_same_name_not_a_merely_alike_one():
    read = references(WALKED_BASIS, URBAN)
    alike = "对随意倾倒、抛撒建筑垃圾的行政处罚"                    # another provision, its name about 0.62 alike
    assert NAME_THRESHOLD <= similarity(alike, WASTE.name) < OTHER_ARTICLES_THRESHOLD
    assert match_row(alike, "行政处罚", read, [WASTE]) == NO_MATCH
    assert match_row(alike, "行政处罚", references("", URBAN), [WASTE]).item_id == "v5-sx-001"   # no basis: the name


def test_a_row_whose_articles_are_only_partly_the_items_is_matched_with_the_name_weighing_more():
    read = references("《农药管理条例》第五十五条；《中华人民共和国行政处罚法》第五十一条", URBAN)
    full = match_row("对未取得农药经营许可证经营农药的行政处罚", "", references("《农药管理条例》第五十五条", URBAN),
                     CATALOGUE)
    part = match_row("对未取得农药经营许可证经营农药的行政处罚", "", read, CATALOGUE)
    assert (full.method, part.method, part.item_id, part.remark) == (BY_ARTICLE, BY_PART, "v3-sx-001", PART_REMARK)
    assert part.confidence == 0.9 < full.confidence                             # 0.7 + 0.2 × 1.0
    unlike = match_row("对农资经营的行政处罚", "", read, CATALOGUE)                    # the name hardly agrees: to check
    assert unlike.item_id == "v3-sx-001" and unlike.confidence < LOW_CONFIDENCE


def test_with_the_real_catalogue_the_walked_row_is_covered_and_marked_to_check():
    rows = [ListRow(3, "1", WALKED_ROW, "县城市管理和综合执法局", "行政处罚", WALKED_BASIS, "城关镇")]
    (row,) = check_and_match(rows, list(catalogue().values()), Corpus())
    assert row.item_id == "v5-sx-001" and row.method == BY_NAME and row.needs_check
    assert OTHER_ARTICLES_REMARK in row.notes
    village = ListRow(4, "2", "对在乡、村庄规划区内未依法取得乡村建设规划许可证进行建设的行政处罚", kind="行政处罚",
                      basis="《中华人民共和国城乡规划法》第六十五条")
    assert check_and_match([village], list(catalogue().values()), Corpus())[0].item_id == "v2-sx-012"   # not the town's item


def test_a_guessed_statute_is_to_check_whatever_the_confidence_and_one_definition_counts_it():
    rows = check_and_match([ListRow(3, "1", "对未取得农药经营许可证经营农药的行政处罚", kind="行政处罚",
                                    basis="《农药管理条理》第五十五条"),
                            ListRow(4, "2", "对擅自占用城市绿化用地的行政处罚", kind="行政处罚",
                                    basis="《城市绿化条例》第二十七条")], list(catalogue().values()), Corpus())
    guessed, sure = rows
    assert guessed.guessed and guessed.confidence >= LOW_CONFIDENCE and guessed.needs_check
    assert "法规名称“农药管理条理”不在法规库中，按近似的《农药管理条例》识别" in guessed.notes
    assert not any("请核对" in note for note in guessed.notes)                   # said once, by needs_check
    assert not sure.needs_check
    assert report(rows, list(catalogue().values())).to_check == [guessed]
    guessed.method = MANUAL                                                     # chosen by the supervisor
    assert not guessed.needs_check


def test_a_local_rule_is_never_read_as_a_misspelt_national_one():
    from quizapp.domain.item_matching import _statute
    names = {"城市道路管理条例": "城市道路管理条例", "农药管理条例": "农药管理条例",
             "广东省大气污染防治条例": "广东省大气污染防治条例"}
    assert _statute("某省城市管理条例", names) == (None, False)
    assert _statute("农药管理条理", names) == ("农药管理条例", True)            # a misspelling is still read
    assert _statute("广东省大气污染防治条列", names) == ("广东省大气污染防治条例", True)


def test_a_power_the_law_gives_the_township_itself_is_never_reported_as_not_delegated():
    items = list(catalogue().values())
    own = {i.id for i in items if i.own_power}
    assert {"v2-sx-013", "v2-sx-014", "v2-sx-015"} <= own
    rows = check_and_match([ListRow(3, "1", "对未取得农药经营许可证经营农药的行政处罚", kind="行政处罚",
                                    basis="《农药管理条例》第五十五条")], items, Corpus())
    rep = report(rows, items)
    assert own.isdisjoint(i.id for i in rep.not_delegated)
    assert own <= set(rep.delegated_ids) and "v3-sx-001" in rep.delegated_ids
