"""The printed volumes (quizapp/content/pdf.py): one PDF per volume from the
built site, with its cover, 目录 with page numbers, every case, running heads,
page references and footnotes, and its Chinese fonts embedded; the statute
full texts as an appendix when chosen. Needs WeasyPrint's Pango (Debian:
libpango-1.0-0, present with chromium) and a CJK font (fonts-noto-cjk)."""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from quizapp.content import ROOT
from quizapp.content.pdf import main as pdf_main
from quizapp.domain.procedure import VOLUMES

VERSION = "2026-12-06"


@pytest.fixture(scope="module")
def pdfs(built_site):
    assert pdf_main(["--site", str(built_site), "--version", VERSION]) == 0
    return built_site / "pdf"


def case_titles(code: str) -> list[str]:
    out = []
    for page in sorted((ROOT / "handbook" / "volumes" / code / "cases").glob("*.md")):
        if page.name != "index.md":
            out.append(next(line[2:].strip() for line in page.read_text(encoding="utf-8").splitlines()
                            if line.startswith("# ")))
    return out


def text_of(reader: PdfReader) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))


@pytest.mark.parametrize("volume", VOLUMES, ids=[v.code for v in VOLUMES])
def test_each_volume_has_its_cover_contents_and_every_case(pdfs, volume):
    reader = PdfReader(pdfs / f"{volume.code}.pdf")
    cover, contents = (re.sub(r"\s+", "", reader.pages[n].extract_text()) for n in (0, 1))
    assert re.sub(r"\s+", "", volume.title) in cover and f"版本日期：{VERSION}" in cover
    assert "目录" in contents and re.search(r"\.{5,}\d+", contents)           # leaders and page numbers
    text = text_of(reader)
    for title in case_titles(volume.code):
        assert re.sub(r"\s+", "", title) in text, title
    fonts = {str(f.get_object().get("/BaseFont")) for p in reader.pages[:3]
             for f in (p["/Resources"].get("/Font") or {}).values()}
    assert any("CJK" in f or "Hei" in f for f in fonts), fonts
    assert all(f.get_object().get("/FontDescriptor") is None or any(
        k in f.get_object()["/FontDescriptor"] for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        for p in reader.pages[:3] for f in (p["/Resources"].get("/Font") or {}).values()
        if "/FontDescriptor" in f.get_object())                              # embedded


def test_links_become_page_references_inside_the_book_and_footnotes_outside(pdfs):
    reader = PdfReader(pdfs / "v1-common.pdf")
    text = text_of(reader)
    assert re.search(r"（第\d+页）", text)                      # 见 a page of the book
    assert "网页版/volumes/v1-common/laws/xing-zheng-chu-fa-fa-2021-01-22/#art-" in text   # a statute, as a footnote
    assert len(reader.pages) > 100
    heads = [re.sub(r"\s+", "", reader.pages[n].extract_text()) for n in (20, 40, 80)]
    assert all("第一卷公共法律法规规章运用" in head for head in heads)       # the running head
    listing = (pdfs / "index.json").read_text(encoding="utf-8")
    assert '"v1-common"' in listing and '"pages"' in listing


def test_the_statutes_can_be_added_as_an_appendix(built_site, tmp_path):
    assert pdf_main(["--site", str(built_site), "--volume", "v2-natural-resources", "--statutes", "appendix"]) == 0
    text = text_of(PdfReader(built_site / "pdf" / "v2-natural-resources.pdf"))
    assert "附录法规全文" in text and "中华人民共和国土地管理法" in text and "第一条" in text
    assert pdf_main(["--site", str(built_site), "--volume", "v2-natural-resources"]) == 0


def test_the_volume_index_offers_its_pdf(built_site):
    page = (built_site / "volumes" / "v1-common" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../pdf/v1-common.pdf" download' in page or 'href="/pdf/v1-common.pdf" download' in page
