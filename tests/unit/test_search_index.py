"""The search index (quizapp/content/search.py): what is indexed, how a page is
cut into sections, how the sections are ranked."""
from __future__ import annotations

from quizapp.content import search
from quizapp.content.search import Section, build_files, rank, sections, terms


def test_chinese_text_becomes_pairs_of_characters_and_latin_words_stay_whole():
    assert terms("先行登记保存") == ["先行", "行登", "登记", "记保", "保存"]
    assert terms("第５１条 GB 3095") == ["第", "条", "51", "gb", "3095"]
    assert terms("《行政处罚法》，听证") == ["行政", "政处", "处罚", "罚法", "听证"]


def test_the_hash_is_fnv1a_over_code_points():
    # FNV-1a 32-bit reference values ("" and "a"), as search-engine.js computes them
    assert search.fnv1a("") == 0x811C9DC5
    assert search.fnv1a("a") == 0xE40C292C


PAGE = """
<h1 id="听证">听证<a class="headerlink" href="#听证">¶</a></h1>
<p>听证是当事人的权利。</p>
<div class="admonition tip"><p class="admonition-title">练一练</p><p>题库中有 3 道题</p></div>
<h2 id="听证的范围">听证的范围<a class="headerlink" href="#听证的范围">¶</a></h2>
<p>较大数额罚款。</p>
<div class="admonition abstract"><p class="admonition-title">本节被以下内容引用</p><ul><li>案例一</li></ul></div>
<h3 id="期限">期限</h3><p>五日内提出。</p>
<p class="report-link"><a href="/reports/new">纠错/建议</a></p>
"""


def test_a_page_is_cut_at_its_headings_and_the_generated_blocks_are_left_out():
    docs = sections("/v/step-06/", "听证", "第一卷 · 工作指南", 1.0, PAGE)
    assert [(d.url, d.heading, d.text) for d in docs] == [
        ("/v/step-06/", "", "听证是当事人的权利。"),
        ("/v/step-06/#听证的范围", "听证的范围", "较大数额罚款。"),
        ("/v/step-06/#期限", "期限", "五日内提出。"),
    ]


def test_a_statute_page_is_cut_at_each_article():
    html = ('<h2 id="第一章-总则">第一章　总则</h2>'
            '<div class="article" id="art-1"><p><strong>第一条</strong>　为了规范……</p></div>'
            '<div class="admonition abstract"><p>本条被以下内容引用</p></div>'
            '<div class="article" id="art-33-1"><p><strong>第三十三条之一</strong>　当事人……</p></div>')
    docs = sections("/v/laws/x/", "行政处罚法（2021-01-22）", "第一卷 · 法律法规 · 法规全文", 0.3, html)
    assert [(d.url, d.heading) for d in docs] == [
        ("/v/laws/x/#art-1", "第一条"), ("/v/laws/x/#art-33-1", "第三十三条之一")]
    assert "本条被以下内容引用" not in "".join(d.text for d in docs)
    assert docs[0].row()[4] == "为了规范……"                  # the snippet does not repeat the heading


def _doc(url, heading, text, title="页面", weight=1.0):
    return Section(url, title, heading, "第一卷 · 工作指南", weight, text)


def test_a_section_with_every_term_ranks_above_one_that_repeats_a_part():
    docs = [_doc("/a/", "", "登记 登记 登记 登记 保存 保存"), _doc("/b/", "", "先行登记保存的条件")]
    assert rank(build_files(docs), "先行登记保存") == ["/b/"]


def test_each_page_is_listed_once_at_its_best_section():
    docs = [_doc("/a/", "", "听证。"), _doc("/a/#h", "听证程序", "听证的告知与举行。"),
            _doc("/b/", "", "其他内容，也提到听证。")]
    assert rank(build_files(docs), "听证") == ["/a/#h", "/b/"]


def test_a_heading_or_title_outranks_a_mention_and_a_statute_weighs_less():
    docs = [_doc("/mention/", "", "本案中当事人申请听证，执法人员记录在案。"),
            _doc("/law/#art-63", "第六十三条", "听证听证听证", weight=search.STATUTE_WEIGHT),
            _doc("/guide/", "", "当事人要求时组织。", title="听证")]
    assert rank(build_files(docs), "听证") == ["/guide/", "/mention/", "/law/#art-63"]


class _NoStatutes:
    statute_pages: set[str] = set()

    def pitfall_pages(self) -> set[str]:
        return set()


def test_a_teaching_case_weighs_less_than_the_guide_page_explaining_the_same_step():
    assert search.page_weight(_NoStatutes(), "volumes/v3-agriculture/cases/case-01-x.md") == search.CASE_WEIGHT < 1
    assert search.page_weight(_NoStatutes(), "volumes/v3-agriculture/cases/index.md") == search.INDEX_PAGE_WEIGHT
    assert search.page_weight(_NoStatutes(), "volumes/v3-agriculture/guide/pesticides.md") == 1.0
    docs = [_doc("/case/#听证", "听证", "本案告知了听证程序，当事人要求听证，听证程序依法举行。", weight=search.CASE_WEIGHT),
            _doc("/guide/#听证程序", "听证程序", "听证程序的告知、申请与举行。")]
    assert rank(build_files(docs), "听证程序") == ["/guide/#听证程序", "/case/#听证"]


def test_the_shards_live_in_a_folder_named_by_their_content():
    one = build_files([_doc("/a/", "", "听证")])
    two = build_files([_doc("/a/", "", "送达")])
    assert one["meta.json"]["root"] != two["meta.json"]["root"]
    assert all(name == "meta.json" or name.startswith(one["meta.json"]["root"]) for name in one)
