"""Explanations name options by the bank's letters; the trainee sees shuffled ones."""
from quizapp.domain.option_letters import relabel, shown_letters, unmappable


def test_every_option_letter_of_an_explanation_is_mapped_to_the_letter_shown():
    mapping = shown_letters(["C", "A", "D", "B"])            # bank C is shown as A, bank A as B …
    assert mapping == {"C": "A", "A": "B", "D": "C", "B": "D"}
    assert relabel("C正确。A项错误，选项B、D也不对。", mapping) == "A正确。B项错误，选项C、D也不对。"  # a list, re-sorted
    assert relabel("正确答案为ACD。", mapping) == "正确答案为ABC。"     # a run is re-sorted


def test_words_in_latin_letters_are_left_alone():
    mapping = shown_letters(["B", "A", "C", "D"])
    assert relabel("扫描件存为PDF，复习按FSRS安排；A项正确", mapping) == "扫描件存为PDF，复习按FSRS安排；B项正确"


def test_an_unshuffled_presentation_changes_nothing():
    text = "B正确，A错误"
    assert relabel(text, shown_letters(["A", "B", "C", "D"])) is text


def test_the_checker_rejects_letters_it_cannot_map():
    assert unmappable("A、B正确", ["A", "B", "C", "D"]) == []
    assert unmappable("E项错误", ["A", "B", "C", "D"]) == ["E"]          # no option E
    assert unmappable("答案为CA", ["A", "B", "C"]) == ["CA"]             # out of order
    assert unmappable("答案为AAB", ["A", "B", "C"]) == ["AAB"]
    assert unmappable("A项", []) == ["A"]                                # a true/false item has no letters
    assert unmappable("以PDF格式", []) == []


def test_a_list_of_letters_joined_by_a_dunhao_is_re_sorted_as_one_reference():
    from quizapp.domain.option_letters import relabel
    mapping = {"A": "C", "B": "A", "C": "D", "D": "B"}
    assert relabel("A、D给法律增设了义务；B、C错误", mapping) == "B、C给法律增设了义务；A、D错误"
    assert relabel("A、D、C三项", mapping) == "B、C、D三项"
    assert relabel("选A，PDF、FSRS不变", mapping) == "选C，PDF、FSRS不变"
