"""教员 · 培训班: cohorts, trainees one by one or from an Excel roster, initial passwords."""
from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from ... import accounts, cohorts, custody, devices, handover, roster
from ...db import commit_keeping_loaded
from ...domain import custody as custody_rules
from ...domain.errors import DomainError, NotFound
from ...exports import XLSX
from ...models import Exam, RosterUpload, Survey, User, utcnow
from .. import confirmation
from ..deps import SessionDep, StaffUser
from ..render import page

router = APIRouter(prefix="/instructor/cohorts")
MAX_UPLOAD = roster.MAX_FILE_BYTES


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value.strip() else None
    except ValueError:
        raise DomainError(f"日期格式有误：{value}") from None


def handover_key(request: Request) -> bytes:
    """The key of the hand-over tokens (handover.key_from the platform's signing key), read once per
    worker, with the read engine and as a dependency declared before the user: on SQLite a second
    connection must not wait for the write lock of the request's own transaction."""
    state = request.app.state
    if getattr(state, "handover_key", None) is None:
        if getattr(state, "device_key", None) is None:
            state.device_key = devices.signing_key(state.read_engine)
        state.handover_key = handover.key_from(state.device_key)
    return state.handover_key


HandoverKey = Annotated[bytes, Depends(handover_key)]


def _handed_over(key: bytes, user, kind: str, **fields) -> str:
    """A sealed hand-over token (handover.py) of what ``user`` just did, for the page the POST redirects to."""
    return handover.seal(key, handover.Handover(kind=kind, actor_id=user.id, issued_at=utcnow(), **fields))


def _result(key: bytes, db, user, cohort, token: str) -> dict:
    """What the cohort page says about a reset or an addition just made (the token
    of the redirect), or why it can no longer say it."""
    try:
        done = handover.unseal(key, token, actor_id=user.id, now=utcnow())
    except handover.HandoverExpired as e:
        return {"expired": e.message}
    trainee = db.get(User, done.user_id) if done.user_id is not None else None
    if done.kind not in ("reset", "enrol") or done.cohort_id != cohort.id or trainee is None:
        return {"expired": handover.EXPIRED}
    return {"user": trainee, "password": done.password, "reset": done.kind == "reset", "already": done.already,
            "ignored": done.ignored, "pending": trainee.id in {u.id for u in cohorts.pending_members(db, cohort)},
            "until": done.expires_at}


def _detail(request: Request, db, user, cohort, status_code: int = 200, **extra):
    uploads = db.exec(select(RosterUpload).where(RosterUpload.cohort_id == cohort.id)
                      .order_by(RosterUpload.id.desc()).limit(5)).all()
    extra.setdefault("error", "")
    extra.setdefault("created", None)
    extra.setdefault("values", {})
    surveys = db.exec(select(Survey).where(Survey.cohort_id == cohort.id).order_by(Survey.id.desc())).all()
    pretests = db.exec(select(Exam).where(Exam.cohort_id == cohort.id, Exam.purpose == "pretest",
                                          Exam.active == True)  # noqa: E712 (a withdrawn one is gone)
                       .order_by(Exam.id.desc())).all()
    extra.setdefault("confirm", None)
    return page(request, "cohort.html", status_code=status_code, cohort=cohort, surveys=surveys, pretests=pretests,
                trainees=cohorts.members(db, cohort), teachers=cohorts.instructors(db, cohort), uploads=uploads,
                held_ids=cohorts.manageable_ids(db, user, cohort), pending=cohorts.pending_members(db, cohort),
                failures=accounts.recent_failures(db, cohorts.members(db, cohort)),
                joined=custody.joined_elsewhere(db, cohort), enrolment_status=custody_rules.STATUS_NAMES, **extra)


@router.get("/")
def cohort_list(request: Request, db: SessionDep, user: StaffUser):
    return page(request, "cohorts.html", cohorts=cohorts.visible_cohorts(db, user), error="")


@router.post("/")
def cohort_create(request: Request, db: SessionDep, user: StaffUser, name: Annotated[str, Form()] = "",
                  unit: Annotated[str, Form()] = "", starts_on: Annotated[str, Form()] = "",
                  ends_on: Annotated[str, Form()] = ""):
    try:
        cohort = cohorts.create_cohort(db, creator=user, name=name, unit=unit, starts_on=_date(starts_on),
                                       ends_on=_date(ends_on))
    except DomainError as e:
        return page(request, "cohorts.html", status_code=422, cohorts=cohorts.visible_cohorts(db, user),
                    error=e.message)
    return RedirectResponse(f"/instructor/cohorts/{cohort.id}", status_code=303)


@router.get("/template.xlsx")
def roster_template(user: StaffUser):
    return Response(roster.template(), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''roster-template.xlsx"})


@router.get("/{cohort_id}")
def cohort_detail(cohort_id: int, request: Request, db: SessionDep, key: HandoverKey, user: StaffUser,
                  token: Annotated[str, Query(alias="handover")] = ""):
    """The cohort; ``handover``: the sealed result of a reset or an addition just made (POST-redirect-GET)."""
    cohort = cohorts.cohort_for(db, user, cohort_id)
    return _detail(request, db, user, cohort, created=_result(key, db, user, cohort, token) if token else None)


def _to_result(cohort_id: int, token: str) -> RedirectResponse:
    return RedirectResponse(f"/instructor/cohorts/{cohort_id}?{urlencode({'handover': token})}#result",
                            status_code=303)


@router.post("/{cohort_id}/trainees")
def cohort_enrol(cohort_id: int, request: Request, db: SessionDep, key: HandoverKey, user: StaffUser,
                 username: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "",
                 unit: Annotated[str, Form()] = "", cert_no: Annotated[str, Form()] = ""):
    cohort = cohorts.cohort_for(db, user, cohort_id)
    try:
        added = cohorts.add_trainee(db, user, cohort, username=username, display_name=display_name, unit=unit,
                                    cert_no=cert_no)
    except DomainError as e:
        return _detail(request, db, user, cohort, 422, error=e.message,
                       values={"username": username, "display_name": display_name, "unit": unit, "cert_no": cert_no})
    return _to_result(cohort.id, _handed_over(key, user, "enrol", cohort_id=cohort.id, user_id=added.user.id,
                                              password=added.password, already=added.already,
                                              ignored=added.ignored))


def _account_action(request: Request, db, user, cohort, action):
    """Run a reset or a disable; a trainee in an exam is asked about first,
    one held by another cohort is refused on the cohort page."""
    try:
        return action()
    except NotFound:
        raise
    except custody.AttemptInProgress as e:
        return _detail(request, db, user, cohort, 409,
                       confirm={"user": e.user, "attempt": e.attempt, "exam": e.exam, "action": e.action})
    except DomainError as e:
        return _detail(request, db, user, cohort, 403, error=e.message)


def _asked_about(db, user, cohort, user_id: int, action: str, confirm: str):
    """The trainee a reset or a disable is about, once ``user`` may act on them;
    one in an exam gets the exam's own question (custody.AttemptInProgress)."""
    trainee = custody.managed_trainee(db, user, cohort, user_id)
    custody.confirm_during_attempt(db, trainee, action, confirm == "yes")
    return trainee


@router.post("/{cohort_id}/trainees/{user_id}/password")
def trainee_reset_password(cohort_id: int, user_id: int, request: Request, db: SessionDep, key: HandoverKey,
                           user: StaffUser,
                           confirm: Annotated[str, Form()] = "", confirmed: Annotated[str, Form()] = ""):
    cohort = cohorts.cohort_for(db, user, cohort_id)

    def reset():
        if not confirmation.confirmed(confirmed):
            trainee = _asked_about(db, user, cohort, user_id, "password", confirm)
            return confirmation.ask(request, f"重置 {trainee.display_name} 的密码？", request.url.path,
                                    f"/instructor/cohorts/{cohort_id}", {},
                                    "原密码立即失效，其已登录的设备均会退出；新的初始密码在下一页显示 10 分钟，平台不保存，请当面交给本人。")
        trainee, password = cohorts.reset_password(db, user, cohort, user_id, confirmed=confirm == "yes")
        return _to_result(cohort.id, _handed_over(key, user, "reset", cohort_id=cohort.id, user_id=trainee.id,
                                                  password=password))
    return _account_action(request, db, user, cohort, reset)


@router.post("/{cohort_id}/trainees/{user_id}/active")
def trainee_set_active(cohort_id: int, user_id: int, request: Request, db: SessionDep, user: StaffUser,
                       active: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "",
                       confirmed: Annotated[str, Form()] = ""):
    cohort = cohorts.cohort_for(db, user, cohort_id)

    def switch():
        if active != "yes" and not confirmation.confirmed(confirmed):
            trainee = _asked_about(db, user, cohort, user_id, "active", confirm)
            return confirmation.ask(request, f"停用 {trainee.display_name} 的账号？", request.url.path,
                                    f"/instructor/cohorts/{cohort_id}", {"active": "no"},
                                    "停用后其不能登录，已登录的设备立即退出，直至重新启用。")
        cohorts.set_active(db, user, cohort, user_id, active == "yes", confirmed=confirm == "yes")
        return RedirectResponse(f"/instructor/cohorts/{cohort_id}", status_code=303)
    return _account_action(request, db, user, cohort, switch)


@router.post("/{cohort_id}/trainees/{user_id}/unit")
def trainee_set_unit(cohort_id: int, user_id: int, request: Request, db: SessionDep, user: StaffUser,
                     unit: Annotated[str, Form(max_length=200)] = ""):
    """填写/更正单位: only for a trainee the instructor holds (as a reset)."""
    cohort = cohorts.cohort_for(db, user, cohort_id)

    def save():
        cohorts.set_unit(db, user, cohort, user_id, unit)
        return RedirectResponse(f"/instructor/cohorts/{cohort_id}", status_code=303)
    return _account_action(request, db, user, cohort, save)


def _cohort_then_no_transaction(db, user, cohort_id: int):
    cohort = cohorts.cohort_for(db, user, cohort_id)
    commit_keeping_loaded(db)            # on SQLite: the write lock is not held while the workbook is read
    return cohort


@router.post("/{cohort_id}/roster")
async def roster_upload(cohort_id: int, request: Request, db: SessionDep, user: StaffUser,
                        file: Annotated[UploadFile, File()]):
    """The workbook is read by a reader process (roster.read_apart) while this
    request holds neither a transaction nor a thread; the database work
    before and after runs in the thread pool, never on the event loop."""
    cohort = await run_in_threadpool(_cohort_then_no_transaction, db, user, cohort_id)
    data = await file.read(MAX_UPLOAD + 1)
    try:
        rows = await roster.read_apart(data)
        upload = await run_in_threadpool(cohorts.save_upload, db, user, cohort, filename=file.filename or "",
                                         rows=rows)
    except DomainError as e:
        return await run_in_threadpool(_detail, request, db, user, cohort, e.status, error=e.message)
    return RedirectResponse(f"/instructor/cohorts/uploads/{upload.id}", status_code=303)


def _upload_page(request: Request, db, user, upload, status_code: int = 200, error: str = "", token: str = "",
                 key: bytes = b""):
    """An upload's page: before the import its rows as checked; after it what it
    did, and (``token``, right after the import) the initial-password workbook to download."""
    rows, examples = cohorts.upload_rows(db, upload)
    download = None
    if token and upload.imported_at is not None:
        try:
            done = handover.unseal(key, token, actor_id=user.id, now=utcnow())
            download = {"token": token, "until": done.expires_at} if done.upload_id == upload.id else None
        except handover.HandoverExpired:
            pass
    return page(request, "roster.html", status_code=status_code, upload=upload, rows=rows, examples=examples,
                bad=sum(not r.ok for r in rows), error=error, counts=cohorts.import_counts(db, upload),
                download=download, downloaded=cohorts.passwords_downloaded(db, upload),
                cohort=cohorts.cohort_for(db, user, upload.cohort_id))


@router.get("/uploads/{upload_id}")
def roster_preview(upload_id: int, request: Request, db: SessionDep, key: HandoverKey, user: StaffUser,
                   token: Annotated[str, Query(alias="handover")] = ""):
    """The upload's rows as checked, or (once imported) what the import did;
    ``handover``: the sealed seed of the import just made, for its workbook."""
    return _upload_page(request, db, user, cohorts.upload_for(db, user, upload_id), token=token, key=key)


@router.post("/uploads/{upload_id}/confirm")
def roster_confirm(upload_id: int, request: Request, db: SessionDep, key: HandoverKey, user: StaffUser,
                   good_rows_only: Annotated[str, Form()] = ""):
    """Import, then redirect to the upload's page, which says what was done and
    (when accounts were made) offers their initial-password workbook once: the
    passwords are derived from a seed that only the redirect's sealed token
    holds (handover.py); the database keeps their hashes only."""
    upload = cohorts.upload_for(db, user, upload_id)
    seed = handover.new_seed()
    try:
        upload, credentials = cohorts.confirm_upload(db, user, upload, good_rows_only=good_rows_only == "yes",
                                                     seed=seed)
    except DomainError as e:
        return _upload_page(request, db, user, upload, 422, e.message)
    target = f"/instructor/cohorts/uploads/{upload.id}"
    if credentials:
        target += "?" + urlencode({"handover": _handed_over(key, user, "roster", upload_id=upload.id, seed=seed)})
    return RedirectResponse(target, status_code=303)


@router.post("/uploads/{upload_id}/initial-passwords")
def roster_passwords(upload_id: int, request: Request, db: SessionDep, key: HandoverKey, user: StaffUser,
                     token: Annotated[str, Form(alias="handover")] = ""):
    """The import's initial-password workbook: once, for the instructor who
    imported, within 10 minutes of the import (the sealed seed of the page's form)."""
    upload = cohorts.upload_for(db, user, upload_id)
    try:
        if cohorts.passwords_downloaded(db, upload) is not None:        # once only, whoever asks again
            raise handover.HandoverExpired(cohorts.PASSWORDS_TAKEN)
        done = handover.unseal(key, token, actor_id=user.id, now=utcnow())
        if done.kind != "roster" or done.upload_id != upload.id or done.seed is None:
            raise handover.HandoverExpired(handover.EXPIRED)
        credentials = cohorts.credentials_of(db, upload, done.seed)
        cohorts.record_passwords_download(db, user, upload, len(credentials))
    except handover.HandoverExpired:
        return _passwords_gone(request, db, user, upload)
    return Response(cohorts.credentials_workbook(credentials), media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''initial-passwords-{upload.id}.xlsx",
        "Cache-Control": "no-store"})


def _passwords_gone(request: Request, db, user, upload: RosterUpload):
    """410 in plain words: the workbook was downloaded already (when), or its ten minutes are over or
    the token is not this instructor's; either way a trainee's password is had again by a reset."""
    return page(request, "roster_passwords_gone.html", status_code=410, upload=upload,
                downloaded=cohorts.passwords_downloaded(db, upload),
                cohort=cohorts.cohort_for(db, user, upload.cohort_id))


@router.post("/{cohort_id}/trainees/{user_id}/throttle")
def trainee_lift_throttle(cohort_id: int, user_id: int, request: Request, db: SessionDep, user: StaffUser):
    """解除登录限制: the trainee's failed logins so far no longer make them wait."""
    cohort = cohorts.cohort_for(db, user, cohort_id)

    def lift():
        cohorts.lift_throttle(db, user, cohort, user_id)
        return RedirectResponse(f"/instructor/cohorts/{cohort_id}", status_code=303)
    return _account_action(request, db, user, cohort, lift)
