"""训前问需 over HTTP: one answer per trainee, ranked results, Excel export."""
import io
import re

from openpyxl import load_workbook

from quizapp import cohorts, surveys
from quizapp.models import Role
from tests import builders


def cohort_with_trainees(db, n=2):
    teacher = builders.user(db, "teacher", Role.instructor)
    cohort = cohorts.create_cohort(db, creator=teacher, name="轮训班")
    trainees = []
    for i in range(n):
        t = builders.user(db, f"trainee{i}", display_name=f"学员{i}")
        cohorts.enrol_one(db, teacher, cohort, username=t.username, display_name=t.display_name, unit="某镇")
        trainees.append(t)
    return teacher, cohort, trainees


def ratings(survey, hearing=(1, 5), default=(4, 2)):
    data = {}
    for t in survey.topics:
        c, f = hearing if t == "step:听证" else default
        data[f"c:{t}"], data[f"f:{t}"] = str(c), str(f)
    return data


def test_each_trainee_answers_once_and_the_instructor_sees_the_ranking(client, db):
    teacher, cohort, _ = cohort_with_trainees(db)
    builders.login(client, "teacher")
    r = client.post(f"/instructor/cohorts/{cohort.id}/surveys", data={"title": "训前需求调查"})
    survey_url = r.headers["location"]
    survey = db.get(surveys.Survey, int(survey_url.rsplit("/", 1)[1]))
    assert len(survey.topics) == 24
    for name in ("trainee0", "trainee1"):
        client.post("/logout")
        builders.login(client, name)
        assert "训前需求调查" in client.get("/surveys/").text
        form = client.get(f"/surveys/{survey.id}").text
        assert "办案环节：听证" in form
        ok = client.post(f"/surveys/{survey.id}", data={**ratings(survey), "q0": "听证程序不熟", "q1": ""},
                         follow_redirects=True)
        assert ok.status_code == 200 and "提交成功" in ok.text
    again = client.post(f"/surveys/{survey.id}", data=ratings(survey))
    assert again.status_code == 409 and "每人只能提交一次" in again.text
    client.post("/logout")
    builders.login(client, "teacher")
    page = client.get(survey_url).text
    assert "已提交 2 / 2 人" in page
    first_row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "办案环节：听证" in first_row and "25.0" in first_row            # 5 × (6 − 1)
    assert "听证程序不熟" in page
    book = load_workbook(io.BytesIO(client.get(survey_url + "/result.xlsx").content))
    top = list(book["需求排序"].iter_rows(values_only=True))[1]
    assert top[:3] == (1, "办案环节：听证", 2) and top[5] == 25.0
    assert list(book["意见建议"].iter_rows(values_only=True))[1] == ("您在执法工作中遇到的最大困难是什么？", "听证程序不熟")


def test_a_rating_missing_or_out_of_range_is_refused_and_nothing_is_saved(client, db):
    teacher, cohort, _ = cohort_with_trainees(db, 1)
    survey = surveys.create_survey(db, teacher, cohort, title="调查")
    builders.login(client, "trainee0")
    data = ratings(survey)
    data["c:step:听证"] = "7"
    r = client.post(f"/surveys/{survey.id}", data=data)
    assert r.status_code == 422 and "“办案环节：听证”的掌握程度" in r.text
    del data["c:step:听证"]
    assert client.post(f"/surveys/{survey.id}", data=data).status_code == 422
    assert surveys.result(db, survey).responses == 0


def test_a_survey_is_only_for_its_cohort(client, db):
    teacher, cohort, _ = cohort_with_trainees(db, 1)
    survey = surveys.create_survey(db, teacher, cohort, title="调查")
    builders.user(db, "outsider", display_name="外班")
    builders.user(db, "other-teacher", Role.instructor)
    builders.login(client, "outsider")
    assert client.get(f"/surveys/{survey.id}").status_code == 404
    client.post("/logout")
    builders.login(client, "other-teacher")
    assert client.get(f"/instructor/surveys/{survey.id}").status_code == 404
    assert client.get(f"/instructor/surveys/{survey.id}/result.xlsx").status_code == 404


def test_a_submitted_survey_says_so_as_success_and_shows_the_answers_read_only(client, db):
    teacher, cohort, _ = cohort_with_trainees(db)
    survey = surveys.create_survey(db, teacher, cohort, title="调查")
    builders.login(client, "trainee0")
    r = client.post(f"/surveys/{survey.id}", data={**ratings(survey), "q0": "听证程序不熟"})
    assert r.status_code == 303 and r.headers["location"] == f"/surveys/{survey.id}?submitted=1"   # POST-redirect-GET
    done = client.get(r.headers["location"])
    assert done.status_code == 200 and "提交成功" in done.text and "无法完成操作" not in done.text
    assert 'class="alert ok"' in done.text and "alert error" not in done.text
    reopened = client.get(f"/surveys/{survey.id}").text
    assert "提交成功" not in reopened                        # said once, right after submitting
    assert f'action="/surveys/{survey.id}"' not in reopened       # no form to submit again
    assert 'type="radio"' not in reopened and "听证程序不熟" in reopened and "办案环节：听证" in reopened
    hearing = reopened.split("办案环节：听证", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td><td class="num">5</td>' in hearing     # 掌握 1, 频率 5, as given
    assert "查看我的回答" in client.get("/surveys/").text


def test_posting_an_answered_survey_again_shows_the_answers_given_read_only_and_changes_nothing(client, db):
    teacher, cohort, _ = cohort_with_trainees(db, 1)
    survey = surveys.create_survey(db, teacher, cohort, title="调查")
    builders.login(client, "trainee0")
    client.post(f"/surveys/{survey.id}", data={**ratings(survey), "q0": "听证程序不熟"})
    for again in (client.post(f"/surveys/{survey.id}", data={}),                      # e.g. Back, then submit
                  client.post(f"/surveys/{survey.id}", data={**ratings(survey, hearing=(5, 1)), "q0": "改了"})):
        assert again.status_code == 409
        text = again.text
        assert "每人只能提交一次" in text and "这次提交的内容未保存" in text
        assert "None" not in text and "收到" not in text
        assert 'type="radio"' not in text and "<textarea" not in text           # read-only: no form
        hearing = re.search(r"<td>办案环节：听证</td><td class=\"num\">(\d)</td><td class=\"num\">(\d)</td>", text)
        assert hearing.groups() == ("1", "5") and "听证程序不熟" in text
    assert surveys.result(db, survey).responses == 1


def test_a_missing_rating_is_named_without_a_python_value(client, db):
    teacher, cohort, _ = cohort_with_trainees(db, 1)
    survey = surveys.create_survey(db, teacher, cohort, title="调查")
    builders.login(client, "trainee0")
    data = ratings(survey)
    del data["f:step:听证"]
    r = client.post(f"/surveys/{survey.id}", data=data)
    assert r.status_code == 422 and "“办案环节：听证”的遇到频率应为 1 到 5 之间的整数，尚未选择" in r.text
    assert "None" not in r.text
