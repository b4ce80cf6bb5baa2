"""Matching a county's published list of delegated items (赋权事项清单) to
the handbook's catalogue (content/items.py): plain functions, no database.

A published list names each item in its own words and gives its basis as
free text (执法依据: "《农药管理条例》第二十四条、第五十五条", sometimes with
中华人民共和国, Arabic numbers, a misspelt statute name or nothing at all).
:func:`references` reads the statute articles out of that text;
:func:`match_row` finds the catalogue item a row means:

1. by the articles: the catalogue items whose basis names one of the row's
   articles; among several, the one sharing most of them, then the one whose
   name is closest. When the item's basis has every article the row names:
   confidence 0.9 plus up to 0.1 for the name's similarity (BY_ARTICLE).
   When the row also names articles that are not the item's (another
   provision beside it, or a procedure law): only partly by the articles,
   so the name weighs more: 0.7 plus up to 0.2 for its similarity
   (BY_PART). Either way 0.05 less when a statute name had to be guessed
   from a misspelling. When several items rest on the same cited articles
   (one per 项 of an article that lists conduct, like 《城市市容和环境卫生
   管理条例》第三十四条) and none has nearly the row's name, the articles
   do not tell which: an item elsewhere whose name is nearly the row's wins
   (step 2's rule for known articles), else the closest-named of those
   items, below the sure threshold so that it is checked. A row that cites
   further articles of the item's own statute (BY_PART) needs a name at
   least NAME_THRESHOLD alike: an article whose 款 name several conducts
   is shared by provisions the references cannot tell apart (第一百一十九条
   cited with 第七十七条 for straw, the item being its 第二款); articles of
   another statute beside (a procedure law) do not need it.
2. else by the name alone: the closest catalogue name, confidence the
   similarity times 0.8, so a match by name never ranks above a sure one by
   article (BY_NAME). Accepted from a similarity of NAME_THRESHOLD when the
   basis names no article the corpus knows (empty, a local rule, no article
   number); from OTHER_ARTICLES_THRESHOLD when its articles are known but
   are no item's basis: a county may cite another statute for the same
   conduct (随意倾倒、抛撒、堆放生活垃圾 under 《城市市容和环境卫生管理条例》
   第三十四条 is the catalogue's item under 固体废物污染环境防治法), but a
   merely alike name is another provision (乡村规划区 under 城乡规划法
   第六十五条 is not the 第六十四条 item).

A match below the county list's sure threshold is shown 请核对 and the
supervisor may correct it on the preview (quizapp/county_list.py).

The kind (行政处罚 / 行政强制 / 行政检查) must agree when the row gives one.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..content.statutes import article_key

NAME_THRESHOLD = 0.6          # name similarity from which a row without a usable basis is matched
OTHER_ARTICLES_THRESHOLD = 0.8    # ... a row whose known articles are no item's basis: the name must be nearly the same
GUESS_PENALTY = 0.05          # confidence lost when a statute name had to be guessed
GUESS_CUTOFF = 0.75           # similarity from which a misspelt statute name (of about the same length) is read as a known one
BY_ARTICLE, BY_PART, BY_NAME = "依据", "依据和名称", "名称"
PART_REMARK = "执法依据所引条文只有部分是该事项的依据，结合事项名称对应"
OTHER_ARTICLES_REMARK = "执法依据所引条文不是手册任何事项的依据，按事项名称的相似程度对应"
SHARED_REMARK = "执法依据所引条文是手册中几个事项的共同依据，按事项名称对应"

TITLE = re.compile(r"《([^《》]{2,40})》")
ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]{1,8})条")
# A local rule names its place first (广东省…条例, 某省…, 湛江市…): never read as a misspelt national one.
PLACE = re.compile(r"^(?!城市)(.{1,8}?(?:省|自治区|市))")
NAME_NOISE = re.compile(r"^对|的?(行政处罚|行政强制|行政检查|处罚|强制措施|检查)$|[（(].*?[)）]|\s")


@dataclass(frozen=True)
class Reference:
    statute: str              # the catalogue's short name
    article: str              # article key: '55'


@dataclass
class Read:
    """What a row's 执法依据 says: the articles, and the statute names that had
    to be guessed (misspelt) or are unknown to the corpus."""
    references: list[Reference] = field(default_factory=list)
    guessed: dict[str, str] = field(default_factory=dict)      # as written -> read as
    unknown: list[str] = field(default_factory=list)


def _statute(name: str, names: dict[str, str]) -> tuple[str | None, bool]:
    """(short name, guessed) for a name as written; names: every accepted spelling -> short name."""
    name = name.strip().removeprefix("中华人民共和国")
    if name in names:
        return names[name], False
    alike = [n for n in names if abs(len(n) - len(name)) <= 1]      # a misspelling, not another (local) rule
    place = PLACE.match(name)
    if place:                                # only a rule of the same place can be what was meant
        alike = [n for n in alike if n.startswith(place.group(1))]
    close = difflib.get_close_matches(name, alike, n=1, cutoff=GUESS_CUTOFF)
    return (names[close[0]], True) if close else (None, False)


def references(text: str, names: dict[str, str]) -> Read:
    """The articles a basis text names. ``names``: spelling (short name or full
    title without 中华人民共和国) -> short name. Articles after a statute's
    title belong to it until the next title; a text without 《》 is searched
    for known names."""
    read = Read()
    text = text or ""
    spans = [(m.start(), m.end(), m.group(1)) for m in TITLE.finditer(text)]
    if not spans:
        found = sorted(((text.find(n), n) for n in names if n in text), key=lambda x: (x[0], -len(x[1])))
        taken: list[tuple[int, int]] = []
        for at, n in found:
            if not any(a <= at < b for a, b in taken):
                taken.append((at, at + len(n)))
                spans.append((at, at + len(n), n))
        spans.sort()
    for i, (_, end, written) in enumerate(spans):
        statute, guessed = _statute(written, names)
        if statute is None:
            read.unknown.append(written)
            continue
        if guessed:
            read.guessed[written] = statute
        stop = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        for m in ARTICLE.finditer(text, end, stop):
            ref = Reference(statute, article_key(m.group(1)))
            if ref not in read.references:
                read.references.append(ref)
    return read


def plain_name(name: str) -> str:
    """An item name without 对……的行政处罚 and brackets, for comparing names."""
    previous = None
    while previous != name:
        previous, name = name, NAME_NOISE.sub("", name)
    return name


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, plain_name(a), plain_name(b)).ratio()


@dataclass(frozen=True)
class Candidate:
    """A catalogue item as the matcher sees it."""
    id: str
    name: str
    kind: str
    references: frozenset[Reference]


@dataclass(frozen=True)
class Match:
    item_id: str | None
    confidence: float          # 0–1
    method: str                # BY_ARTICLE | BY_PART | BY_NAME | ''
    remark: str = ""           # why, when it is not plain: PART_REMARK, OTHER_ARTICLES_REMARK, SHARED_REMARK


NO_MATCH = Match(None, 0.0, "")


def match_row(name: str, kind: str, read: Read, candidates: list[Candidate]) -> Match:
    """The catalogue item a list row means (see the module's note), or NO_MATCH."""
    pool = [c for c in candidates if not kind or kind == c.kind]
    if not pool:
        return NO_MATCH
    wanted = set(read.references)
    penalty = GUESS_PENALTY if read.guessed else 0.0
    alike = {c: similarity(name, c.name) for c in pool}          # each name compared once
    named = max(pool, key=lambda c: alike[c])                      # the closest name in the pool
    by_article = [c for c in pool if c.references & wanted]
    if not by_article:
        if alike[named] < (OTHER_ARTICLES_THRESHOLD if wanted else NAME_THRESHOLD):
            return NO_MATCH
        return Match(named.id, round(alike[named] * 0.8, 2), BY_NAME, OTHER_ARTICLES_REMARK if wanted else "")
    best = max(by_article, key=lambda c: (len(c.references & wanted), alike[c]))
    covered = wanted <= best.references
    shared = [c for c in by_article if c.references & wanted == best.references & wanted]
    if covered and (len(shared) == 1 or alike[best] >= OTHER_ARTICLES_THRESHOLD):
        return Match(best.id, round(min(0.9 + 0.1 * alike[best] - penalty, 1.0), 2), BY_ARTICLE)
    beside = {r.statute for r in wanted - best.references}           # statutes of the articles not the item's
    if not covered and (alike[best] >= NAME_THRESHOLD or not beside & {r.statute for r in best.references}):
        return Match(best.id, round(0.7 + 0.2 * alike[best] - penalty, 2), BY_PART, PART_REMARK)
    # Several items rest on the cited articles (one per 项 of a list like 第三十四条) and none
    # bears the row's name, or the row cites other articles of the item's statute too and its name
    # is unlike the item's (第一百一十九条 cited for its 第一款, the item being its 第二款): an item
    # elsewhere with nearly the row's name wins; else, of several sharing the articles, the closest, to check.
    if alike[named] >= OTHER_ARTICLES_THRESHOLD and named is not best:
        return Match(named.id, round(alike[named] * 0.8, 2), BY_NAME, OTHER_ARTICLES_REMARK)
    if covered:
        return Match(best.id, round(min(0.6 + 0.2 * alike[best] - penalty, 0.79), 2), BY_PART, SHARED_REMARK)
    return NO_MATCH
