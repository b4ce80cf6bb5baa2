"""The built handbook: statute pages, generated backlinks, Chinese search."""
import gzip
import json
import os
import re

import pytest
from urllib.parse import quote

from quizapp.content.site import page_url, statute_page_path


def html(built_site, path_and_anchor: str) -> str:
    url = page_url(path_and_anchor).split("#")[0]
    return (built_site / url.strip("/") / "index.html").read_text(encoding="utf-8")


def test_every_statute_version_has_a_page_with_anchored_articles(built_site, site):
    for statute in site.corpus.statutes:
        page = html(built_site, statute_page_path(statute))
        assert f"{statute.title}（{statute.version}）" in page
        assert all(f'id="art-{k}"' in page for k in list(statute.articles)[:3])
    penalty = html(built_site, statute_page_path(site.corpus.find("行政处罚法")))
    assert 'id="art-64"' in penalty and "第六十四条" in penalty


def test_both_versions_of_a_statute_are_kept_and_linked(built_site, site):
    old, new = site.corpus.find("矿产资源法", "2009-08-27"), site.corpus.find("矿产资源法", "2024-11-08")
    assert "2024-11-08" in html(built_site, statute_page_path(old))
    assert "2009-08-27" in html(built_site, statute_page_path(new))


def test_an_article_quoted_by_a_case_lists_the_case(built_site, site):
    case = next(p for path, p in site.pages.items() if "/cases/case-" in path)
    quote = next(q for q in case.quotes if not q.error)
    statute = site.corpus.find(quote.statute, quote.version)
    page = html(built_site, statute_page_path(statute))
    block = page.split(f'id="art-{quote.article}"', 1)[1].split('class="article"', 1)[0]
    assert "本条被以下内容引用" in block and case.title in block


def test_a_guide_step_page_lists_the_cases_and_questions_that_point_at_it(built_site, site):
    page = html(built_site, "volumes/v1-common/guide/step-02-investigation.md")
    cited_by = page.split("本页被以下内容引用", 1)[1]
    assert "案例一" in cited_by and "易错点" in cited_by
    assert re.search(r'href="/practice/start\?ids=[^"]+">练一练', cited_by)
    topic = html(built_site, "volumes/v1-common/guide/compulsory-measures.md")
    section = topic.split('id="先行登记保存"', 1)[1].split('id="两种措施的区别"', 1)[0]
    assert "本节被以下内容引用" in section and "练一练" in section
    assert "案例三" in topic.split("本页被以下内容引用", 1)[1]


def test_quotation_titles_link_to_their_article(built_site):
    page = html(built_site, "volumes/v1-common/guide/general-procedure.md")
    assert re.search(r'admonition-title"><a href="[^"]*xing-zheng-chu-fa-fa-2021-01-22/#art-\d+">《行政处罚法》', page)


def test_the_search_index_covers_every_page_in_small_shards_and_no_whole_site_index(built_site):
    assert not (built_site / "search" / "search_index.json").exists()       # Material's whole-site index
    meta = json.loads((built_site / "search" / "meta.json").read_text(encoding="utf-8"))
    shards = list((built_site / "search" / meta["root"]).rglob("*.json"))
    assert len(shards) == meta["termShards"] + -(-meta["docs"] // meta["docShard"])
    assert max(len(gzip.compress(p.read_bytes())) for p in shards) < 8_000
    rows = [row for p in (built_site / "search" / meta["root"] / "d").glob("*.json")
            for row in json.loads(p.read_text(encoding="utf-8"))]
    pages = {row[0].split("#")[0] for row in rows}
    assert len(pages) == len(meta["pageStarts"])
    assert "/volumes/v1-common/guide/compulsory-measures/" in pages and "/revisions/" not in pages
    article = next(r for r in rows if r[0] == "/volumes/v1-common/laws/xing-zheng-chu-fa-fa-2021-01-22/#art-51")
    assert article[2:4] == ["第五十一条", "第一卷 · 法律法规 · 法规全文"]


@pytest.mark.parametrize("asset", ["assets/stylesheets", "assets/javascripts"])
def test_no_asset_is_loaded_from_the_internet(built_site, asset):
    page = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in page and "cdn." not in page
    assert (built_site / asset).is_dir()


def test_a_page_with_questions_behind_it_offers_practice_on_exactly_those(built_site, site):
    page = html(built_site, "volumes/v1-common/guide/step-06-hearing.md")
    link = re.search(r'题库中有 (\d+) 道题考查本页内容：<a class="practice-link" href="/practice/start\?ids=([^"]+)">', page)
    assert link
    from urllib.parse import unquote
    ids = unquote(link.group(2)).split(",")
    expected = {q.id for q in site.questions                # practice never serves an exam-only question
                if q.anchor_path == "volumes/v1-common/guide/step-06-hearing.md" and q.pool != "exam"}
    assert set(ids) == expected and int(link.group(1)) == len(ids)


def test_no_page_of_the_built_site_has_a_link_mkdocs_could_not_resolve(built_site):
    """MkDocs turns every valid link to a .md page into a page URL; a .md left
    in an href (also in generated pages, which its validation skips) is broken."""
    broken = {}
    for page in built_site.rglob("*.html"):
        hrefs = [h for h in re.findall(r'href="([^"]+\.md(?:#[^"]*)?)"', page.read_text(encoding="utf-8"))
                 if not h.startswith("/reports/new?page_path=")]     # the report form names the source page
        if hrefs:
            broken[str(page.relative_to(built_site))] = hrefs[:3]
    assert broken == {}


def test_pitfall_indexes_group_every_pitfall_by_step_and_link_to_it(built_site, site):
    page = html(built_site, "volumes/v1-common/pitfalls.md")
    total = sum(len(p.pitfalls) for path, p in site.pages.items() if path.startswith("volumes/v1-common/"))
    assert f"共 {total} 个易错点" in page
    assert page.index('id="管辖与立案') < page.index('id="调查取证') < page.index('id="结案归档')
    case = site.pages["volumes/v1-common/cases/case-01-unpermitted-factory-building-hearing.md"]
    pit = case.pitfalls[0]
    assert f'#{pit.anchor}"' in page
    assert f'id="{pit.anchor}"' in html(built_site, case.path)
    assert "共" in html(built_site, "pitfalls.md")


def test_the_strict_build_fails_on_a_broken_link(tmp_path):
    """The build the README runs is really strict: a copy of the handbook with
    one broken anchor does not build."""
    import shutil
    import subprocess
    import sys

    from quizapp.content import ROOT
    shutil.copytree(ROOT / "handbook", tmp_path / "handbook")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "hooks", tmp_path / "hooks")
    shutil.copytree(ROOT / "overrides", tmp_path / "overrides")
    guide = tmp_path / "handbook" / "volumes" / "v1-common" / "guide" / "index.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\n[断链](general-procedure.md#没有这一节)\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                            cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode != 0
    assert "没有这一节" in result.stderr + result.stdout


def test_every_survey_topic_links_to_a_page_of_the_built_handbook(built_site):
    from quizapp.surveys import all_topics
    for topic in all_topics():
        assert (built_site / topic.url.strip("/") / "index.html").is_file(), topic


def test_the_revisions_page_lists_every_entry_newest_first_and_is_in_the_nav(built_site, site):
    from quizapp.content.site import REVISIONS_PAGE
    page = html(built_site, REVISIONS_PAGE)
    assert site.revisions, "handbook/revisions.yaml has no entries"
    text = re.sub(r"<[^>]+>", "", page)
    dates = sorted({r.date for r in site.revisions}, reverse=True)
    headings = [f"{int(d[:4])}年{int(d[5:7])}月{int(d[8:])}日" for d in dates]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    for r in site.revisions:
        assert f"{r.volume_title}：{r.summary}" in text, r.summary
        for _, path in r.pages:                    # links relative to /revisions/
            assert f'href="../{page_url(path).lstrip("/")}"' in page, path
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'href="revisions/"' in home and "修订记录" in home
    assert not (built_site / "revisions.yaml").exists()


def test_every_page_written_by_editors_links_to_the_report_form_with_its_own_path(built_site, site):
    written = [p for p in site.pages if p not in site.statute_pages and p not in site.pitfall_pages()]
    assert len(written) > 60
    for path in written:
        assert f'href="/reports/new?page_path={quote(path)}" data-report-page' in html(built_site, path), path
    assert "javascripts/report.js" in html(built_site, "index.md")


def test_each_model_document_has_its_page_table_of_required_items_and_word_file(built_site, site):
    import io
    from docx import Document as Docx

    assert len(site.documents) >= 18
    for doc in site.documents:
        page = html(built_site, doc.page)
        assert 'class="doc-model"' in page and "法定载明事项" in page
        assert f'download="{doc.name}.docx"' in page
        word = Docx(io.BytesIO((built_site / doc.docx_path).read_bytes()))
        text = "".join(p.text for p in word.paragraphs) + "".join(
            c.text for t in word.tables for row in t.rows for c in row.cells)
        for group in doc.groups:
            for req in group.items:
                assert all(w in text for w in req.words), (doc.name, req.item)
    decision = next(d for d in site.documents if d.name == "行政处罚决定书")
    page = html(built_site, decision.page)
    table = page.split("法定载明事项", 1)[1]
    assert re.search(r'<a href="[^"]*xing-zheng-chu-fa-fa-2021-01-22/#art-59">《行政处罚法》第五十九条</a>', table)
    listing = html(built_site, "volumes/v1-common/guide/documents/index.md")
    assert all(d.name in listing for d in site.documents)


def test_a_case_that_names_a_document_in_its_text_links_it_to_its_model(built_site, site):
    from quizapp.content.documents import LINKABLE

    checked = 0
    for path in (p for p in site.pages if "/cases/case-" in p):
        prose = [ln for ln in (site.root / path).read_text(encoding="utf-8").splitlines() if LINKABLE.match(ln)]
        page = html(built_site, path)
        for doc in site.documents:
            if any(n in ln for ln in prose for n in doc.names):
                checked += 1
                assert f'documents/{doc.docx.removesuffix(".docx")}/"' in page, (path, doc.name)
    assert checked >= 20
