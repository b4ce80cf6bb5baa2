"""The question bank browser's rules (quizapp/domain/bank_search.py): filters, search text, pages, pooling."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from quizapp.domain import bank_search
from quizapp.domain.bank_search import Filters
from quizapp.domain.errors import DomainError
from quizapp.domain.statistics import ItemStats


@dataclass
class Q:
    id: str
    type: str = "single"
    difficulty: int = 2
    volume: str = "v1-common"
    step: str = "听证"
    stem: str = "听证应当在举行听证的七日前通知当事人"
    options: dict = field(default_factory=lambda: {"A": "三日", "B": "七日"})
    explanation: str = "依照行政处罚法第六十四条"
    basis: list = field(default_factory=lambda: [{"statute": "行政处罚法"}])
    parts: list = field(default_factory=list)
    pool: str = "practice"
    suspended: bool = False


BANK = [
    Q("q3", type="multiple", step="送达", stem="送达回证", options={"A": "留置送达", "B": "邮寄送达"},
      basis=[{"statute": "民事诉讼法"}]),
    Q("q1"),
    Q("q2", difficulty=4, pool="exam", suspended=True, explanation="Case Insensitive 说明"),
    Q("q4", type="case", stem="案例", options={}, explanation="",
      parts=[{"id": "1", "stem": "先行登记保存的期限", "options": {"A": "七日"}, "explanation": "第五十六条"}]),
]


def ids(f: Filters) -> list[str]:
    return [q.id for q in bank_search.select(BANK, f)]


def test_no_filter_lists_the_whole_bank_in_id_order():
    assert ids(Filters()) == ["q1", "q2", "q3", "q4"]


def test_each_filter_narrows_by_its_own_field():
    assert ids(Filters(step="送达")) == ["q3"]
    assert ids(Filters(type="case")) == ["q4"]
    assert ids(Filters(difficulty=4)) == ["q2"]
    assert ids(Filters(statute="民事诉讼法")) == ["q3"]
    assert ids(Filters(pool="exam")) == ["q2"]
    assert ids(Filters(status="suspended")) == ["q2"]
    assert ids(Filters(status="active")) == ["q1", "q3", "q4"]
    assert ids(Filters(volume="v2-natural-resources")) == []


def test_the_search_text_looks_in_stem_options_explanation_and_case_parts_every_word_must_occur():
    assert ids(Filters(q="留置送达")) == ["q3"]                   # an option
    assert ids(Filters(q="六十四条")) == ["q1", "q3"]              # the explanation
    assert ids(Filters(q="case insensitive")) == ["q2"]
    assert ids(Filters(q="先行登记保存 第五十六条")) == ["q4"]      # a case's part stem and its explanation
    assert ids(Filters(q="听证 送达回证")) == []


def test_filters_combine():
    assert ids(Filters(q="七日", type="single", status="active")) == ["q1"]


def test_parse_normalises_and_refuses_what_the_form_cannot_send():
    f = Filters.parse(q="  听证   期限 ", difficulty="3", volume="v1-common")
    assert (f.q, f.difficulty, f.volume) == ("听证 期限", 3, "v1-common")
    assert Filters.parse().query() == {}
    assert f.query() == {"q": "听证 期限", "volume": "v1-common", "difficulty": "3"}
    for bad in ({"volume": "v9"}, {"step": "喝茶"}, {"type": "essay"}, {"difficulty": "9"}, {"difficulty": "x"},
                {"pool": "other"}, {"status": "deleted"}, {"q": "长" * 101}):
        with pytest.raises(DomainError) as e:
            Filters.parse(**bad)
        assert e.value.message and not e.value.message.isascii()


def test_pages_are_cut_and_a_page_out_of_range_gives_the_nearest():
    items = list(range(45))
    page = bank_search.paginate(items, 2)
    assert (page.items, page.number, page.pages, page.total, page.first) == (list(range(20, 40)), 2, 3, 45, 21)
    assert bank_search.paginate(items, 99).items == list(range(40, 45))
    assert bank_search.paginate(items, -3).number == 1
    empty = bank_search.paginate([], 1)
    assert (empty.items, empty.pages, empty.first) == ([], 1, 0)


def test_facility_over_several_exams_is_weighted_by_their_attempts():
    pooled = bank_search.pooled([ItemStats("q", n=10, facility=80.0), ItemStats("q", n=30, facility=40.0),
                                 ItemStats("q", n=0)])
    assert pooled.n == 40 and pooled.facility == pytest.approx(50.0)
    assert bank_search.pooled([]) == bank_search.Pooled(0, None)
