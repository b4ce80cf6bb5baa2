"""培训班: cohorts, their instructors and trainees, roster imports and the
initial passwords handed out. An instructor sees only the cohorts they teach;
a supervisor sees all."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from . import accounts, custody, roster
from .audit import record as audit
from .domain.errors import DomainError, NotFound
from .exports import Sheet, workbook
from .models import Cohort, CohortInstructor, Enrolment, Role, RosterUpload, User, utcnow



def create_cohort(db: Session, *, creator: User, name: str, unit: str = "", starts_on: date | None = None,
                  ends_on: date | None = None) -> Cohort:
    if not name.strip():
        raise DomainError("请填写培训班名称")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期")
    cohort = Cohort(name=name.strip(), unit=unit.strip(), starts_on=starts_on, ends_on=ends_on, created_by=creator.id)
    db.add(cohort)
    db.flush()
    db.add(CohortInstructor(cohort_id=cohort.id, user_id=creator.id))
    audit(db, creator, "cohort.create", f"cohort:{cohort.id}", name=cohort.name)
    db.commit()
    db.refresh(cohort)
    return cohort


def visible_cohorts(db: Session, user: User) -> list[Cohort]:
    query = select(Cohort).order_by(Cohort.id.desc())
    if user.role != Role.supervisor.value:
        query = query.join(CohortInstructor, CohortInstructor.cohort_id == Cohort.id).where(
            CohortInstructor.user_id == user.id)
    return list(db.exec(query))


def cohort_for(db: Session, user: User, cohort_id: int) -> Cohort:
    """The cohort, if this user may see it."""
    cohort = db.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("培训班不存在")
    if user.role == Role.supervisor.value:
        return cohort
    if user.role == Role.instructor.value and db.get(CohortInstructor, (cohort.id, user.id)):
        return cohort
    raise NotFound("培训班不存在，或您不是该培训班的教员")     # 404: another's cohort is not even confirmed


def enrolled_cohort_ids(user_id: int):
    """A query of the ids of the cohorts a trainee is enrolled in (not those waiting for approval)."""
    return select(Enrolment.cohort_id).where(Enrolment.user_id == user_id, custody.ACTIVE_ENROLMENT)


def enrolled_item(db: Session, user: User, model, item_id: int, *, missing: str, foreign: str):
    """A cohort's survey, teaching session… (any row with a ``cohort_id``) for a
    trainee enrolled in that cohort; NotFound with ``missing`` or ``foreign``
    otherwise (404: another cohort's things are not even confirmed)."""
    item = db.get(model, item_id)
    if item is None:
        raise NotFound(missing)
    enrolment = db.get(Enrolment, (item.cohort_id, user.id))
    if enrolment is None or enrolment.status != "active":
        raise NotFound(foreign)
    return item


def members(db: Session, cohort: Cohort) -> list[User]:
    """The cohort's trainees (not those waiting for a supervisor's approval)."""
    return list(db.exec(select(User).join(Enrolment, Enrolment.user_id == User.id)
                        .where(Enrolment.cohort_id == cohort.id, custody.ACTIVE_ENROLMENT)
                        .order_by(User.unit, User.display_name)))


def pending_members(db: Session, cohort: Cohort) -> list[User]:
    """Accounts enrolled by name that wait for a supervisor's approval."""
    return list(db.exec(select(User).join(Enrolment, Enrolment.user_id == User.id)
                        .where(Enrolment.cohort_id == cohort.id, Enrolment.status == "pending")
                        .order_by(User.unit, User.display_name)))


def manageable_ids(db: Session, actor: User, cohort: Cohort) -> set[int]:
    """The cohort's trainees whose accounts ``actor`` may reset or disable."""
    ids = {u.id for u in members(db, cohort)}
    return ids if actor.role == Role.supervisor.value else ids & set(db.exec(custody.held_by(actor)).all())


def instructors(db: Session, cohort: Cohort) -> list[User]:
    return list(db.exec(select(User).join(CohortInstructor, CohortInstructor.user_id == User.id)
                        .where(CohortInstructor.cohort_id == cohort.id)))


def _enrol(db: Session, actor: User, cohort: Cohort, user: User, *, created: bool) -> bool:
    """Enrol on the terms of domain/custody.py; False when already enrolled."""
    return custody.enrol(db, actor, cohort, user, created=created) is not None


def enrol_one(db: Session, actor: User, cohort: Cohort, *, username: str, display_name: str, unit: str,
              cert_no: str = "") -> str | None:
    """Enrol an officer, creating the account if needed; returns the initial
    password of a new account (None when the account existed)."""
    row = roster.check_rows([roster.RosterRow(0, display_name.strip(), unit.strip(),
                                              username.strip() if roster.PHONE.match(username.strip()) else "",
                                              "" if roster.PHONE.match(username.strip()) else username.strip(),
                                              cert_no.strip())], set())[0]
    if row.errors:
        raise DomainError("；".join(row.errors))
    user = db.exec(select(User).where(User.username == row.username)).first()
    password = None
    if user is None:
        password = accounts.initial_password()
        user = User(username=row.username, display_name=row.name, unit=row.unit, cert_no=row.cert_no,
                    role=Role.trainee.value, password_hash=accounts.hash_password(password), must_change_password=True)
        db.add(user)
        db.flush()
    _enrol(db, actor, cohort, user, created=password is not None)
    audit(db, actor, "cohort.enrol", f"cohort:{cohort.id}", username=user.username)
    db.commit()
    return password


def reset_password(db: Session, actor: User, cohort: Cohort, user_id: int, *,
                   confirmed: bool = False) -> tuple[User, str]:
    """A new initial password for a trainee of the cohort whose account ``actor``
    holds (custody.managed_trainee), shown once; their sessions end, an open
    attempt goes on (the trainee logs in again with the new password). During
    an open attempt it needs ``confirmed`` (custody.AttemptInProgress otherwise)."""
    user = custody.managed_trainee(db, actor, cohort, user_id)
    custody.confirm_during_attempt(db, user, "password", confirmed)
    password = accounts.reset_password(db, user)
    audit(db, actor, "account.reset_password", f"user:{user.id}", username=user.username, cohort_id=cohort.id)
    db.commit()
    return user, password


def set_active(db: Session, actor: User, cohort: Cohort, user_id: int, active: bool, *,
               confirmed: bool = False) -> User:
    """Disable (sessions end at once) or re-enable a trainee's account that
    ``actor`` holds; disabling during an open attempt needs ``confirmed``."""
    user = custody.managed_trainee(db, actor, cohort, user_id)
    if not active:
        custody.confirm_during_attempt(db, user, "active", confirmed)
    accounts.set_active(db, user, active)
    audit(db, actor, "account.enable" if active else "account.disable", f"user:{user.id}",
          username=user.username, cohort_id=cohort.id)
    db.commit()
    return user


def upload_roster(db: Session, actor: User, cohort: Cohort, *, filename: str, data: bytes) -> RosterUpload:
    """Read and check the roster; nothing is imported until it is confirmed."""
    rows = roster.read_roster(data)
    existing = set(db.exec(select(User.username)).all())
    rows = roster.check_rows(rows, existing)
    upload = RosterUpload(cohort_id=cohort.id, uploaded_by=actor.id, filename=filename[:256],
                          rows=[r.as_dict() for r in rows])
    db.add(upload)
    db.commit()
    db.refresh(upload)
    return upload


def upload_for(db: Session, user: User, upload_id: int) -> RosterUpload:
    upload = db.get(RosterUpload, upload_id)
    if upload is None:
        raise NotFound("名单记录不存在")
    cohort_for(db, user, upload.cohort_id)
    return upload


def confirm_upload(db: Session, actor: User, upload: RosterUpload, *, good_rows_only: bool) -> RosterUpload:
    """Import the checked roster in one transaction: every row, or (when the
    instructor confirms it) only the good rows. Creates accounts with initial
    passwords, to be changed at first login; enrols existing accounts."""
    if upload.imported_at is not None:
        raise DomainError("该名单已经导入，不能重复导入")
    rows = [roster.RosterRow(**r) for r in upload.rows]
    bad = [r for r in rows if not r.ok]
    if bad and not good_rows_only:
        raise DomainError(f"名单中有 {len(bad)} 行有误：请修改后重新上传，或确认只导入 {len(rows) - len(bad)} 行正确的记录")
    cohort = db.get(Cohort, upload.cohort_id)
    credentials = []
    enrolled = 0
    for r in rows:
        if not r.ok:
            continue
        user = db.exec(select(User).where(User.username == r.username)).first()
        created = user is None
        if user is None:
            password = accounts.initial_password()
            user = User(username=r.username, display_name=r.name, unit=r.unit, cert_no=r.cert_no,
                        role=Role.trainee.value, password_hash=accounts.hash_password(password),
                        must_change_password=True)
            db.add(user)
            db.flush()
            credentials.append({"name": r.name, "unit": r.unit, "username": r.username, "password": password})
        enrolled += _enrol(db, actor, cohort, user, created=created)
    upload.imported_at = utcnow()
    upload.credentials = credentials
    db.add(upload)
    audit(db, actor, "roster.import", f"cohort:{cohort.id}", upload=upload.id, enrolled=enrolled,
          created=len(credentials), skipped=len(bad))
    db.commit()
    db.refresh(upload)
    return upload


def credentials_workbook(db: Session, upload: RosterUpload) -> bytes:
    """The initial passwords still in use. Once a trainee has changed theirs,
    the stored initial password is void and is deleted from the upload."""
    pending = set(db.exec(select(User.username).where(User.must_change_password == True)).all())  # noqa: E712
    still = [c for c in upload.credentials if c["username"] in pending]
    if len(still) != len(upload.credentials):
        upload.credentials = still
        db.add(upload)
        db.commit()
    return workbook([Sheet("初始密码", ["姓名", "单位/镇街", "登录名", "初始密码", "说明"],
                           [[c["name"], c["unit"], c["username"], c["password"], "首次登录后须修改密码"]
                            for c in still])])
