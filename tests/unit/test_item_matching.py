"""Reading a county list's 执法依据 and matching its rows to catalogue items
(quizapp/domain/item_matching.py)."""
import pytest

from quizapp.domain.item_matching import (BY_ARTICLE, BY_NAME, NO_MATCH, Candidate, Reference, match_row,
                                          plain_name, references)

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
