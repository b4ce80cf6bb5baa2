"""MkDocs hook: the handbook's generated content.

1. ``on_config``: reads the whole handbook, the statute corpus and the
   question bank once (:class:`quizapp.content.site.Site`) and adds every
   statute version's page to the 法律法规 section of its home volume in the nav.
2. ``on_files``: adds those statute pages (one per version, every article
   anchored ``#art-N``), the 易错点 indexes (site-wide and per volume) and the
   修订记录 page (``revisions.md``, from ``handbook/revisions.yaml``) and the
   赋权事项目录 (``items.md``, each volume's ``items/index.md`` and each item's
   page, from ``handbook/items/*.yaml``) and each 文书式样's Word file
   (quizapp/content/documents.py) as generated files; they are never
   written to disk.
3. ``on_page_markdown``: adds to each 文书式样 page its download link and
   table of required items, and links documents named on case and guide
   pages to their models (quizapp/content/documents.py); links each quotation title to its article and
   appends the generated "本条/本节/本页被以下内容引用" lists, 练一练 links and
   the 纠错/建议 link to the platform's report form; the pages given that link
   are listed, with their titles and sections, in ``report-pages.json`` in
   the built site, the only pages the report form accepts.
   ``on_post_page``: MkDocs Material's inline scripts are moved into files
   (quizapp/content/inline_scripts.py), so that the handbook passes the
   platform's Content-Security-Policy, which allows no inline script.
4. ``on_page_content`` cuts each page into the search index's sections
   (quizapp/content/search.py); ``on_post_build`` writes the index's shards
   and the article lookup's table to ``search/``, each volume's offline list
   and the web app manifest (quizapp/content/offline.py), then compresses every text
   file once (``.br`` and ``.gz`` beside it: quizapp/content/precompress.py).

All logic lives in ``quizapp/content``; this file only wires it to MkDocs.
"""
from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path

from mkdocs.structure.files import File

from quizapp.content import documents, generate, inline_scripts, offline, precompress, search
from quizapp.domain.procedure import VOLUMES
from quizapp.content.site import REVISIONS_PAGE, Site, page_url, statute_page_path
from quizapp.content.statutes import article_anchor

site: Site | None = None
sections: search.Collector | None = None     # the search index's sections of this build
reported: set[str] = set()            # pages given the 纠错/建议 link in this build


def on_config(config):
    global site, sections
    reported.clear()
    site = Site(handbook=Path(config["docs_dir"]))
    sections = search.Collector(site)
    homes: dict[str, list[dict[str, str]]] = {}
    for path, statute in site.statute_pages.items():
        index = path.rsplit("/", 1)[0] + "/index.md"
        homes.setdefault(index, []).append({statute.label: path})
    for path, volume in site.pitfall_pages().items():
        if volume:
            homes.setdefault(f"volumes/{volume}/index.md", []).append({"易错点汇总": path})
    for path, title in site.item_pages().items():
        volume = path.split("/")[1] if path.startswith("volumes/") else ""
        if volume and path.endswith("/items/index.md"):
            section = [path] + [i.page for i in site.items if i.volume == volume]
            homes.setdefault(f"volumes/{volume}/index.md", []).append({"赋权事项目录": section})
    for doc in site.documents:                      # in the order of documents.yaml
        homes.setdefault(doc.page.rsplit("/", 1)[0] + "/" + documents.INDEX, []).append({doc.name: doc.page})
    nav = config["nav"] or []
    if site.items and not any(isinstance(e, dict) and "赋权事项目录" in e for e in nav):
        at = next((n + 1 for n, e in enumerate(nav) if isinstance(e, dict) and "易错点汇总" in e), len(nav))
        nav.insert(at, {"赋权事项目录": "items.md"})
    _extend_sections(nav, homes)
    return config


def _extend_sections(nav: list, homes: dict[str, list[dict[str, str]]]) -> None:
    """Append generated pages to the nav section whose index page they belong
    to: statute pages to their volume's laws/index.md section, a volume's
    易错点汇总 to the volume's section."""
    for entry in nav:
        items = list(entry.values())[0] if isinstance(entry, dict) else None
        if not isinstance(items, list):
            continue
        for index, pages in homes.items():
            if index in items or any(isinstance(i, dict) and index in i.values() for i in items):
                items.extend(p for p in pages if p not in items)
        _extend_sections(items, homes)


def on_files(files, config):
    for path, statute in site.statute_pages.items():
        files.append(File.generated(config, path, content=generate.statute_page(site, statute)))
    for path, volume in site.pitfall_pages().items():
        files.append(File.generated(config, path, content=generate.pitfall_index(site, path, volume)))
    files.append(File.generated(config, REVISIONS_PAGE, content=generate.revisions_page(site)))
    for path in site.item_pages():
        if path.endswith("index.md") or path == "items.md":
            volume = path.split("/")[1] if path.startswith("volumes/") else None
            files.append(File.generated(config, path, content=generate.item_catalogue(site, path, volume)))
    for item in site.items:
        files.append(File.generated(config, item.page, content=generate.item_page(site, item)))
    for path, data in documents.docx_files(site.documents, site.sources).items():
        files.append(File.generated(config, path, content=data))
    return files


def on_page_markdown(markdown, page, config, files):
    path = page.file.src_uri
    markdown = _with_documents(path, markdown)
    if not generate.takes_reports(site, path):
        return markdown
    markdown = generate.link_quote_titles(site, path, markdown)
    reported.add(path)
    return generate.insert_backlinks(site, path, markdown) + generate.report_footer(path)


def _with_documents(path: str, markdown: str) -> str:
    """文书式样: a document page gets its download link and table of required
    items, the documents' index its list, and case and guide pages a link
    from the first mention of each document in a section to its model."""
    doc = next((d for d in site.documents if d.page == path), None)
    if doc is not None:
        def url(statute, key):
            return site.url_between(path, statute_page_path(statute), article_anchor(key))
        return documents.add_to_page(doc, markdown, documents.requirements_table(doc, site.corpus, url))
    if path.endswith("/documents/" + documents.INDEX):
        return markdown.rstrip("\n") + "\n\n" + documents.document_list(site.documents, path) + "\n"
    if path.startswith("volumes/") and path.split("/")[2:3] in (["cases"], ["guide"]):
        return documents.link_mentions(site.documents, path, markdown)
    return markdown


# pymdownx.tasklist's boxes are read-only marks of a checklist; without a name a screen
# reader announces "checkbox, dimmed" and axe reports a form field without a label.
TASK_BOX = '<input type="checkbox" disabled/>'
TASK_BOX_NAMED = '<input type="checkbox" disabled aria-label="核对项"/>'


def on_page_content(html, page, config, files):
    sections.add(page.file.src_uri, page.title, html)
    return html


def on_post_page(output, page, config):
    return _without_inline_scripts(output.replace(TASK_BOX, TASK_BOX_NAMED), config)


def on_post_template(output_content, template_name, config):
    return _without_inline_scripts(output_content, config)         # 404.html


def _without_inline_scripts(html: str, config) -> str:
    html, files = inline_scripts.externalise(html)
    for path, code in files.items():
        target = Path(config["site_dir"]) / path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code, encoding="utf-8")
    return html


def on_post_build(config):
    log = logging.getLogger("mkdocs.hooks.handbook")
    (Path(config["site_dir"]) / generate.REPORT_PAGES).write_text(
        json.dumps(generate.report_pages(site, reported), ensure_ascii=False), encoding="utf-8")
    built = Path(config["site_dir"])
    log.info(sections.write(built))
    for unused in ("lunr", "workers"):            # Material's own search, which this site does not load
        shutil.rmtree(built / "assets" / "javascripts" / unused, ignore_errors=True)
    log.info(precompress.compress_tree(built))
    statute_urls = {page_url(path) for path in site.statute_pages}
    log.info(offline.write(built, {v.code: v.title for v in VOLUMES}, statute_urls,
                           datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(), config["site_name"]))
    precompress.compress_tree(built / offline.FOLDER)        # the lists just written
