"""The statute corpus: numerals, article references, verbatim quotations."""
import pytest

from quizapp.content.statutes import (Corpus, article_anchor, article_key, article_label, cn_to_int,
                                      int_to_cn, is_quote_of)


@pytest.mark.parametrize("cn, n", [("一", 1), ("十", 10), ("十二", 12), ("三十三", 33), ("一百零一", 101),
                                   ("一百一十", 110), ("二百", 200)])
def test_chinese_numerals_round_trip(cn, n):
    assert cn_to_int(cn) == n
    assert int_to_cn(n) == cn


@pytest.mark.parametrize("ref, key", [(33, "33"), ("33", "33"), ("第三十三条", "33"), ("六十四", "64"),
                                      ("第64条", "64"), ("第三十三条之一", "33之一")])
def test_article_references_normalise(ref, key):
    assert article_key(ref) == key


def test_article_anchor_and_label():
    assert article_anchor("55") == "art-55"
    assert article_anchor("33之一") == "art-33-1"
    assert article_label("64") == "第六十四条"


def test_unreadable_article_reference_is_an_error():
    with pytest.raises(ValueError):
        article_key("第三款")


ARTICLE_42 = ["行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人，法律另有规定的除外。",
              "执法人员应当文明执法，尊重和保护当事人合法权益。"]


def test_whole_sentences_with_ellipsis_are_verbatim():
    assert is_quote_of("执法人员不得少于两人，法律另有规定的除外。", ARTICLE_42)
    assert is_quote_of("行政处罚应当由……执法人员实施。", ARTICLE_42)
    assert is_quote_of(" ".join(ARTICLE_42), ARTICLE_42)


def test_changed_words_or_half_sentences_are_not_verbatim():
    assert not is_quote_of("执法人员不得少于三人，法律另有规定的除外。", ARTICLE_42)
    assert not is_quote_of("不得少于两人", ARTICLE_42)
    assert not is_quote_of("", ARTICLE_42)


@pytest.fixture(scope="module")
def corpus():
    return Corpus()


def test_corpus_holds_every_volume_statute_with_articles(corpus):
    assert {s.short for s in corpus.statutes} >= {"行政处罚法", "行政强制法", "土地管理法", "食品安全法", "水法"}
    assert len(corpus.find("行政处罚法").articles) == 86


def test_newest_version_is_the_default_and_old_versions_stay(corpus):
    assert corpus.find("矿产资源法").version == "2024-11-08"
    assert corpus.find("中华人民共和国矿产资源法", "2009-08-27").version == "2009-08-27"


def test_unknown_statute_or_version_says_what_is_there(corpus):
    with pytest.raises(LookupError, match="不在项目法规库中"):
        corpus.find("不存在条例")
    with pytest.raises(LookupError, match="2024-11-08"):
        corpus.find("矿产资源法", "2000-01-01")


def test_check_quote_reports_the_corpus_wording(corpus):
    assert corpus.check_quote("行政处罚法", "2021-01-22", 42, ARTICLE_42[0]) == ""
    why = corpus.check_quote("行政处罚法", "2021-01-22", 42, "执法人员不得少于三人。")
    assert "不一致" in why and "不得少于两人" in why
    assert "没有第九百条" in corpus.check_quote("行政处罚法", None, 900, "x")
