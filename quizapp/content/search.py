"""The handbook's search index: small shards fetched per query.

Design (issue 20, "search that costs a phone almost nothing"):

    mkdocs build
      hooks/handbook.py on_page_content -> Collector.add(path, url, title, html)
          each page is cut into sections (h2/h3, and each article of a statute
          page), labelled with its volume and module (第一卷 · 工作指南) and
          weighted by kind: statute full texts, the collected 易错点 pages and,
          a little, teaching cases below the pages that explain a topic; the generated backlink lists,
          练一练 banners and the report link are left out
      hooks/handbook.py on_post_build -> Collector.write(site_dir)
          search/meta.json      the figures a query needs (sizes, shard counts, where
                                each page's sections start) and the shards' folder,
                                named by a hash of their content (kept for good)
          search/<hash>/t/<n>.json  postings, sharded by a hash of the term: every
                                Chinese character pair (bigram) and Latin/digit
                                word -> [doc, score, doc gap, score, ...], the score
                                BM25's term part with the section's weight folded in
          search/<hash>/d/<n>.json  the sections themselves, DOC_SHARD to a file:
                                [url, page title, heading, 第一卷 · 工作指南, snippet]
          search/statutes.json  the article lookup: names, page, version, articles
    browser: javascripts/search.js loads javascripts/search-engine.js only when
    the reader opens the search box; a query fetches meta.json, one term shard per
    pair of characters and the section shards of the results shown: a few KB
    where a whole-site index costs megabytes. Pagefind was measured first and
    needs 68 KB of WebAssembly and a ~30 KB index chunk per word before any
    result (bench/search_bytes.py, bench/RESULTS.md).

Ranking: the sections that contain every pair of the query (or, when none
does, at least half of them), each
page once (its best section), by BM25 of the section's text plus a bonus for
each pair in its heading and in its page's title, times the page's weight. Python computes the scores
(:func:`rank`, the same arithmetic as the browser's) so that tests can hold it.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..domain.procedure import MODULES, VOLUME_BY_CODE
from .site import REVISIONS_PAGE, Site, is_case, page_url, statute_page_path
from .statutes import article_label, int_to_cn

SEARCH_DIR = "search"
LOOKUP_FILE = f"{SEARCH_DIR}/statutes.json"

STATUTE_WEIGHT = 0.3        # full texts: found, but below the guide that explains an article
COLLECTED_WEIGHT = 0.4      # 易错点汇总 pages: every pitfall again, already on its own page
NOT_INDEXED = {REVISIONS_PAGE}
INDEX_PAGE_WEIGHT = 0.5     # a volume's or a module's index: a way in, not the explanation
DOCUMENT_WEIGHT = 0.6       # a model document (文书式样): found by its name, below the guide that explains the step
CASE_WEIGHT = 0.7           # a teaching case applies a step to its facts: below the guide that explains the step,
                            # still first for its own facts (挖塘养鱼, 电鱼), which no guide repeats as often
HEADING_BONUS = 1.5         # a pair in the section's heading (BM25 of the text gives at most K1 + 1)
TITLE_BONUS = 2.0           # a pair in the page's title, for every section of the page
K1, B = 1.2, 0.5            # BM25 of the section's text; a long section is penalised half as much as usual
SCALE = 10                  # scores stored as integers: round(SCALE * weight * BM25 term part)
DOC_SHARD = 24              # sections per file of search/d/
POSTINGS_PER_SHARD = 900    # about 2.5 KB compressed per file of search/t/; two frequent pairs in one file stay under 8 KB
SNIPPET = 90                # characters of a section's text shown under its title

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN = re.compile(r"[a-z0-9]+")
# Generated on every page by the hook; not what the page teaches.
SKIPPED_CLASSES = {"headerlink", "abstract", "tip", "report-link"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def terms(text: str) -> list[str]:
    """The index's terms of a text, in order: each pair of adjacent Chinese
    characters, and each Latin or digit word (NFKC, lower case). A lone
    Chinese character between other scripts is a term of its own."""
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for run in CJK.findall(text):
        out += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
    out += LATIN.findall(text)
    return out


def fnv1a(term: str) -> int:
    """32-bit FNV-1a over the term's code points (search-engine.js computes the same)."""
    h = 0x811C9DC5
    for ch in term:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def section_label(site: Site, path: str) -> str:
    """第一卷 · 工作指南 for volumes/v1-common/guide/x.md; 全书 · 易错点汇总 and the
    like for the pages outside a volume."""
    parts = path.split("/")
    if parts[0] != "volumes" or len(parts) < 3 or parts[1] not in VOLUME_BY_CODE:
        return {"pitfalls.md": "全书 · 易错点汇总", "items.md": "全书 · 赋权事项目录"}.get(path, "全书")
    volume = f"第{int_to_cn(VOLUME_BY_CODE[parts[1]].number)}卷"
    if len(parts) == 3:
        return volume
    if path in site.statute_pages:
        return f"{volume} · 法律法规 · 法规全文"
    if path in site.pitfall_pages():
        return f"{volume} · 易错点汇总"
    if parts[2] == "items":
        return f"{volume} · 赋权事项"
    if parts[2:4] == ["guide", "documents"]:
        return f"{volume} · 工作指南 · 文书式样"
    return f"{volume} · {MODULES.get(parts[2], parts[2])}"


def page_weight(site: Site, path: str) -> float:
    if path in site.statute_pages:
        return STATUTE_WEIGHT
    if path in site.pitfall_pages():
        return COLLECTED_WEIGHT
    if path.endswith("index.md"):
        return INDEX_PAGE_WEIGHT
    if "/guide/documents/" in path:
        return DOCUMENT_WEIGHT
    if is_case(path):
        return CASE_WEIGHT
    return 1.0


@dataclass
class Section:
    url: str
    page: str              # the page's title
    heading: str           # '' for the part before the first heading
    where: str             # 第一卷 · 工作指南
    weight: float
    text: str

    def counts(self) -> dict[str, int]:
        """Each term of the text with its count; the terms of the heading and of
        the page title with 0 when the text lacks them."""
        out: dict[str, int] = {}
        for t in terms(self.text):
            out[t] = out.get(t, 0) + 1
        for t in terms(self.heading) + terms(self.page):
            out.setdefault(t, 0)
        return out

    def row(self) -> list[str]:
        snippet = re.sub(r"\s+", " ", self.text).strip()
        if self.heading and snippet.startswith(self.heading):
            snippet = snippet[len(self.heading):].strip()
        if len(snippet) > SNIPPET:
            snippet = snippet[:SNIPPET] + "…"
        return [self.url, self.page, self.heading, self.where, snippet]


class _Splitter(HTMLParser):
    """A page's content HTML -> [(anchor, heading, text)], cut at each h2/h3
    with an id and at each statute article (<div class="article" id="art-N">)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[list] = [["", "", []]]
        self.skip = 0            # depth inside a skipped element
        self.heading = None      # the tag whose text is the current heading
        self.heading_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if self.skip:
            self.skip += 1
            return
        if classes & SKIPPED_CLASSES or tag in ("script", "style") or (tag == "h1"):
            self.skip = 1
            return
        anchor = a.get("id") or ""
        if tag in ("h2", "h3") and anchor:
            self.parts.append([anchor, "", []])
            self.heading, self.heading_text = tag, []
        elif tag == "div" and "article" in classes and anchor.startswith("art-"):
            number, _, sub = anchor.removeprefix("art-").partition("-")
            key = number + (f"之{int_to_cn(int(sub))}" if sub else "")
            self.parts.append([anchor, article_label(key), []])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.skip:
            self.skip -= 1
            return
        if tag == self.heading:
            self.parts[-1][1] = "".join(self.heading_text).strip()
            self.heading = None

    def handle_data(self, data):
        if self.skip:
            return
        (self.heading_text if self.heading else self.parts[-1][2]).append(data)


def sections(url: str, title: str, where: str, weight: float, html: str) -> list[Section]:
    splitter = _Splitter()
    splitter.feed(html)
    splitter.close()
    out = []
    for anchor, heading, text in splitter.parts:
        body = re.sub(r"\s+", " ", "".join(text)).strip()
        if not body:                # a chapter heading of a statute, an empty introduction
            continue
        out.append(Section(url + (f"#{anchor}" if anchor else ""), title, heading, where, weight, body))
    return out


@dataclass
class Collector:
    """The sections of every page of one build, then the index's files."""
    site: Site
    docs: list[Section] = field(default_factory=list)

    def add(self, path: str, title: str, html: str) -> None:
        if path in NOT_INDEXED:
            return
        self.docs += sections(page_url(path), title, section_label(self.site, path),
                              page_weight(self.site, path), html)

    def files(self) -> dict[str, object]:
        """Every file of search/ by its path there, as JSON-ready data."""
        return build_files(self.docs) | {"statutes.json": lookup_table(self.site)}

    def write(self, site_dir: Path) -> str:
        root = Path(site_dir) / SEARCH_DIR
        files = self.files()
        for name, data in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        meta = files["meta.json"]
        return f"搜索索引：{meta['docs']} 节，{len(meta['pageStarts'])} 页，{meta['termShards']} 个词表分片"


def scored_postings(docs: list[Section]) -> dict[str, list[tuple[int, int]]]:
    """term -> [(doc, stored score)], docs in order. The score is the section's
    weight times BM25's term part of its text, plus HEADING_BONUS when the term
    is in its heading and TITLE_BONUS when in its page's title (fields added,
    so a title is never drowned by a long text's saturation)."""
    counts = [d.counts() for d in docs]
    lengths = [sum(c.values()) for c in counts]
    avgdl = max(1.0, (sum(lengths) / len(lengths)) if lengths else 1.0)
    postings: dict[str, list[tuple[int, int]]] = {}
    for doc, (c, dl) in enumerate(zip(counts, lengths)):
        norm = K1 * (1 - B + B * dl / avgdl)
        heading, title = set(terms(docs[doc].heading)), set(terms(docs[doc].page))
        for term, f in c.items():
            part = f * (K1 + 1) / (f + norm) + HEADING_BONUS * (term in heading) + TITLE_BONUS * (term in title)
            postings.setdefault(term, []).append((doc, max(1, round(SCALE * docs[doc].weight * part))))
    return postings


def build_files(docs: list[Section]) -> dict[str, object]:
    """meta.json and, under a folder named by a hash of their content (so a
    browser may keep them for good), the term and section shards."""
    postings = scored_postings(docs)
    total = sum(len(p) for p in postings.values())
    shards = max(1, math.ceil(total / POSTINGS_PER_SHARD))
    term_files: dict[str, dict[str, list[int]]] = {}
    for term, plist in sorted(postings.items()):
        flat, previous = [], 0
        for doc, score in plist:
            flat += [doc - previous, score]
            previous = doc
        term_files.setdefault(f"t/{fnv1a(term) % shards}.json", {})[term] = flat
    shard_files: dict[str, object] = dict(term_files)
    for start in range(0, len(docs), DOC_SHARD):
        shard_files[f"d/{start // DOC_SHARD}.json"] = [d.row() for d in docs[start:start + DOC_SHARD]]
    digest = hashlib.sha1(json.dumps(shard_files, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    page_starts = [n for n, d in enumerate(docs) if n == 0 or d.url.split("#")[0] != docs[n - 1].url.split("#")[0]]
    meta = {"root": f"{digest}/", "docs": len(docs), "termShards": shards, "docShard": DOC_SHARD,
            "scale": SCALE, "pageStarts": page_starts}
    return {"meta.json": meta} | {f"{digest}/{name}": data for name, data in shard_files.items()}


def rank(files: dict[str, object], query: str, limit: int = 10) -> list[str]:
    """The urls a query finds, best first, one per page: what search-engine.js
    shows, computed the same way (for tests and the bench)."""
    meta = files["meta.json"]
    root = meta["root"]
    wanted = list(dict.fromkeys(terms(query)))
    if not wanted:
        return []
    scores: dict[int, float] = {}
    matched: dict[int, int] = {}
    for term in wanted:
        flat = files.get(f"{root}t/{fnv1a(term) % meta['termShards']}.json", {}).get(term, [])
        df = len(flat) // 2
        idf = math.log(1 + (meta["docs"] - df + 0.5) / (df + 0.5))
        doc = 0
        for i in range(0, len(flat), 2):
            doc += flat[i]
            scores[doc] = scores.get(doc, 0.0) + idf * flat[i + 1] / meta["scale"]
            matched[doc] = matched.get(doc, 0) + 1
    best: dict[int, tuple[float, int]] = {}          # page -> (score, doc), the first doc on a tie
    floor = len(wanted) if len(wanted) in matched.values() else len(wanted) / 2
    for doc in sorted(scores):
        if matched[doc] < floor:
            continue
        score = scores[doc] * (matched[doc] / len(wanted)) ** 2
        page = bisect.bisect_right(meta["pageStarts"], doc) - 1
        if page not in best or score > best[page][0]:
            best[page] = (score, doc)
    ordered = sorted(best.values(), key=lambda x: (-x[0], x[1]))[:limit]
    return [files[f"{root}d/{doc // meta['docShard']}.json"][doc % meta["docShard"]][0] for _, doc in ordered]


def lookup_table(site: Site) -> list[dict]:
    """Every statute by its names, with its newest version's page, for
    "处罚法51条": [{"names": [...], "url": "/…/", "version": "2021-01-22",
    "last": 86, "extra": ["33之一"]}] (articles 1..last exist, and the extra ones)."""
    table = []
    for short in site.corpus.names():
        statute = site.corpus.find(short)
        plain = [int(k) for k in statute.articles if k.isdigit()]
        table.append({"names": sorted({statute.title, statute.short}, key=len, reverse=True),
                      "url": page_url(statute_page_path(statute)), "version": statute.version,
                      "last": max(plain, default=0), "extra": [k for k in statute.articles if not k.isdigit()]})
    return table
