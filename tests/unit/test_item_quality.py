"""题目质量体检: the item-quality check finds the cues a test-wise trainee would use."""
from quizapp.content.item_quality import (ChoiceItem, check_quality, choice_items, format_quality, key_is_longest,
                                          measure, threshold_failures)
from quizapp.content.questions import Part, Question

LETTERS = "ABCD"


def single(n: int, key: str, *, options=None, explanation="", volume="v1-common") -> Question:
    options = options or {k: f"第{n}题的选项{k}内容相近" for k in LETTERS}
    return Question(id=f"q{n}", type="single", difficulty=1, volume=volume, step="决定", stem=f"第{n}题：题干{n * 7919}",
                    options=options, answer=[key], explanation=explanation, anchor="x.md#y", file="bank.yaml", line=n)


def judge(n: int, true: bool) -> Question:
    return Question(id=f"j{n}", type="judge", difficulty=1, volume="v1-common", step="决定", stem=f"判断{n}：{n * 104729}",
                    options={"T": "正确", "F": "错误"}, answer=["T" if true else "F"], explanation="", anchor="x.md#y")


def multiple(n: int, key: list[str]) -> Question:
    return Question(id=f"m{n}", type="multiple", difficulty=1, volume="v1-common", step="决定",
                    stem=f"多选{n}：{n * 15485863}", options={k: f"多选{n}选项{k}相近" for k in "ABCDE"}, answer=key,
                    explanation="", anchor="x.md#y")


def failures(questions) -> list[str]:
    items = choice_items(questions)
    return threshold_failures(measure("第一卷", len(questions), items))


def balanced(n=40) -> list[Question]:
    qs = [single(i, LETTERS[i % 4]) for i in range(n)]
    return qs + [judge(i, i % 2 == 0) for i in range(10)] + [multiple(i, [["A", "C"], ["B", "C", "D"], ["A", "B", "D", "E"]][i % 3]) for i in range(9)]


def test_a_balanced_bank_passes():
    assert failures(balanced()) == []


def test_keys_bunched_on_one_letter_fail():
    qs = [single(i, "A" if i % 2 else LETTERS[i % 4]) for i in range(40)]
    assert any("单选题答案为 A 的占" in f for f in failures(qs))


def test_a_key_that_is_usually_the_longest_option_fails():
    long_key = [single(i, "B", options={"A": "短一些", "B": "这是一个明显更长更周全的正确选项", "C": "短一些的", "D": "也短"})
                for i in range(20)]
    assert key_is_longest(choice_items(long_key)[0])
    qs = long_key + balanced(20)
    assert any("答案是最长选项" in f for f in failures(qs))


def test_a_key_that_is_never_the_one_longest_option_fails():
    def longest_is(n, letter, key):
        options = {k: f"第{n}题选项{k}" for k in LETTERS}
        options[letter] += "而且更长"
        return single(n, key, options=options)
    never = [longest_is(i, "D", LETTERS[i % 3]) for i in range(40)]
    assert any("答案就是该选项的仅占 0%（0/40）" in f for f in failures(never))
    sometimes = [longest_is(i, "D", LETTERS[i % 4]) for i in range(40)]
    assert not any("唯一最长选项" in f for f in failures(sometimes))


def test_mostly_false_true_false_items_fail():
    qs = balanced() + [judge(100 + i, False) for i in range(30)]
    assert any("判断题中答案为“正确”的占" in f for f in failures(qs))


def test_multiple_choice_keys_of_one_size_fail():
    qs = [q for q in balanced() if q.type != "multiple"] + [multiple(i, ["A", "B", "C"]) for i in range(10)]
    assert any("多选题答案含 3 个选项的占" in f for f in failures(qs))


def test_absolute_words_only_in_distractors_fail():
    qs = [single(i, LETTERS[i % 4], options={k: ("一律不予处罚的选项" if k != LETTERS[i % 4] else "依法从轻处罚的选项")
                                            for k in LETTERS}) for i in range(40)]
    assert any("绝对化用语" in f for f in failures(qs))


def test_a_volume_under_forty_questions_is_reported_not_failed():
    qs = [single(i, "A") for i in range(39)]
    assert failures(qs) == []


def test_catch_all_options_unmappable_letters_and_near_duplicates_are_errors():
    catch_all = single(1, "A", options={"A": "先行登记保存", "B": "查封", "C": "扣押", "D": "以上都对"})
    bad_letter = single(2, "B", explanation="B正确，E项错误。")
    twin_a = single(3, "C", options={k: f"当事人要求听证的应当在告知后五日内提出{k}" for k in LETTERS})
    twin_b = single(4, "D", options=twin_a.options)
    twin_b.stem = twin_a.stem
    report = check_quality(balanced() + [catch_all, bad_letter, twin_a, twin_b])
    messages = [p.message for p in report.problems if p.severity == "error"]
    assert any("“以上都对”" in m and "q1" in m for m in messages)
    assert any("解析中的字母 E" in m and "q2" in m for m in messages)
    assert any("q4" in m and "q3" in m and "高度相似" in m for m in messages)


def test_a_case_part_repeating_a_standalone_item_is_found():
    standalone = single(1, "A", options={"A": "七个工作日", "B": "七日", "C": "十日", "D": "十五日"})
    standalone.stem = "《行政处罚法》第五十六条规定的先行登记保存后作出处理决定的期限是"
    case = Question(id="c1", type="case", difficulty=2, volume="v1-common", step="调查取证", stem="某镇案情",
                    options={}, answer=[], explanation="", anchor="x.md#y",
                    parts=[Part("1", "single", standalone.stem, dict(standalone.options), ["A"]),
                           Part("2", "judge", "执法人员做法正确", {"T": "正确", "F": "错误"}, ["F"])])
    report = check_quality([standalone, case])
    assert [(a.label, b.label) for _, a, b in report.duplicates] == [("q1", "c1 第 1 小题")]


def test_the_report_names_each_measure():
    text = format_quality(check_quality(balanced()))
    for words in ("单选答案字母", "多选答案个数", "判断题：正确", "答案是最长选项", "唯一最长选项", "含绝对化用语", "结论：通过", "题干近似重复"):
        assert words in text
