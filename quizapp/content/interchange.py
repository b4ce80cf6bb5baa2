"""Export the question bank to Moodle XML and GIFT, for use in other LMSs.

    to_moodle_xml(questions) -> bytes      # <quiz> file, UTF-8
    to_gift(questions) -> str              # GIFT text

Questions are grouped into one category per volume and step:
``镇街综合行政执法教程/<volume title>/<step>``, e.g. ``…/第一卷　公共法律法规规章运用/调查取证``
(``$course$/…`` in Moodle XML).

Mapping
-------
- single   -> multichoice, one answer at fraction 100, the others 0.
- multiple -> multichoice with several answers: each right option gets 100/n
  (n right options; 50, 33.33333, 25, 20, 16.66667 are Moodle grade values),
  each wrong option -100. Moodle adds the fractions of the ticked options and
  floors at 0, so a subset of the right options scores in proportion and any
  wrong tick scores 0 -- the platform's own "partial" rule
  (``domain.exams.score_choice``); ticking every option scores 0.
- judge    -> truefalse.
- case     -> Moodle has no multi-part choice question, so each part becomes
  its own question named ``<id>（<n>）`` (idnumber ``<id>-<n>``) whose text
  is the case stem followed by the part's stem; the case's points
  (``DEFAULT_POINTS``) are shared equally by its parts, as in our exams.

General feedback is the explanation, every basis entry as
"《法规》（版本）第N条：引文" and the handbook page as a site path (pass
``base_url`` for an absolute link). Options are not shuffled in Moodle XML
(``shuffleanswers`` 0, numbering ABCD) because explanations name options by
letter; GIFT cannot say so, switch shuffling off after a GIFT import.
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from ..domain.exams import DEFAULT_POINTS
from ..domain.procedure import ALL_STEPS, VOLUME_BY_CODE
from .questions import Basis, Question
from .site import page_url
from .statutes import article_label

COURSE = "镇街综合行政执法教程"
WRONG_FRACTION = -100.0          # per wrong option of a multiple-answer question


def _percent(value: float) -> str:
    """50.0 -> '50', 100/3 -> '33.33333', -25.0 -> '-25'."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fractions(qtype: str, options: dict[str, str], answer: list[str]) -> dict[str, float]:
    if qtype == "single":
        return {k: (100.0 if k in answer else 0.0) for k in options}
    right = 100.0 / len(answer)
    return {k: (right if k in answer else WRONG_FRACTION) for k in options}


def basis_line(b: Basis) -> str:
    """'《行政处罚法》（2021-01-22）第三十三条：……'"""
    return f"《{b.statute}》（{b.version}）{article_label(b.article)}：{b.quote}"


class _Item:
    """One exported question (a whole question, or one part of a case)."""

    def __init__(self, q: Question, part_index: int = 0):
        self.question = q
        if not part_index:
            self.name = self.idnumber = q.id
            self.type, self.stem, self.case_stem = q.type, q.stem, ""
            self.options, self.answer = q.options, q.answer
            self.points = DEFAULT_POINTS.get(q.type, 1.0)
            self.explanations = [q.explanation]
            self.part_index = 0
        else:
            part = q.parts[part_index - 1]
            self.name, self.idnumber = f"{q.id}（{part_index}）", f"{q.id}-{part_index}"
            self.type, self.stem, self.case_stem = part.type, part.stem, q.stem
            self.options, self.answer = part.options, part.answer
            self.points = DEFAULT_POINTS["case"] / len(q.parts)
            self.explanations = [part.explanation, f"整案解析：{q.explanation}"]
            self.part_index = part_index


def _items(questions: Iterable[Question]) -> Iterator[_Item]:
    for q in questions:
        if q.type == "case":
            for n in range(1, len(q.parts) + 1):
                yield _Item(q, n)
        else:
            yield _Item(q)


def _grouped(questions: Iterable[Question]) -> list[tuple[str, list[Question]]]:
    """(category path below the course, questions), by volume then step order."""
    groups: dict[tuple[str, str], list[Question]] = {}
    for q in questions:
        groups.setdefault((q.volume, q.step), []).append(q)

    def order(key: tuple[str, str]) -> tuple:
        volume, step = key
        vol = VOLUME_BY_CODE.get(volume)
        return (vol.number if vol else 99, volume,
                ALL_STEPS.index(step) if step in ALL_STEPS else len(ALL_STEPS), step)

    return [(f"{COURSE}/{category_name(v)}/{s}", groups[(v, s)]) for v, s in sorted(groups, key=order)]


def category_name(volume: str) -> str:
    """A volume as a category: its title (第一卷　公共法律法规规章运用), never the code; a '/' (Moodle's
    category separator) would split it, so none is left in."""
    vol = VOLUME_BY_CODE.get(volume)
    return (vol.title if vol else volume).replace("/", "／")


# --- Moodle XML ---------------------------------------------------------------

def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text
    return el


def _feedback_html(item: _Item, base_url: str) -> str:
    q = item.question
    out = [f"<p>{_html(t)}</p>" for t in item.explanations if t]
    if q.basis:
        out.append("<p>依据：</p><ul>" + "".join(f"<li>{_html(basis_line(b))}</li>" for b in q.basis) + "</ul>")
    if q.anchor:
        url = base_url.rstrip("/") + page_url(q.anchor)
        out.append(f'<p>手册：<a href="{html.escape(url)}">{html.escape(url)}</a></p>')
    return "".join(out)


def _question_html(item: _Item) -> str:
    if not item.case_stem:
        return f"<p>{_html(item.stem)}</p>"
    return (f"<p><strong>案情</strong></p><p>{_html(item.case_stem)}</p>"
            f"<p><strong>第{item.part_index}小题</strong></p><p>{_html(item.stem)}</p>")


def _moodle_question(quiz: ET.Element, item: _Item, base_url: str) -> None:
    qtype = "truefalse" if item.type == "judge" else "multichoice"
    el = ET.SubElement(quiz, "question", {"type": qtype})
    _text(el, "name", item.name, None)
    _text(el, "questiontext", _question_html(item))
    _text(el, "generalfeedback", _feedback_html(item, base_url))
    ET.SubElement(el, "defaultgrade").text = f"{item.points:.7g}"
    ET.SubElement(el, "penalty").text = "0"
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = item.idnumber
    if qtype == "truefalse":
        ET.SubElement(el, "shuffleanswers").text = "0"
        right = item.answer == ["T"]
        for value, fraction in (("true", right), ("false", not right)):
            ans = _text(el, "answer", value, "moodle_auto_format")
            ans.set("fraction", "100" if fraction else "0")
            _text(ans, "feedback", "")
        return
    ET.SubElement(el, "single").text = "true" if item.type == "single" else "false"
    ET.SubElement(el, "shuffleanswers").text = "0"
    ET.SubElement(el, "answernumbering").text = "ABCD"
    ET.SubElement(el, "showstandardinstruction").text = "0"
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(el, tag, "")
    ET.SubElement(el, "shownumcorrect")
    for key, fraction in _fractions(item.type, item.options, item.answer).items():
        ans = _text(el, "answer", _html(item.options[key]))
        ans.set("fraction", _percent(fraction))
        _text(ans, "feedback", "")


def to_moodle_xml(questions: list[Question], base_url: str = "") -> bytes:
    """A Moodle XML quiz file: one category per volume and step, then its questions."""
    quiz = ET.Element("quiz")
    for category, group in _grouped(questions):
        cat = ET.SubElement(quiz, "question", {"type": "category"})
        _text(cat, "category", f"$course$/{category}", None)
        for item in _items(group):
            _moodle_question(quiz, item, base_url)
    ET.indent(quiz)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode").encode() + b"\n"


# --- GIFT ---------------------------------------------------------------------

GIFT_SPECIAL = "~=#{}:"


def gift_escape(text: str) -> str:
    """Backslash-escape GIFT's special characters (and backslash); newlines become \\n."""
    out = text.replace("\r", "").replace("\\", "\\\\")
    for ch in GIFT_SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _feedback_plain(item: _Item, base_url: str) -> str:
    q = item.question
    lines = [t for t in item.explanations if t]
    lines += [f"依据：{basis_line(b)}" for b in q.basis]
    if q.anchor:
        lines.append(f"手册：{base_url.rstrip('/')}{page_url(q.anchor)}")
    return "\n".join(lines)


def _gift_question(item: _Item, base_url: str) -> str:
    text = item.stem if not item.case_stem else f"【案情】{item.case_stem}\n【第{item.part_index}小题】{item.stem}"
    head = f"::{gift_escape(item.name)}::{gift_escape(text)}"
    feedback = f"####{gift_escape(_feedback_plain(item, base_url))}"
    if item.type == "judge":
        return f"{head}{{{'TRUE' if item.answer == ['T'] else 'FALSE'}{feedback}}}"
    lines = []
    for key, fraction in _fractions(item.type, item.options, item.answer).items():
        option = gift_escape(item.options[key])
        if item.type == "single":
            lines.append(("=" if fraction else "~") + option)
        else:
            lines.append(f"~%{_percent(fraction)}%{option}")
    return head + "{\n" + "\n".join(lines) + "\n" + feedback + "\n}"


def to_gift(questions: list[Question], base_url: str = "") -> str:
    """GIFT text: a $CATEGORY line per volume and step, then its questions,
    separated by blank lines."""
    blocks = [f"// {COURSE} 题库导出（GIFT）"]
    for category, group in _grouped(questions):
        blocks.append(f"$CATEGORY: {category}")
        blocks += [_gift_question(item, base_url) for item in _items(group)]
    return "\n\n".join(blocks) + "\n"
