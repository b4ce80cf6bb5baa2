"""The printed volumes: one PDF per volume, from the same pages as the site.

    python -m quizapp.content pdf [--volume v1-common] [--statutes omit|appendix] [--site site]
    (``python3 manage.py build`` and ``run`` make every volume's PDF after the site)

    built site ──> volume_pages(): the volume's pages in the order of the site's
                   navigation (read from the volume index page's menu), statute
                   full texts kept apart
               ──> chapter(): each page's <article>, without what only a screen
                   needs (¶ anchors, 纠错 links, 练一练 banners, the offline box),
                   its ids prefixed with the chapter's (``c7-听证``), every link
                   to a page in the book made a page reference (见第 N 页) and
                   every other link a footnote with its web address
               ──> book_html(): cover (volume, title, version date), 目录 with
                   page numbers, the chapters, the statute appendix when chosen
               ──> WeasyPrint (print.css: A5-like pages, running heads with the
                   volume and the chapter, page numbers, embedded Chinese fonts)
               ──> site/pdf/<volume>.pdf, offered on the volume's index page, and
                   site/pdf/index.json (pages and bytes of each, shown beside the link)

WeasyPrint and the fonts (Noto CJK, or WenQuanYi Micro Hei) are needed only
here; the site builds without them.
"""
from __future__ import annotations

import html as htmlmod
import json
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

from ..domain.procedure import VOLUME_BY_CODE

FOLDER = "pdf"
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"[^>]*>(.*?)</article>', re.S)
STATUTE_PAGE = re.compile(r"/laws/[a-z0-9-]+-\d{4}-\d{2}-\d{2}/$")
SCREEN_ONLY = [
    re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S),
    re.compile(r'<p class="report-link">.*?</p>', re.S),
    re.compile(r'<section class="offline-volume".*?</section>', re.S),
    re.compile(r'<div class="admonition tip">\s*<p class="admonition-title">练一练</p>.*?</div>', re.S),
    re.compile(r'<li>题库中有 \d+ 道题考查此处：.*?</li>', re.S),
    re.compile(r'<script\b.*?</script>', re.S),
]
HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)
ID = re.compile(r'\bid="([^"]+)"')
PRINT_CSS = Path(__file__).with_name("print.css")


@dataclass
class Chapter:
    url: str
    key: str          # c3: the prefix of its ids
    title: str
    body: str = ""


class _NavLinks(HTMLParser):
    """The links of Material's primary navigation, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and "md-nav--primary" in (a.get("class") or ""):
            self.depth = 1
        elif self.depth and tag == "nav":
            self.depth += 1
        elif self.depth and tag == "a" and "md-nav__link" in (a.get("class") or "") and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if self.depth and tag == "nav":
            self.depth -= 1


def page_file(site: Path, url: str) -> Path:
    return site / url.lstrip("/") / "index.html"


def volume_pages(site: Path, volume: str) -> tuple[list[str], list[str]]:
    """(pages, statute pages) of the volume, as site URLs in navigation order."""
    index_url = f"/volumes/{volume}/"
    parser = _NavLinks()
    parser.feed(page_file(site, index_url).read_text(encoding="utf-8"))
    ordered: list[str] = []
    for href in parser.links:
        url = unquote(urljoin(index_url, href)).split("#")[0]
        if url.startswith(index_url) and url not in ordered and page_file(site, url).is_file():
            ordered.append(url)
    pages = [u for u in ordered if not STATUTE_PAGE.search(u)]
    statutes = [u for u in ordered if STATUTE_PAGE.search(u)]
    return pages, statutes


def _title(body: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""


def chapter(site: Path, url: str, key: str) -> Chapter:
    text = page_file(site, url).read_text(encoding="utf-8")
    m = ARTICLE.search(text)
    body = m.group(1) if m else ""
    for pattern in SCREEN_ONLY:
        body = pattern.sub("", body)
    body = ID.sub(lambda m: f'id="{key}-{m.group(1)}"', body)
    return Chapter(url, key, _title(body), body)


def link(chapters: dict[str, Chapter], here: str, href: str, text: str) -> str:
    """A link of a chapter as printed: inside the book, a reference to its page;
    elsewhere, the text with a footnote that gives the web address."""
    if href.startswith(("mailto:", "javascript:")):
        return text
    target = unquote(urljoin(here, href))
    path, _, anchor = target.partition("#")
    if path in chapters and not href.startswith(("http:", "https:")):
        key = chapters[path].key
        ref = f"#{key}-{anchor}" if anchor else f"#{key}"
        return f'<a class="ref" href="{htmlmod.escape(ref)}">{text}</a>'
    address = target if href.startswith(("http:", "https:")) else f"网页版 {target}"
    return f'{text}<span class="footnote">{htmlmod.escape(address)}</span>'


def book_html(volume: str, version: str, chapters: list[Chapter], appendix: list[Chapter]) -> str:
    by_url = {c.url: c for c in chapters + appendix}
    title = VOLUME_BY_CODE[volume].title
    parts = [f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head><body>',
             f'<section class="cover"><p class="series">镇街综合行政执法教程</p><h1 class="cover-title">{title}</h1>'
             f'<p class="edition">交互版 · 印刷本</p><p class="version">版本日期：{version}</p></section>',
             '<nav class="toc"><h1 class="toc-title">目　录</h1><ol>']
    for c in chapters:
        level = "toc-part" if c.url.count("/") <= 4 else "toc-sub"       # /volumes/v1/ and /volumes/v1/guide/
        parts.append(f'<li class="{level}"><a href="#{c.key}">{htmlmod.escape(c.title)}</a></li>')
    if appendix:
        parts.append('<li class="toc-part"><a href="#appendix">附录　法规全文</a></li>')
        parts += [f'<li class="toc-sub toc-statute"><a href="#{c.key}">{htmlmod.escape(c.title)}</a></li>' for c in appendix]
    parts.append("</ol></nav>")
    for c in chapters + appendix:
        if appendix and c is appendix[0]:
            parts.append('<section class="part" id="appendix"><h1 class="part-title">附录　法规全文</h1></section>')
        body = HREF.sub(lambda m: link(by_url, c.url, m.group(1), m.group(2)), c.body)
        parts.append(f'<section class="chapter" id="{c.key}">{body}</section>')
    parts.append("</body></html>")
    return "\n".join(parts)


def build_volume(site: Path, volume: str, version: str, statutes: str = "omit") -> tuple[Path, int, float]:
    """Writes site/pdf/<volume>.pdf; returns (file, pages, seconds)."""
    from weasyprint import CSS, HTML               # imported here: the site builds without it

    start = time.monotonic()
    pages, statute_pages = volume_pages(site, volume)
    chapters = [chapter(site, url, f"c{n}") for n, url in enumerate(pages, 1)]
    appendix = ([chapter(site, url, f"s{n}") for n, url in enumerate(statute_pages, 1)]
                if statutes == "appendix" else [])
    title = VOLUME_BY_CODE[volume].title
    css = PRINT_CSS.read_text(encoding="utf-8").replace("{{volume}}", title.replace("　", " "))
    document = HTML(string=book_html(volume, version, chapters, appendix), base_url=str(site)).render(
        stylesheets=[CSS(string=css)])
    target = site / FOLDER / f"{volume}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(target, pdf_variant=None)
    return target, len(document.pages), time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    import argparse
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ..domain.procedure import VOLUMES
    from . import ROOT

    parser = argparse.ArgumentParser(prog="python -m quizapp.content pdf",
                                     description="由已构建的手册生成各卷印刷本 PDF，写入 site/pdf/<卷>.pdf")
    parser.add_argument("--site", default=str(ROOT / "site"), help="已构建的手册目录（默认 site/）")
    parser.add_argument("--volume", action="append", choices=[v.code for v in VOLUMES],
                        help="只生成这一卷（可重复；默认全部八卷）")
    parser.add_argument("--statutes", choices=["omit", "appendix"], default="omit",
                        help="法规全文：omit 不收（引文处以脚注给出网页地址，默认），appendix 作为附录")
    parser.add_argument("--version", default=datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(),
                        help="封面上的版本日期（默认今天）")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").is_file():
        print(f"错误：{site} 中没有已构建的手册，请先运行 python3 manage.py build")
        return 2
    listing = site / FOLDER / "index.json"
    built = json.loads(listing.read_text(encoding="utf-8")) if listing.is_file() else {}
    for code in args.volume or [v.code for v in VOLUMES]:
        target, pages, seconds = build_volume(site, code, args.version, args.statutes)
        built[code] = {"pages": pages, "bytes": target.stat().st_size, "version": args.version,
                       "statutes": args.statutes}
        print(f"{VOLUME_BY_CODE[code].title}：{target.relative_to(site)}，{pages} 页，"
              f"{target.stat().st_size / 1e6:.2f} MB，用时 {seconds:.1f} 秒", flush=True)
    listing.write_text(json.dumps(built, ensure_ascii=False), encoding="utf-8")
    return 0
