"""The whole handbook: its pages (written and generated), their anchors, and
the link graph with its backlinks.

Paths are relative to ``handbook/`` (MkDocs' ``docs_dir``), e.g.
``volumes/v1-common/guide/general-procedure.md``. A statute version's page is
generated at ``volumes/<home volume>/laws/<slug>.md``.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..domain.procedure import VOLUMES
from . import HANDBOOK, QUESTION_BANK
from .documents import load_documents
from .items import Item, catalogue_page_path, load_catalogue
from .pages import Page, bare_citation_pattern, heading_slug, parse_page, unique_id
from .questions import Question, load_bank
from .revisions import load_revisions
from .statutes import Corpus, Statute, article_anchor

# Folders of handbook/ that are not pages of the site (see exclude_docs in mkdocs.yml).
EXCLUDED = ("statutes/", "templates/", "items/")
# The generated 修订记录 page and the file it is made from (handbook/revisions.yaml).
REVISIONS_PAGE = "revisions.md"
REVISIONS_FILE = "revisions.yaml"
DOCUMENTS_FILE = "documents.yaml"       # 文书式样 (content/documents.py)


def statute_page_path(statute: Statute) -> str:
    return f"volumes/{VOLUMES[statute.home_volume - 1].code}/laws/{statute.slug}.md"


def is_case(path: str) -> bool:
    """A teaching case: volumes/<volume>/cases/<case>.md (not the module's index)."""
    return path.split("/")[2:3] == ["cases"] and not path.endswith("index.md")


def page_url(path_and_anchor: str) -> str:
    """The site URL of a handbook page (MkDocs directory URLs):
    'volumes/v1/guide/x.md#调查取证' -> '/volumes/v1/guide/x/#调查取证'."""
    path, _, anchor = path_and_anchor.partition("#")
    if path == "index.md" or path.endswith("/index.md"):
        url = "/" + path.removesuffix("index.md")
    else:
        url = "/" + path.removesuffix(".md") + "/"
    return url + (f"#{anchor}" if anchor else "")


@dataclass(frozen=True)
class Ref:
    """Something that points at a target: a section of a page, or a question."""
    source: str            # handbook path of the page, or the question's file
    title: str             # page title, or question id
    section: str = ""      # heading text of the section that links
    anchor: str = ""       # that section's anchor
    question: str = ""     # question id when the source is a question

    @property
    def is_question(self) -> bool:
        return bool(self.question)


@dataclass(frozen=True)
class Target:
    path: str
    anchor: str


class Site:
    def __init__(self, handbook: Path = HANDBOOK, bank: Path = QUESTION_BANK,
                 corpus: Corpus | None = None):
        self.root = handbook
        self.corpus = corpus or Corpus()
        self.bare_citation = bare_citation_pattern(self.corpus.names() + sorted(self.corpus.outside_rules))
        self.pages: dict[str, Page] = {}
        self.sources: dict[str, str] = {}           # each page's Markdown as written
        for path in sorted(handbook.rglob("*.md")):
            rel = path.relative_to(handbook).as_posix()
            if not rel.startswith(EXCLUDED):
                self.sources[rel] = path.read_text(encoding="utf-8")
                self.pages[rel] = parse_page(rel, self.sources[rel], self.bare_citation)
        self.statute_pages: dict[str, Statute] = {statute_page_path(s): s for s in self.corpus.statutes}
        self.questions, self.question_problems = load_bank(bank)
        self.items, self.item_problems = load_catalogue(handbook / "items")
        self.documents, self.document_problems = load_documents(handbook / DOCUMENTS_FILE, self.corpus)
        # 修订记录: every entry (for the check) and the valid ones (for the page)
        self.revision_entries, self.revision_problems = load_revisions(handbook / REVISIONS_FILE)
        self.revisions = [r for r in self.revision_entries if r.ok]

    def parse(self, path: str, text: str) -> Page:
        return parse_page(path, text, self.bare_citation)

    def exists(self, path: str) -> bool:
        return (path in self.pages or path in self.statute_pages or path in self.pitfall_pages()
                or path in self.item_pages() or path == REVISIONS_PAGE or (self.root / path).is_file())

    def title(self, path: str) -> str:
        """The title of a page, written or generated ('' when there is no such page)."""
        if path in self.pages:
            return self.pages[path].title
        if path in self.statute_pages:
            statute = self.statute_pages[path]
            return f"{statute.title}（{statute.version}）"
        if path in self.pitfall_pages():
            volume = self.pitfall_pages()[path]
            return f"{VOLUMES[[v.code for v in VOLUMES].index(volume)].title} · 易错点汇总" if volume else "易错点汇总"
        if path in self.item_pages():
            return self.item_pages()[path]
        return "修订记录" if path == REVISIONS_PAGE else ""

    def anchors(self, path: str) -> set[str]:
        if path in self.statute_pages:
            return statute_anchors(self.statute_pages[path])
        page = self.pages.get(path)
        return page.anchors if page else set()

    def resolve(self, source: str, href: str) -> Target | None:
        """Where a link on page ``source`` points; None for links that leave the
        handbook (http:, mailto:, absolute service paths like /practice)."""
        if not href or "://" in href or href.startswith(("mailto:", "tel:", "/", "javascript:")):
            return None
        path, _, anchor = href.partition("#")
        if not path:
            return Target(source, anchor)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if target.endswith("/") or not posixpath.splitext(target)[1]:
            target = posixpath.join(target, "index.md")
        return Target(target, anchor)

    def url_between(self, source: str, target: str, anchor: str = "") -> str:
        rel = posixpath.relpath(target, posixpath.dirname(source) or ".")
        return rel + (f"#{anchor}" if anchor else "")

    def statute_of_quote(self, statute: str, version: str | None) -> Statute | None:
        try:
            return self.corpus.find(statute, version)
        except LookupError:
            return None

    @cached_property
    def backlinks(self) -> dict[Target, list[Ref]]:
        """Target (page, anchor) -> the sections and questions that point at it.
        A quotation counts as a link to its article; a page's links to itself
        do not count."""
        refs: dict[Target, list[Ref]] = defaultdict(list)

        def add(target: Target, ref: Ref) -> None:
            if target.path != ref.source and ref not in refs[target]:
                refs[target].append(ref)

        for path, page in self.pages.items():
            for link in page.links:
                target = self.resolve(path, link.href)
                if target:
                    add(self._normalise(target), self._ref_at(page, link.line, link.section))
            for quote in page.quotes:
                statute = self.statute_of_quote(quote.statute, quote.version) if not quote.error else None
                if statute:
                    add(Target(statute_page_path(statute), article_anchor(quote.article)),
                        self._ref_at(page, quote.line, quote.section))
        # a question points at its anchor and its basis articles; an item at its guide section and its basis
        pointers = [(Ref(q.file, q.id, question=q.id), q.anchor, q.basis) for q in self.questions]
        pointers += [(Ref(i.page, f"赋权事项：{i.name}"), i.guide, i.basis) for i in self.items]
        for ref, at, basis in pointers:
            path, _, anchor = at.partition("#")
            add(self._normalise(Target(path, anchor)), ref)
            for b in basis:
                statute = self.statute_of_quote(b.statute, b.version)
                if statute:
                    add(Target(statute_page_path(statute), article_anchor(b.article)), ref)
        return dict(refs)

    def questions_for(self, path: str) -> dict[str, list[str]]:
        """Anchor ('' for the page) -> ids of the questions that teach it."""
        out: dict[str, list[str]] = {}
        for target, refs in self.backlinks.items():
            if target.path == path:
                ids = [r.question for r in refs if r.is_question and r.question not in self.exam_only]
                if ids:
                    out[target.anchor] = ids
        return out

    def _normalise(self, target: Target) -> Target:
        """A link to a page's title heading is a link to the page."""
        page = self.pages.get(target.path)
        if page and target.anchor and any(h.level == 1 and h.anchor == target.anchor for h in page.headings):
            return Target(target.path, "")
        return target

    @staticmethod
    def _ref_at(page: Page, line: int, section) -> Ref:
        """Who links from this line: the 易错点 it stands in, else its section, else the page."""
        pitfall = page.pitfall_at(line)
        if pitfall:
            return Ref(page.path, page.title, f"易错点：{pitfall.title}", pitfall.anchor)
        if section is None or section.level == 1:
            return Ref(page.path, page.title)
        return Ref(page.path, page.title, section.text, section.anchor)

    def pitfall_pages(self) -> dict[str, str]:
        """Generated 易错点 indexes: path -> volume code ('' for the whole site)."""
        volumes = {path.split("/")[1] for path, page in self.pages.items()
                   if page.pitfalls and path.startswith("volumes/")}
        out = {"pitfalls.md": ""}
        out.update({f"volumes/{v}/pitfalls.md": v for v in sorted(volumes)})
        return out

    def item_pages(self) -> dict[str, str]:
        """Generated 赋权事项目录 pages (the whole handbook's, each volume's with
        items) and each item's page: path -> title."""
        if not self.items:
            return {}
        out = {catalogue_page_path(None): "赋权事项目录"}
        for volume in sorted({i.volume for i in self.items}):
            title = VOLUMES[[v.code for v in VOLUMES].index(volume)].title
            out[catalogue_page_path(volume)] = f"{title} · 赋权事项目录"
        out.update({i.page: i.name for i in self.items})
        return out

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def exam_only(self) -> set[str]:
        """Ids of the exam-only questions (pool: exam): never linked from the handbook's 练一练."""
        return {q.id for q in self.questions if q.pool == "exam"}

    @cached_property
    def questions_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}


def statute_anchors(statute: Statute) -> set[str]:
    """The anchors of a generated statute page: chapters and articles."""
    taken: set[str] = set()
    for block in statute.blocks:
        if block.kind == "heading":
            unique_id(heading_slug(block.text), taken)
    return taken | {article_anchor(k) for k in statute.articles}
