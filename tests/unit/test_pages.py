"""Reading a handbook page: anchors, links, quotations, 易错点, citations."""
from quizapp.content.pages import find_citations, parse_page

PAGE = """\
# 案例一：某镇违法建设案

## 管辖与立案

见[调查取证](../guide/general-procedure.md#调查取证)和《行政处罚法》第六十三条、第六十四条。

!!! danger "易错点：调查时执法人员只有一人"
    **环节**：[调查取证](../guide/general-procedure.md#调查取证)

    **错误表现**：一人上门。

    **后果**：证据不合法。

    **正确做法**：两人以上。

    **依据**：

    !!! quote "《行政处罚法》（2021-01-22）第四十二条"
        执法人员不得少于两人，法律另有规定的除外。

## 管辖与立案

文字 { #custom-id }

```
[不是链接](nowhere.md) 《行政处罚法》第九百条
```
"""


def page():
    return parse_page("volumes/v1-common/cases/c.md", PAGE)


def test_headings_get_the_anchors_mkdocs_gives_them():
    anchors = [h.anchor for h in page().headings]
    assert anchors == ["案例一某镇违法建设案", "管辖与立案", "管辖与立案_1"]
    assert "custom-id" in page().anchors


def test_links_inside_admonitions_are_found_with_their_lines_and_code_is_skipped():
    links = page().links
    assert [(link.line, link.href) for link in links] == [
        (5, "../guide/general-procedure.md#调查取证"), (8, "../guide/general-procedure.md#调查取证")]
    assert links[0].section.text == "管辖与立案"


def test_quotation_titles_are_read():
    (quote,) = page().quotes
    assert (quote.statute, quote.version, quote.article, quote.line) == ("行政处罚法", "2021-01-22", "42", 18)
    assert quote.body == "执法人员不得少于两人，法律另有规定的除外。"


def test_pitfall_fields_and_nested_quote_are_read():
    (pit,) = page().pitfalls
    assert pit.title == "调查时执法人员只有一人"
    assert pit.order == ["环节", "错误表现", "后果", "正确做法", "依据"]
    assert pit.fields["后果"] == (12, "证据不合法。")
    assert len(pit.quotes) == 1


def test_citations_in_prose_with_lists_of_articles():
    cites = [(c.statute, c.articles) for c in page().citations]
    assert ("行政处罚法", ["63", "64"]) in cites
    assert all("900" not in c[1] for c in cites)


def test_bad_quote_title_is_reported():
    bad = parse_page("x.md", '!!! quote "行政处罚法第四十二条"\n    执法人员不得少于两人。\n')
    assert "《法规简称》（版本日期）第N条" in bad.quotes[0].error


def test_bare_citations_need_the_known_names():
    from quizapp.content.pages import bare_citation_pattern
    pattern = bare_citation_pattern(["行政处罚法", "土地管理法", "土地管理法实施条例"])
    found = find_citations("依照行政处罚法第64条和土地管理法实施条例第五十条", 7, pattern)
    assert [(c.statute, c.articles, c.line) for c in found] == [
        ("行政处罚法", ["64"], 7), ("土地管理法实施条例", ["50"], 7)]
