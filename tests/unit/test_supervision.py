"""Coverage of rotation training against unit rosters, unit name matching, and the weak-area map."""
from quizapp.domain.supervision import (MIN_ANSWERS, AreaCell, area_matrix, weakest_areas)
from quizapp.domain.supervision import (RosterOfficer, UnitIndex, accuracy_by, accuracy_matrix, clean_aliases,
                                        Unmatched, coverage, total, unit_key,
                                        unmatched_units)


def test_coverage_is_officers_trained_and_passed_over_the_whole_roster_least_covered_first():
    rows = coverage([(1, "甲镇"), (2, "乙镇"), (3, "丙镇")], [
        RosterOfficer(1, "张三", True, True), RosterOfficer(1, "李四", False, False), RosterOfficer(1, "王五", True, False),
        RosterOfficer(2, "赵六", True, True)])
    assert [(c.unit, c.officers, c.trained, c.passed, c.untrained, c.percent) for c in rows] == [
        ("甲镇", 3, 2, 1, 1, 33.3), ("乙镇", 1, 1, 1, 0, 100.0), ("丙镇", 0, 0, 0, 0, 0.0)]   # an empty roster last
    assert rows[0].never_trained == ["李四"]
    t = total(rows)
    assert (t.officers, t.trained, t.passed, t.percent) == (4, 3, 2, 50.0)


def test_an_officer_never_enrolled_is_not_covered_and_is_listed():
    (row,) = coverage([(1, "东山镇")], [RosterOfficer(1, "孙七", trained=False, passed=False)])
    assert (row.officers, row.passed, row.percent, row.never_trained) == (1, 0, 0.0, ["孙七"])


def test_a_pass_without_training_this_year_does_not_cover():
    (row,) = coverage([(1, "东山镇")], [RosterOfficer(1, "周八", trained=False, passed=True)])
    assert row.passed == 0 and row.percent == 0.0


def test_spellings_of_one_unit_map_to_it_and_unknown_names_are_reported():
    index = UnitIndex([(1, "东山镇", ["东山镇人民政府", "东山"]), (2, "西湖街道", [])])
    assert index.find("东山镇") == index.find(" 东山镇人民政府 ") == index.find("东山") == 1
    assert index.find("东 山 镇") == 1 and index.find("西湖街道") == 2
    assert index.find("东　山　镇") == 1                       # full-width spaces
    assert index.find("东山街道") is None
    names = ["东山镇", "东山", "东山街道", "东山街道", "城南所", ""]
    assert unmatched_units(names, index) == [Unmatched("东山街道", 2, guess=1), Unmatched("城南所", 1, guess=None)]


def test_unit_key_folds_full_width_letters_and_spaces():
    assert unit_key(" ＡＢ 镇 ") == unit_key("ab镇")


def test_aliases_are_one_a_line_without_duplicates_or_the_name_itself():
    assert clean_aliases("东山镇人民政府\n东山、东山\n 东山镇 \n\n", "东山镇") == ["东山镇人民政府", "东山"]


def test_accuracy_is_marks_over_possible_marks_per_volume_and_step():
    m = accuracy_matrix([("v1", "听证", 1, 1), ("v1", "听证", 0, 1), ("v1", "送达", 1.5, 2), ("v2", "听证", 0, 2)])
    assert m == {"v1": {"听证": 50.0, "送达": 75.0}, "v2": {"听证": 0.0}}


def test_accuracy_by_topic():
    assert accuracy_by([("step:听证", 1, 2), ("step:听证", 1, 2), ("volume:v1", 0, 1)]) == {"step:听证": 50.0, "volume:v1": 0.0}


def test_a_weak_area_cell_counts_its_answers_and_is_judged_only_from_enough_of_them():
    items = [("v1", "听证", 0, 1)] * MIN_ANSWERS + [("v1", "决定", 1, 1)] * MIN_ANSWERS + [("v1", "送达", 0, 1)] * 3
    m = area_matrix(items)
    assert m["v1"]["听证"] == AreaCell(0.0, MIN_ANSWERS) and m["v1"]["送达"] == AreaCell(0.0, 3)
    assert m["v1"]["听证"].judged and not m["v1"]["送达"].judged
    # weakness is what is drawn: the lowest score has the longest bar and the deepest shade
    assert (m["v1"]["听证"].shortfall, m["v1"]["听证"].heat) == (100.0, 10)
    assert (m["v1"]["决定"].shortfall, m["v1"]["决定"].heat) == (0.0, 0)
    assert m["v1"]["送达"].heat == 0                                       # too few answers: no shade
    assert [(v, s) for v, s, _ in weakest_areas(m)] == [("v1", "听证"), ("v1", "决定")]
