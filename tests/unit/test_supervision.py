"""Coverage of rotation training and the weak-area map."""
from quizapp.domain.supervision import Officer, accuracy_matrix, coverage


def test_coverage_counts_per_unit_and_puts_the_least_covered_first():
    rows = coverage([Officer("甲镇", True, True), Officer("甲镇", False, False), Officer("乙镇", True, False),
                     Officer("", False, False)])
    assert [(c.unit, c.officers, c.trained, c.passed, c.untrained) for c in rows] == [
        ("（未填单位）", 1, 0, 0, 1), ("甲镇", 2, 1, 1, 1), ("乙镇", 1, 1, 0, 0)]
    assert rows[1].trained_percent == 50.0


def test_accuracy_is_marks_over_possible_marks_per_volume_and_step():
    m = accuracy_matrix([("v1", "听证", 1, 1), ("v1", "听证", 0, 1), ("v1", "送达", 1.5, 2), ("v2", "听证", 0, 2)])
    assert m == {"v1": {"听证": 50.0, "送达": 75.0}, "v2": {"听证": 0.0}}


def test_accuracy_by_topic():
    from quizapp.domain.supervision import accuracy_by
    assert accuracy_by([("step:听证", 1, 2), ("step:听证", 1, 2), ("volume:v1", 0, 1)]) == {"step:听证": 50.0, "volume:v1": 0.0}
