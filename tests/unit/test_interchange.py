"""Moodle XML and GIFT export: read back, every question and answer is there."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest

from quizapp.content.interchange import to_gift, to_moodle_xml
from quizapp.content.questions import Basis, Part, Question, load_bank
from quizapp.content.statutes import article_label
from quizapp.domain.procedure import VOLUME_BY_CODE


@pytest.fixture(scope="module")
def bank() -> list[Question]:
    questions, problems = load_bank()
    assert problems == []
    return questions


def exported(questions: list[Question]) -> list[tuple[Question, int]]:
    """(question, part number or 0) in the order the exporters write them."""
    return [(q, n) for q in questions
            for n in (range(1, len(q.parts) + 1) if q.type == "case" else [0])]


def item_of(q: Question, n: int):
    """(name, type, stem, options, answer) of a question or of a case's part."""
    if not n:
        return q.id, q.type, q.stem, q.options, q.answer
    p = q.parts[n - 1]
    return f"{q.id}（{n}）", p.type, p.stem, p.options, p.answer


def tricky() -> list[Question]:
    """Questions whose text holds every GIFT and XML special character."""
    basis = [Basis("行政处罚法", "2021-01-22", "42", "执法人员不得少于两人，法律另有规定的除外。")]
    common = dict(difficulty=1, volume="v1-common", step="调查取证",
                  anchor="volumes/v1-common/guide/step-02-investigation.md#调查取证", basis=basis)
    weird = "a{b}c=d~e#f:g\\h <i>&amp; ::x:: ####y %50%"
    return [
        Question(id="t-single", type="single", stem=f"题干 {weird}",
                 options={"A": f"甲 {weird}", "B": "乙=2", "C": "丙~3"}, answer=["A"],
                 explanation=f"解析 {weird}\n第二行", **common),
        Question(id="t-multiple", type="multiple", stem="多选{}",
                 options={"A": "一:1", "B": "二#2", "C": "三{3}", "D": "四~4"}, answer=["A", "B", "D"],
                 explanation="多选解析=", **common),
        Question(id="t-judge", type="judge", stem="判断：a=b? {x}", options={"T": "正确", "F": "错误"},
                 answer=["F"], explanation="判断解析#", **common),
        Question(id="t-case", type="case", stem="案情~{}", options={}, answer=[], explanation="整案解析:",
                 parts=[Part("1", "single", "小题一=", {"A": "x#", "B": "y", "C": "z"}, ["C"], "小题解析{}"),
                        Part("2", "judge", "小题二:", {"T": "正确", "F": "错误"}, ["T"])], **common),
    ]


# --- Moodle XML ---------------------------------------------------------------

def moodle(questions):
    root = ET.fromstring(to_moodle_xml(questions))
    assert root.tag == "quiz"
    return root


def text_of(el: ET.Element, path: str) -> str:
    """The text of an html field: tags dropped, <br> as newline, entities decoded."""
    raw = (el.findtext(f"{path}/text") or "").replace("<br>", "\n")
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def test_moodle_xml_holds_every_question_and_part_in_order(bank):
    root = moodle(bank)
    items = [q for q in root.findall("question") if q.get("type") != "category"]
    counts = {t: sum(q.type == t for q in bank) for t in ("single", "multiple", "judge")}
    assert len(items) == counts["single"] + counts["multiple"] + counts["judge"] + sum(
        len(q.parts) for q in bank if q.type == "case")
    categories = [q.findtext("category/text") for q in root.findall("question") if q.get("type") == "category"]
    assert len(categories) == len(set(categories))
    # categories name the volume by its title, never by its code (v1-common)
    assert all(re.fullmatch(r"\$course\$/镇街综合行政执法教程/第[一二三四五六七八]卷\u3000[^/]+/\S+", c) for c in categories)
    assert not [c for c in categories if re.search(r"v\d-", c)]
    names = {q.findtext("name/text") for q in items}
    assert names == {item_of(q, n)[0] for q, n in exported(bank)}


def test_moodle_xml_answers_fractions_and_feedback_match_the_bank(bank):
    root = moodle(bank)
    by_name = {q.findtext("name/text"): q for q in root.findall("question") if q.get("type") != "category"}
    current_category = {}
    category = None
    for el in root.findall("question"):
        if el.get("type") == "category":
            category = el.findtext("category/text")
        else:
            current_category[el.findtext("name/text")] = category
    for q, n in exported(bank):
        name, qtype, stem, options, answer = item_of(q, n)
        el = by_name[name]
        assert el.findtext("idnumber") == (f"{q.id}-{n}" if n else q.id)
        assert current_category[name] == f"$course$/镇街综合行政执法教程/{VOLUME_BY_CODE[q.volume].title}/{q.step}"
        text = text_of(el, "questiontext")
        assert stem in text and (not n or q.stem in text)
        answers = el.findall("answer")
        if qtype == "judge":
            assert el.get("type") == "truefalse" and el.findtext("shuffleanswers") == "0"
            right = [a.findtext("text") for a in answers if a.get("fraction") == "100"]
            assert right == (["true"] if answer == ["T"] else ["false"])
        else:
            assert el.get("type") == "multichoice"
            assert [text_of(a, ".") for a in answers] == list(options.values())
            fractions = {text_of(a, "."): float(a.get("fraction")) for a in answers}
            right = [options[k] for k in answer]
            if qtype == "single":
                assert el.findtext("single") == "true"
                assert [t for t, f in fractions.items() if f == 100] == right
                assert all(f == 0 for t, f in fractions.items() if t not in right)
            else:
                assert el.findtext("single") == "false"
                assert abs(sum(fractions[t] for t in right) - 100) <= 0.01
                assert all(fractions[t] < 0 for t in fractions if t not in right)
        feedback = text_of(el, "generalfeedback")
        assert q.explanation in feedback
        for b in q.basis:
            assert f"《{b.statute}》（{b.version}）{article_label(b.article)}：" in feedback
            for line in b.quote.splitlines():
                assert line in feedback


def test_moodle_xml_escapes_special_characters():
    qs = tricky()
    root = moodle(qs)
    el = next(q for q in root.findall("question") if q.findtext("name/text") == "t-single")
    assert text_of(el, "questiontext") == qs[0].stem
    assert [text_of(a, ".") for a in el.findall("answer")] == list(qs[0].options.values())
    assert qs[0].explanation in text_of(el, "generalfeedback")
    fractions = [a.get("fraction") for a in next(
        q for q in root.findall("question") if q.findtext("name/text") == "t-multiple").findall("answer")]
    assert fractions == ["33.33333", "33.33333", "-100", "33.33333"]


# --- GIFT ---------------------------------------------------------------------
# A small GIFT reader, enough for what the exporter writes: blocks separated
# by blank lines, // comments, $CATEGORY, ::name::, {answers}, ####feedback,
# =right / ~wrong / ~%weight%, TRUE/FALSE, and backslash escapes.

ESCAPES = {"\\": "\uE000", ":": "\uE001", "#": "\uE002", "=": "\uE003",
           "{": "\uE004", "}": "\uE005", "~": "\uE006", "n": "\uE007"}
RESTORE = {v: ("\n" if k == "n" else k) for k, v in ESCAPES.items()}


def protect(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def restore(text: str) -> str:
    return "".join(RESTORE.get(ch, ch) for ch in text)


def read_gift(text: str) -> list[dict]:
    out, category = [], None
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.splitlines() if not ln.strip().startswith("//")]
        block = protect("\n".join(lines).strip())
        if not block:
            continue
        if block.startswith("$CATEGORY:"):
            category = restore(block[len("$CATEGORY:"):].strip())
            continue
        m = re.fullmatch(r"::(.*?)::(.*?)\{(.*)\}", block, re.S)
        assert m, block
        name, stem, answers = m.groups()
        assert "{" not in answers and "}" not in answers
        answers, _, feedback = answers.rpartition("####") if "####" in answers else (answers, "", "")
        answers = answers.strip()
        q = {"category": category, "name": restore(name), "stem": restore(stem.strip()),
             "feedback": restore(feedback.strip())}
        if answers in ("TRUE", "FALSE", "T", "F"):
            q.update(type="truefalse", answer=answers.startswith("T"))
        else:
            q["type"] = "multichoice"
            q["answers"] = []
            for sign, body in re.findall(r"([=~])([^=~]*)", answers):
                weight = re.match(r"%(-?[\d.]+)%", body)
                fraction = 100.0 if sign == "=" else float(weight.group(1)) if weight else 0.0
                body = body[weight.end():] if weight else body
                q["answers"].append((restore(body.strip()), fraction))
        out.append(q)
    return out


def check_gift_item(g: dict, q: Question, n: int) -> None:
    name, qtype, stem, options, answer = item_of(q, n)
    assert g["name"] == name
    assert g["category"] == f"镇街综合行政执法教程/{VOLUME_BY_CODE[q.volume].title}/{q.step}"
    if n:
        assert g["stem"] == f"【案情】{q.stem}\n【第{n}小题】{stem}"
    else:
        assert g["stem"] == stem
    assert q.explanation in g["feedback"]
    for b in q.basis:
        assert b.quote in g["feedback"]
    if qtype == "judge":
        assert g["type"] == "truefalse" and g["answer"] == (answer == ["T"])
        return
    assert g["type"] == "multichoice"
    assert [t for t, _ in g["answers"]] == list(options.values())
    weights = dict(g["answers"])
    right = [options[k] for k in answer]
    if qtype == "single":
        assert [t for t, w in g["answers"] if w == 100] == right
        assert all(w == 0 for t, w in g["answers"] if t not in right)
    else:
        assert abs(sum(weights[t] for t in right) - 100) <= 0.01
        assert all(w == -100 for t, w in g["answers"] if t not in right)


def test_gift_round_trip_of_the_bank(bank):
    items = read_gift(to_gift(bank))
    by_name = {g["name"]: g for g in items}
    expected = exported(bank)
    assert len(items) == len(by_name) == len(expected)
    for q, n in expected:
        check_gift_item(by_name[item_of(q, n)[0]], q, n)


def test_gift_escapes_every_special_character():
    qs = tricky()
    text = to_gift(qs)
    assert "\\{" in text and "\\}" in text and "\\=" in text and "\\~" in text and "\\#" in text
    assert "\\:" in text and "\\\\h" in text and "\\n" in text
    items = read_gift(text)
    assert [g["name"] for g in items] == ["t-single", "t-multiple", "t-judge", "t-case（1）", "t-case（2）"]
    for g, (q, n) in zip(items, exported(qs)):
        check_gift_item(g, q, n)
    assert items[0]["stem"] == "题干 a{b}c=d~e#f:g\\h <i>&amp; ::x:: ####y %50%"
    assert items[1]["answers"] == [("一:1", pytest.approx(33.33333)), ("二#2", pytest.approx(33.33333)),
                                   ("三{3}", -100.0), ("四~4", pytest.approx(33.33333))]
    assert items[2]["answer"] is False and items[4]["answer"] is True
    assert "小题解析{}" in items[3]["feedback"] and "整案解析:" in items[3]["feedback"]
