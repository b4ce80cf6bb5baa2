"""训前问需: needs surveys built from the handbook's structure (each volume and
each procedure step is a topic), answered once per trainee, ranked by
domain.surveys (frequent and unconfident first)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import exams
from .audit import record as audit
from .cohorts import enrolled_cohort_ids, enrolled_item
from .domain import text as free_text
from .domain import surveys as rules
from .domain.errors import DomainError
from .domain.procedure import ALL_STEPS, VOLUMES
from .exports import Sheet
from .models import Cohort, Enrolment, Exam, Survey, SurveyResponse, User

DEFAULT_QUESTIONS = ["您在执法工作中遇到的最大困难是什么？", "希望本期培训重点讲解哪些内容或案例？"]


class AlreadyAnswered(DomainError):
    status = 409


@dataclass(frozen=True)
class Topic:
    key: str          # "volume:v1-common" or "step:听证"
    label: str
    url: str          # the handbook page that teaches it


# The guide page of each step and topic of volume 1 (handbook/volumes/v1-common/guide/).
GUIDE_PAGES = {
    "管辖与立案": "step-01-filing", "调查取证": "step-02-investigation", "全过程记录": "step-03-recording",
    "法制审核": "step-04-legal-review", "告知": "step-05-notice", "听证": "step-06-hearing", "决定": "step-07-decision",
    "送达": "step-08-service", "执行": "step-09-enforcement", "结案归档": "step-10-closing",
    "简易程序": "summary-procedure", "不予处罚": "no-penalty", "时效": "limitation",
    "行政强制措施": "compulsory-measures", "移送涉嫌犯罪": "criminal-transfer", "复议与诉讼": "review-litigation",
}


def all_topics() -> list[Topic]:
    out = [Topic(f"volume:{v.code}", v.title, f"/volumes/{v.code}/") for v in VOLUMES]
    for step in ALL_STEPS:
        out.append(Topic(f"step:{step}", f"办案环节：{step}", f"/volumes/v1-common/guide/{GUIDE_PAGES[step]}/"))
    return out


TOPICS = {t.key: t for t in all_topics()}


def create_survey(db: Session, actor: User, cohort: Cohort, *, title: str, topics: list[str] | None = None,
                  questions: list[str] | None = None) -> Survey:
    title = free_text.checked(title, "调查标题", free_text.TITLE)
    chosen = topics or list(TOPICS)
    unknown = [t for t in chosen if t not in TOPICS]
    if unknown:
        raise DomainError(f"未知的调查主题：{'、'.join(unknown)}")
    survey = Survey(cohort_id=cohort.id, title=title.strip() or f"{cohort.name} 训前需求调查", topics=chosen,
                    questions=[q.strip() for q in (questions if questions is not None else DEFAULT_QUESTIONS) if q.strip()],
                    created_by=actor.id)
    db.add(survey)
    audit(db, actor, "survey.create", f"cohort:{cohort.id}", title=survey.title)
    db.commit()
    db.refresh(survey)
    return survey


def surveys_for_trainee(db: Session, user: User) -> list[tuple[Survey, bool]]:
    """The surveys of the trainee's cohorts, and whether each is answered."""
    answered = set(db.exec(select(SurveyResponse.survey_id).where(SurveyResponse.user_id == user.id)).all())
    return [(s, s.id in answered) for s in db.exec(select(Survey).where(Survey.cohort_id.in_(enrolled_cohort_ids(user.id)))
                                                   .order_by(Survey.id.desc()))]


def survey_for_trainee(db: Session, user: User, survey_id: int) -> Survey:
    return enrolled_item(db, user, Survey, survey_id, missing="调查不存在", foreign="该调查不是发给您所在培训班的")


def my_response(db: Session, user: User, survey: Survey) -> SurveyResponse | None:
    """The trainee's own response to the survey, if submitted (shown back read-only)."""
    return db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                                SurveyResponse.user_id == user.id)).first()


def answer(db: Session, user: User, survey: Survey, *, ratings: dict[str, tuple[object, object]],
           answers: list[str]) -> SurveyResponse:
    """One response per trainee (AlreadyAnswered, before any check of the form: a second post is
    never told about its empty fields); every topic rated 1–5 for confidence and frequency."""
    if my_response(db, user, survey) is not None:
        raise AlreadyAnswered("您已经提交过这份调查，每人只能提交一次")
    clean: dict[str, list[int]] = {}
    for topic in survey.topics:
        confidence, frequency = ratings.get(topic, (None, None))
        label = TOPICS[topic].label
        try:
            clean[topic] = [rules.validate_rating(confidence, f"“{label}”的掌握程度"),
                            rules.validate_rating(frequency, f"“{label}”的遇到频率")]
        except ValueError as e:
            raise DomainError(str(e)) from None
    answers = [free_text.checked(a, f"第 {i} 题的回答", free_text.TEXT) for i, a in enumerate(answers, 1)]
    response = SurveyResponse(survey_id=survey.id, user_id=user.id, ratings=clean,
                              answers=answers)
    db.add(response)
    try:
        db.commit()
    except IntegrityError:           # submitted twice at the same moment
        db.rollback()
        raise AlreadyAnswered("您已经提交过这份调查，每人只能提交一次") from None
    return response


@dataclass
class SurveyResult:
    survey: Survey
    needs: list[rules.TopicNeed]
    responses: int
    enrolled: int
    comments: list[tuple[str, list[str]]]          # question -> answers
    pretest: Exam | None = None                    # the cohort's diagnostic pre-test, if any
    pretest_accuracy: dict[str, float] = field(default_factory=dict)   # topic -> % scored


def result(db: Session, survey: Survey) -> SurveyResult:
    rows = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).all()
    needs = rules.rank_needs([{t: tuple(v) for t, v in r.ratings.items()} for r in rows])
    enrolled = len(db.exec(select(Enrolment).where(Enrolment.cohort_id == survey.cohort_id, Enrolment.status == "active")).all())
    comments = [(q, [r.answers[i] for r in rows if i < len(r.answers) and r.answers[i]])
                for i, q in enumerate(survey.questions)]
    pretest, accuracy = exams.cohort_pretest(db, survey.cohort_id)
    return SurveyResult(survey, needs, len(rows), enrolled, comments, pretest, accuracy)


def result_sheets(res: SurveyResult) -> list[Sheet]:
    needs = Sheet("需求排序", ["排序", "主题", "填答人数", "平均掌握程度", "平均遇到频率", "优先度", "训前测验得分率(%)"],
                  [[n.rank, TOPICS[n.topic].label if n.topic in TOPICS else n.topic, n.n, n.mean_confidence,
                    n.mean_frequency, n.priority, res.pretest_accuracy.get(n.topic)] for n in res.needs],
                  {3: "0.00", 4: "0.00", 5: "0.00", 6: "0.0"})
    text = Sheet("意见建议", ["问题", "回答"], [[q, a] for q, answers in res.comments for a in answers])
    return [needs, text]
