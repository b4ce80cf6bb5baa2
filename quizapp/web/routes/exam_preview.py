"""试卷预览, as Moodle's quiz preview: an exam's paper with keys and
explanations for those who may see the exam (instructor_exams.exam_for),
before or after it opens. A fixed paper shows its questions in order; a
blueprint a sample draw, new at each request and saved nowhere
(bank_browser.preview). The new-exam form previews what it would save the
same way (POST, nothing saved, nothing audited).

Trainees and editors get 403 (StaffUser); another instructor's exam 404."""
from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from ... import bank_browser, cohorts, exams
from ...domain.errors import DomainError
from ...models import Exam
from ..deps import SessionDep, StaffUser
from ..render import page
from .instructor_exams import exam_fields, exam_for

router = APIRouter(prefix="/instructor/exams")
# What a preview of the unsaved form needs of exam_fields' values (the rest only matters once saved).
_PAPER_FIELDS = ("title", "question_ids", "blueprint", "points", "certifying")


@router.get("/{exam_id}/preview")
def exam_preview(exam_id: int, request: Request, db: SessionDep, user: StaffUser):
    exam = exam_for(db, user, exam_id)
    error, items = "", []
    try:
        items = bank_browser.preview(db, exam)
    except DomainError as e:
        error = e.message
    return page(request, "exam_preview.html", exam=exam, items=items, error=error, saved=True,
                status_code=422 if error else 200)


@router.post("/new/preview")
async def exam_form_preview(request: Request, db: SessionDep, user: StaffUser):
    """The new-exam form's 「预览试卷」: the paper the form describes, nothing saved."""
    form = await request.form()
    error, items, exam = "", [], None
    try:
        fields = exam_fields(form, request.app.state.settings.timezone)
        if fields["cohort_id"] is not None:
            cohorts.cohort_for(db, user, fields["cohort_id"])
        if bool(fields["question_ids"]) == bool(fields["blueprint"]):
            raise DomainError("请指定固定试题或组卷规则（二者选一）")
        exam = Exam(time_limit_minutes=0, **{k: fields[k] for k in _PAPER_FIELDS})
        exam.blueprint = [asdict(c) for c in exams.blueprint_cells(exam.blueprint, exam.points)]   # as create_exam keeps it
        exam.title = exam.title.strip() or "未命名考试"
        ids = exam.question_ids
        if ids and len(set(ids)) != len(ids):
            raise DomainError("固定试题中有重复题目")
        usable = {c.id for c in exams.candidates(db, certifying=exam.certifying)}
        missing = [i for i in ids if i not in usable]
        if missing:     # create_exam refuses them too: unknown, suspended, or exam-only in a non-certifying exam
            raise DomainError(f"以下题目不存在、已暂停使用或为考试专用题（仅限结业考试）：{'、'.join(missing)}")
        items = bank_browser.preview(db, exam)
    except DomainError as e:
        error = e.message
    return page(request, "exam_preview.html", exam=exam, items=items, error=error, saved=False,
                status_code=422 if error else 200)
