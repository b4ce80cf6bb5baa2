"""考试须知's figures (quizapp/domain/exam_notice.py): the paper's size, its total points and the pass mark."""
from quizapp.domain.exam_notice import paper_outline, pass_points

POINTS = {"single": 1.0, "multiple": 2.0, "judge": 1.0, "case": 4.0}


def test_a_paper_of_known_types_has_a_fixed_total():
    outline = paper_outline(["single", "single", "multiple", "case"], POINTS)
    assert (outline.questions, outline.min_points, outline.max_points, outline.fixed) == (4, 8.0, 8.0, True)


def test_a_type_the_exam_gives_no_points_for_counts_its_default():
    assert paper_outline(["judge", "case"], {"judge": 2.5}).max_points == 6.5


def test_a_blueprint_row_of_any_type_makes_the_total_a_range():
    outline = paper_outline(["single", "", ""], POINTS)
    assert (outline.min_points, outline.max_points, outline.fixed) == (3.0, 9.0, False)
    assert pass_points(outline, 60) is None            # not known before the paper is drawn


def test_the_pass_mark_in_points_is_never_shown_below_what_passing_needs():
    assert pass_points(paper_outline(["single"] * 20, POINTS), 60) == 12.0
    assert pass_points(paper_outline(["case"] * 3, {"case": 2.25}), 75) == 5.1     # 5.0625 needed
    assert pass_points(paper_outline([], POINTS), 60) is None
