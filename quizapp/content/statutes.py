"""The statute corpus inside the project: ``handbook/statutes/``.

Each statute version is one Markdown file copied from the reference corpus
(title, amendment history, ``<!-- INFO END -->``, chapters as ``#`` headings,
articles as lines starting with ``第…条``, further lines are its paragraphs).
``manifest.tsv`` names each file's statute, version date, page slug and the
volumes that use it. ``outside-rules.yaml`` lists rules that are *not* in the
corpus but may be cited by name (reported as unchecked).

Quotation matching follows the workplace's ``lawcheck.py``: an excerpt is
verbatim when, whitespace removed, it is whole sentences of the article in
order, where "……" stands for words left out.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path

import yaml

from . import STATUTES

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二两三四五六七八九十百千"
ARTICLE_LINE = re.compile(rf"^第([{CN_NUM}]+)条(之[一二三四五六七八九十]+)?\s*(.*)$")
SENTENCE_END = "。；：！？"


def cn_to_int(text: str) -> int:
    """一百零一 -> 101, 十二 -> 12, 三十三 -> 33."""
    total, digit = 0, 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + digit


def int_to_cn(n: int) -> str:
    """101 -> 一百零一, 12 -> 十二."""
    if n <= 0:
        raise ValueError(n)
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and parts:
                parts.append("零")
            parts.append(("" if (unit == "十" and d == 1 and n < 20) else digits[d]) + unit)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)


def article_key(article: object) -> str:
    """Normalise an article reference: 33, '33', '第三十三条', '三十三条之一' -> '33' / '33之一'."""
    text = str(article).strip()
    m = re.fullmatch(rf"第?([{CN_NUM}]+)条?(之[一二三四五六七八九十]+)?", text)
    if m:
        return str(cn_to_int(m.group(1))) + (m.group(2) or "")
    m = re.fullmatch(r"第?(\d+)条?(之[一二三四五六七八九十]+)?", text)
    if m:
        return str(int(m.group(1))) + (m.group(2) or "")
    raise ValueError(f"cannot read article number {article!r}")


def article_anchor(key: str) -> str:
    """'33' -> 'art-33'; '33之一' -> 'art-33-1'."""
    number, _, suffix = key.partition("之")
    return f"art-{number}" + (f"-{cn_to_int(suffix)}" if suffix else "")


def article_label(key: str) -> str:
    """'33' -> '第三十三条'; '33之一' -> '第三十三条之一'."""
    number, _, suffix = key.partition("之")
    return f"第{int_to_cn(int(number))}条" + (f"之{suffix}" if suffix else "")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_quote_of(want: str, paragraphs: list[str]) -> bool:
    """True when ``want`` (whitespace removed) is whole sentences of the
    article, in order, where "……" may stand for words left out."""
    want = squash(want)
    if not want:
        return False
    whole = "".join(squash(p) for p in paragraphs)
    starts = {0} | {i + 1 for i, ch in enumerate(whole) if ch in SENTENCE_END}
    pos = 0
    for n, piece in enumerate(want.split("……")):
        if not piece:
            continue
        at = whole.find(piece, pos)
        while n == 0 and at != -1 and "……" not in want and at not in starts:
            at = whole.find(piece, at + 1)
        if at == -1:
            return False
        pos = at + len(piece)
    return (want.endswith("……") or want[-1] in SENTENCE_END
            or pos == len(whole) or whole[pos] in SENTENCE_END)


HINT_WIDTH = 200      # characters of the corpus paragraph shown under a wrong quotation
CONTEXT = 12          # characters of common text shown before a difference
SPAN = 40             # longest differing text shown


def quote_difference(want: str, paragraphs: list[str]) -> str:
    """For an excerpt that is not verbatim: the paragraph (or run of
    paragraphs) of the article closest to it ("原文：…", about
    ``HINT_WIDTH`` characters from a little before the first difference) and
    where the two differ ("差异：…", up to ``MAX_DIFFERENCES`` places).
    Whitespace is ignored, as in :func:`is_quote_of`."""
    paras = [squash(p) for p in paragraphs] or [""]
    whole = "".join(paras)
    pieces = [p for p in squash(want).split("……") if p]
    pos, bad = 0, ""
    for piece in pieces:
        at = whole.find(piece, pos)
        if at == -1:
            bad = piece
            break
        pos = at + len(piece)
    if not bad:
        first = pieces[0] if pieces else ""
        para = next((p for p in paras if first and first in p), paras[0])
        start = para.find(first) if first else 0
        return (f"原文：{_window(para, max(start, 0))}\n"
                "差异：文字都在原文中，但引文的开头或结尾不在句末。只能引整条或整句（到“。；：！？”为止），"
                "省略的部分写“……”")
    para = _closest(bad, paras)
    first = _differences(bad, para)
    return f"原文：{_window(para, first[0][2] if first else 0)}\n差异：{_describe(bad, para)}"


def _closest(text: str, paras: list[str], longest_run: int = 8) -> str:
    """The paragraph, or run of consecutive paragraphs (an excerpt may span
    several), most like ``text``; the shorter one on a tie."""
    runs = ["".join(paras[i:j]) for i in range(len(paras))
            for j in range(i + 1, min(len(paras), i + longest_run) + 1)]
    return max(runs, key=lambda run: (SequenceMatcher(None, text, run, autojunk=False).ratio(), -len(run)))


MAX_DIFFERENCES = 3    # differences named under a wrong quotation


def _differences(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """(i1, i2, j1, j2) for each place where excerpt ``a`` and paragraph
    ``b`` differ, as spans of each, in order; text of ``b`` before or after
    the excerpt is no difference, and differences separated by fewer than
    three equal characters are one."""
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    ops = [op for op in ops if not (op[0] == "insert" and op[1] in (0, len(a)))]
    out: list[tuple[int, int, int, int]] = []
    gap = 3
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            gap = i2 - i1
            continue
        if out and gap < 3:
            out[-1] = (out[-1][0], i2, out[-1][2], j2)
        else:
            out.append((i1, i2, j1, j2))
        gap = 0
    return out


def _cut(text: str, width: int = SPAN) -> str:
    return text if len(text) <= width else text[:width] + "……"


def _describe(a: str, b: str) -> str:
    found = _differences(a, b)
    if not found:
        return "引文与原文的这一段不对应"
    said = []
    for i1, i2, j1, j2 in found[:MAX_DIFFERENCES]:
        before = a[max(0, i1 - CONTEXT):i1]
        where = f"在“{'……' if i1 > CONTEXT else ''}{before}”之后，" if before else "开头处，"
        ours, theirs = a[i1:i2], b[j1:j2]
        if ours and theirs:
            said.append(f"{where}引文为“{_cut(ours)}”，原文为“{_cut(theirs)}”")
        elif theirs:
            said.append(f"{where}引文少了原文的“{_cut(theirs)}”")
        else:
            said.append(f"{where}引文多出“{_cut(ours)}”，原文没有")
    more = f"；另有 {len(found) - MAX_DIFFERENCES} 处不同" if len(found) > MAX_DIFFERENCES else ""
    return "；".join(said) + more


def _window(para: str, at: int) -> str:
    """About HINT_WIDTH characters of ``para``, starting a little before ``at``."""
    if len(para) <= HINT_WIDTH:
        return para
    start = max(0, min(at - HINT_WIDTH // 4, len(para) - HINT_WIDTH))
    end = start + HINT_WIDTH
    return ("……" if start else "") + para[start:end] + ("……" if end < len(para) else "")


@dataclass
class Block:
    """One element of a statute's body, in order: a heading or an article."""
    kind: str            # "heading" or "article"
    text: str            # heading text, or the article key
    level: int = 0       # heading level (1 = chapter)


@dataclass
class Statute:
    file: str
    short: str           # 行政处罚法
    title: str           # 中华人民共和国行政处罚法
    version: str         # 2021-01-22
    slug: str            # page name, without .md
    volumes: tuple[int, ...]
    path: Path
    articles: dict[str, list[str]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    @property
    def home_volume(self) -> int:
        return self.volumes[0]

    @property
    def label(self) -> str:
        return f"{self.short}（{self.version}）"

    def parse(self) -> "Statute":
        head, _, body = self.path.read_text(encoding="utf-8").partition("<!-- INFO END -->")
        self.history = [ln.strip() for ln in head.splitlines()
                        if ln.strip() and not ln.startswith("#")]
        current: list[str] | None = None
        for raw in body.splitlines():
            line = raw.strip()
            if not line or line.startswith("<!--"):
                continue
            if line.startswith("#"):
                level = len(line) - len(line.lstrip("#"))
                self.blocks.append(Block("heading", line.lstrip("#").strip(), max(level - 1, 1)))
                current = None
                continue
            m = ARTICLE_LINE.match(line)
            if m:
                key = str(cn_to_int(m.group(1))) + (m.group(2) or "")
                current = self.articles.setdefault(key, [])
                self.blocks.append(Block("article", key))
                if m.group(3):
                    current.append(m.group(3))
            elif current is not None:
                current.append(line)
        return self


def plain_name(name: str) -> str:
    """《中华人民共和国行政处罚法》 -> 行政处罚法."""
    return name.strip().strip("《》").removeprefix("中华人民共和国")


class Corpus:
    """Every statute version in ``handbook/statutes``, by short name and version."""

    def __init__(self, folder: Path = STATUTES):
        self.folder = folder
        with open(folder / "manifest.tsv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        self.statutes: list[Statute] = [
            Statute(file=r["file"], short=r["short"], title=r["title"], version=r["version"],
                    slug=r["slug"], volumes=tuple(int(v) for v in r["volumes"].split(",")),
                    path=folder / r["file"]).parse()
            for r in rows
        ]
        self._by_name: dict[str, list[Statute]] = {}
        for s in self.statutes:
            self._by_name.setdefault(s.short, []).append(s)
        for versions in self._by_name.values():
            versions.sort(key=lambda s: s.version, reverse=True)

    @cached_property
    def newer(self) -> dict:
        """Statutes whose newer version is in force but not here (content/currency.py)."""
        from .currency import load_newer
        return load_newer(self.folder)

    @cached_property
    def outside_rules(self) -> set[str]:
        """Rules not in the corpus that may be cited by name, unchecked."""
        data = yaml.safe_load((self.folder / "outside-rules.yaml").read_text(encoding="utf-8"))
        return {plain_name(r["name"]) for r in data["rules"]}

    def names(self) -> list[str]:
        return list(self._by_name)

    def versions(self, name: str) -> list[Statute]:
        """All versions of a statute, newest first; [] if not in the corpus."""
        return self._by_name.get(plain_name(name), [])

    def find(self, name: str, version: str | None = None) -> Statute:
        """The named version, or the newest when ``version`` is None.
        Raises LookupError with a one-line reason."""
        versions = self.versions(name)
        if not versions:
            raise LookupError(f"《{plain_name(name)}》不在项目法规库中")
        if version is None:
            return versions[0]
        for s in versions:
            if s.version == str(version):
                return s
        have = "、".join(s.version for s in versions)
        raise LookupError(f"《{plain_name(name)}》没有 {version} 版本（法规库中有：{have}）")

    def check_quote(self, name: str, version: str | None, article: object, text: str) -> str:
        """'' when the excerpt is verbatim, else a reason in Chinese (with the
        article's whole text when the words differ)."""
        reason, _ = self.quote_mismatch(name, version, article, text)
        if reason.endswith("原文不一致"):
            paragraphs = self.find(name, version).articles[article_key(article)]
            return reason + "；原文为：" + " / ".join(paragraphs)
        return reason

    def quote_mismatch(self, name: str, version: str | None, article: object, text: str) -> tuple[str, str]:
        """('', '') when the excerpt is verbatim; else (reason, hint): the
        reason in one line, and for words that differ a hint of two lines --
        the corpus paragraph closest to the excerpt (about 200 characters
        around the difference) and where the two differ (see
        :func:`quote_difference`)."""
        try:
            statute = self.find(name, version)
            key = article_key(article)
        except (LookupError, ValueError) as e:
            return str(e), ""
        paragraphs = statute.articles.get(key)
        if paragraphs is None:
            return f"{statute.label}没有{article_label(key)}", ""
        if is_quote_of(text, paragraphs):
            return "", ""
        return f"引文与{statute.label}{article_label(key)}原文不一致", quote_difference(text, paragraphs)
