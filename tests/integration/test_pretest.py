"""训前诊断 and the drill-down: a cohort's diagnostic pre-test sits beside its
needs survey and its final exam, never counts as passing, and an instructor
reads any trainee's attempt question by question."""
import io

from openpyxl import load_workbook
from sqlmodel import select

from quizapp import exams, supervision, surveys
from quizapp.models import Attempt, AuditEvent, Cohort, Exam, Question
from tests import builders
from tests.integration.test_cohort_exams import setup_cohort


def take(db, username: str, exam_id: int, right) -> Attempt:
    """The trainee answers every question (right(question) decides) and submits."""
    trainee = db.exec(builders.select_user(username)).one()
    attempt = exams.start_attempt(db, trainee, exam_id)
    for item in attempt.paper:
        q = db.get(Question, item["question_id"])
        exams.save_answer(db, trainee, attempt.id, question_id=q.id, response=builders.response(q, right(q)))
    return exams.submit(db, trainee, attempt.id)


def test_a_pretest_is_drawn_per_step_and_its_accuracy_sits_beside_the_survey_and_the_final_exam(client, db):
    teacher, cohort, final = setup_cohort(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/pretest", data={"per_step": "1", "time_limit_minutes": "15"})
    assert r.status_code == 303
    pretest = db.exec(select(Exam).where(Exam.purpose == "pretest")).one()
    assert pretest.cohort_id == cohort.id and pretest.time_limit_minutes == 15
    steps_in_bank = {q.step for q in db.exec(select(Question).where(Question.active == True))}  # noqa: E712
    assert sorted(c["step"] for c in pretest.blueprint) == sorted(steps_in_bank)
    assert all(c["count"] == 1 for c in pretest.blueprint)
    assert "exam.create" in [e.action for e in db.exec(select(AuditEvent))]

    # Before training both trainees get the 听证 question wrong, whatever volume it was drawn from, and
    # volume 1's questions wrong except at 调查取证 (each step's question comes from any volume; a paper
    # of a dozen steps without a volume-1 question outside 调查取证 is about one in 10^5).
    wrong = lambda q: q.step == "听证" or (q.volume == "v1-common" and q.step != "调查取证")   # noqa: E731
    for login in ("13800000001", "13800000002"):
        take(db, login, pretest.id, lambda q: not wrong(q))
    survey = surveys.create_survey(db, teacher, db.get(Cohort, cohort.id), title="训前调查")
    assert "训前诊断测验</a>各环节的得分率" in client.get(f"/instructor/surveys/{survey.id}").text
    trainee = db.exec(builders.select_user("13800000001")).one()
    surveys.answer(db, trainee, survey, ratings={t: (4, 3) for t in survey.topics}, answers=[])
    result = client.get(f"/instructor/surveys/{survey.id}").text
    row = lambda html, href: html.split(f'href="{href}"', 1)[1].split("</tr>", 1)[0]   # noqa: E731
    assert '<td class="num" data-label="训前测验">0%</td>' in row(result, "/volumes/v1-common/guide/step-06-hearing/")
    assert "100%" in row(result, "/volumes/v1-common/guide/step-02-investigation/")
    sheet = load_workbook(io.BytesIO(client.get(f"/instructor/surveys/{survey.id}/result.xlsx").content))["需求排序"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert sheet["G1"].value == "训前测验得分率(%)" and rows["办案环节：听证"][6] == 0.0

    # After training, the final exam's weak-topic table shows the pre-test figure for the same topic.
    for login in ("13800000001", "13800000002"):
        take(db, login, final.id, lambda q: True)
    weak = client.get(f"/instructor/exams/{final.id}/results").text.split("薄弱主题", 1)[1].split("</table>", 1)[0]
    volume = row(weak, "/volumes/v1-common/")
    assert "100%" in volume and f"/instructor/exams/{pretest.id}/results" in client.get(
        f"/instructor/exams/{final.id}/results").text
    pre_volume = exams.cohort_pretest(db, cohort.id)[1]["volume:v1-common"]
    assert pre_volume < 100 and volume.rstrip().endswith(f'<td class="num">{round(pre_volume)}%</td>')


def test_a_passed_pretest_certifies_nothing_and_counts_as_no_pass_for_the_supervisor(client, db):
    teacher, cohort, _ = setup_cohort(db)
    pretest = exams.create_pretest(db, teacher, cohort.id, per_step=1)
    attempt = take(db, "13800000001", pretest.id, lambda q: True)
    assert attempt.passed
    trainee = db.exec(builders.select_user("13800000001")).one()
    assert exams.history(db, trainee).certified == set()
    unit = supervision.save_unit(db, None, name="某镇", aliases="")
    supervision.save_officer(db, None, unit_id=unit.id, name="张某", phone="13800000001")
    (row,) = supervision.coverage(db).rows
    assert (row.officers, row.trained, row.passed) == (1, 1, 0)
    builders.login(client, "13800000001")
    assert "训前诊断" in client.get("/me").text and "不计入考核" in client.get("/exams/").text


def test_a_pretest_needs_a_cohort():
    import pytest
    from quizapp.domain.errors import DomainError
    with pytest.raises(DomainError, match="须指定培训班"):
        exams.create_exam(None, title="诊断", created_by=None, time_limit_minutes=10,
                          blueprint=[{"count": 1}], purpose="pretest")


def test_the_instructor_reads_each_trainees_attempt_question_by_question(client, db):
    _, _, final = setup_cohort(db)
    attempt = take(db, "13800000002", final.id, lambda q: q.type != "multiple" and q.type != "case")
    builders.login(client, "teacher")
    results = client.get(f"/instructor/exams/{final.id}/results").text
    assert f'href="/instructor/exams/attempts/{attempt.id}"' in results
    page = client.get(f"/instructor/exams/attempts/{attempt.id}").text
    assert "李某 · 作答记录" in page and "逐题作答" in page
    assert page.count('class="card question"') == len(attempt.paper)
    wrong = [i for i in attempt.paper if attempt.item_scores[i["question_id"]] < i["points"]]
    assert page.count("<details class=\"card question\" open>") == len(wrong)
    assert f"{round(100 * attempt.score / attempt.max_score)}%" in page.split("得分率", 1)[1]
    client.post("/logout")
    builders.login(client, "other-teacher")
    assert client.get(f"/instructor/exams/attempts/{attempt.id}").status_code == 404
    client.post("/logout")
    builders.login(client, "13800000001")
    assert client.get(f"/instructor/exams/attempts/{attempt.id}").status_code == 403      # not staff at all
