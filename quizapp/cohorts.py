"""培训班: cohorts, their instructors and trainees, roster imports and the
initial passwords handed out. An instructor sees only the cohorts they teach;
a supervisor sees all."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from . import accounts, custody, handover, roster
from .audit import record as audit
from .db import commit_keeping_loaded
from .domain import text as free_text
from .domain.errors import DomainError, NotFound
from .domain.password_policy import INITIAL_PASSWORD_DAYS
from .exports import Sheet, workbook
from .models import AuditEvent, Cohort, CohortInstructor, Enrolment, Role, RosterUpload, User, utcnow



def create_cohort(db: Session, *, creator: User, name: str, unit: str = "", starts_on: date | None = None,
                  ends_on: date | None = None) -> Cohort:
    name = free_text.checked(name, "培训班名称", free_text.TITLE)
    unit = free_text.checked(unit, "单位", free_text.TITLE)
    if not name:
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


@dataclass(frozen=True)
class Added:
    """A trainee added by hand: the account, its initial password when it was
    made now (None: an existing account, whose name and unit are kept), the
    enrolment's status (active, or pending a supervisor's approval), whether
    the account was in the cohort already, and the name or unit typed that
    were not used (they differ from the existing account's)."""
    user: User
    password: str | None
    status: str
    already: bool = False
    ignored: tuple[str, ...] = ()


def add_trainee(db: Session, actor: User, cohort: Cohort, *, username: str, display_name: str = "", unit: str = "",
                cert_no: str = "") -> Added:
    """Enrol an officer by login name. A new login makes an account (姓名 and
    单位 required, an initial password made); an existing one is enrolled as it
    is, on the terms of domain/custody.py: its name and unit are kept, and
    those typed are not required (any that differ are named in ``ignored``)."""
    login = username.strip()
    user = db.exec(select(User).where(User.username == login)).first() if login else None
    if user is not None:
        ignored = tuple(label for label, typed, kept in (("姓名", display_name, user.display_name),
                                                         ("单位/镇街", unit, user.unit))
                        if typed.strip() and typed.strip() != (kept or ""))
        enrolment = custody.enrol(db, actor, cohort, user, created=False)
        if enrolment is None:
            db.rollback()
            status = db.get(Enrolment, (cohort.id, user.id)).status
            return Added(user, None, status, already=True, ignored=ignored)
        audit(db, actor, "cohort.enrol", f"cohort:{cohort.id}", username=user.username)
        db.commit()
        return Added(user, None, enrolment.status, ignored=ignored)
    row = roster.check_rows([roster.RosterRow(0, display_name.strip(), unit.strip(),
                                              login if roster.PHONE.match(login) else "",
                                              "" if roster.PHONE.match(login) else login,
                                              cert_no.strip())], set())[0]
    if row.errors:
        raise DomainError("；".join(row.errors))
    password = accounts.initial_password()
    user = User(username=row.username, display_name=row.name, unit=row.unit, cert_no=row.cert_no,
                role=Role.trainee.value, password_hash=accounts.hash_password(password), must_change_password=True)
    db.add(user)
    db.flush()
    enrolment = custody.enrol(db, actor, cohort, user, created=True)
    audit(db, actor, "cohort.enrol", f"cohort:{cohort.id}", username=user.username)
    db.commit()
    return Added(user, password, enrolment.status)


def enrol_one(db: Session, actor: User, cohort: Cohort, *, username: str, display_name: str, unit: str,
              cert_no: str = "") -> str | None:
    """add_trainee, for tools and tests: the initial password of a new
    account (None when the account existed)."""
    return add_trainee(db, actor, cohort, username=username, display_name=display_name, unit=unit,
                       cert_no=cert_no).password


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


UNIT_MAX = 100


def set_unit(db: Session, actor: User, cohort: Cohort, user_id: int, unit: str) -> User:
    """Fill in or correct the unit (镇街) of a trainee ``actor`` holds (coverage counts by it; the
    supervisor's page asks the cohort's instructor to fill in a missing one); audited."""
    user = custody.managed_trainee(db, actor, cohort, user_id)
    unit = " ".join((unit or "").split())
    if not unit:
        raise DomainError("请填写单位（镇街）")
    if len(unit) > UNIT_MAX:
        raise DomainError(f"单位名称不超过 {UNIT_MAX} 个字")
    before = user.unit or ""
    user.unit = unit
    db.add(user)
    audit(db, actor, "account.set_unit", f"user:{user.id}", username=user.username, cohort_id=cohort.id,
          unit_was=before or "（未填写）", unit_now=unit)
    db.commit()
    return user


def save_upload(db: Session, actor: User, cohort: Cohort, *, filename: str,
                rows: list[roster.RosterRow]) -> RosterUpload:
    """Check the rows read from a roster (roster.read_apart) and keep them for
    the instructor to confirm; nothing is imported until it is confirmed."""
    rows = roster.check_rows(rows, _existing_usernames(db, [r.username for r in rows]))
    upload = RosterUpload(cohort_id=cohort.id, uploaded_by=actor.id, filename=filename[:256],
                          rows=[r.as_dict() for r in rows])
    db.add(upload)
    db.commit()
    db.refresh(upload)
    return upload


def upload_roster(db: Session, actor: User, cohort: Cohort, *, filename: str, data: bytes) -> RosterUpload:
    """Read the roster in this process (tools and tests; the service reads it
    in a reader process, roster.read_apart) and keep it as save_upload does."""
    return save_upload(db, actor, cohort, filename=filename, rows=roster.read_roster(data))


def _existing_usernames(db: Session, usernames: list[str]) -> set[str]:
    wanted = sorted({u for u in usernames if u})
    return set(db.exec(select(User.username).where(User.username.in_(wanted))).all()) if wanted else set()


def upload_for(db: Session, user: User, upload_id: int) -> RosterUpload:
    upload = db.get(RosterUpload, upload_id)
    if upload is None:
        raise NotFound("名单记录不存在")
    cohort_for(db, user, upload.cohort_id)
    return upload


# Rows written per transaction of an import, and the pause between two
# batches. A batch of 200 new accounts holds the write lock (SQLite) for
# about 50 ms. The pause lets waiting writers in: SQLite's writers do not
# queue for the lock but retry (every 100 ms once they have waited a while),
# so batches back to back kept an exam's saves out for the whole 1.2 s that
# two imports of 2,000 rows took to write (bench/roster_during_exam.py).
IMPORT_BATCH = 200
IMPORT_PAUSE = 0.1
ALREADY_IMPORTED = "该名单已经导入，不能重复导入"


def confirm_upload(db: Session, actor: User, upload: RosterUpload, *,
                   good_rows_only: bool, seed: bytes | None = None) -> tuple[RosterUpload, list[dict]]:
    """Import the checked roster: every row, or (when the instructor confirms
    it) only the good rows. Creates accounts with initial passwords, to be
    changed at first login; enrols existing accounts.

    An exam may be running meanwhile, so the import never holds a transaction
    (on SQLite: the write lock) for long: the initial passwords are hashed
    first, while none is open (argon2, about 7 ms each), then the rows are
    written IMPORT_BATCH at a time, each batch in a transaction of its own.
    The first batch claims the upload (a conditional update of imported_at),
    so of two confirmations only one imports; an account created meanwhile
    by someone else is enrolled as an existing one.

    Each new account's initial password is derived from ``seed``
    (handover.roster_password; a new seed when none is given): the route
    hands the seed to the instructor's next page in a sealed token
    (handover.py), which derives the workbook again (credentials_of). The
    rows are kept with what the import did to each (``created``, ``existing``).

    Returns the upload and the new accounts' initial passwords
    ({name, unit, username, password}), for credentials_workbook: they are
    stored nowhere (only their hashes)."""
    if upload.imported_at is not None:
        raise DomainError(ALREADY_IMPORTED)
    rows = [r for r in (roster.RosterRow(**r) for r in upload.rows) if not r.example]   # the template's example: skipped
    bad = [r for r in rows if not r.ok]
    if bad and not good_rows_only:
        raise DomainError(f"名单中有 {len(bad)} 行有误：请修改后重新上传，或确认只导入 {len(rows) - len(bad)} 行正确的记录")
    good = [r for r in rows if r.ok]
    existing = _existing_usernames(db, [r.username for r in good])
    cohort = db.get(Cohort, upload.cohort_id)
    commit_keeping_loaded(db)                         # no transaction while the passwords are hashed
    seed = seed or handover.new_seed()
    passwords = {r.username: handover.roster_password(seed, r.username) for r in good if r.username not in existing}
    hashes = {username: accounts.hash_password(password) for username, password in passwords.items()}
    credentials = []
    enrolled = 0
    for start in range(0, max(len(good), 1), IMPORT_BATCH):
        if start == 0 and db.exec(update(RosterUpload).where(RosterUpload.id == upload.id,
                                                             RosterUpload.imported_at == None)  # noqa: E711
                                  .values(imported_at=utcnow())).rowcount != 1:
            db.rollback()
            raise DomainError(ALREADY_IMPORTED)
        batch = good[start:start + IMPORT_BATCH]
        found = {u.username: u for u in db.exec(select(User).where(User.username.in_([r.username for r in batch])))}
        for r in batch:                               # (an account that existed at the start: no hash made)
            if r.username not in found and r.username not in passwords:
                passwords[r.username] = handover.roster_password(seed, r.username)
                hashes[r.username] = accounts.hash_password(passwords[r.username])
        new = {r.username: User(username=r.username, display_name=r.name, unit=r.unit, cert_no=r.cert_no,
                                role=Role.trainee.value, password_hash=hashes[r.username], must_change_password=True)
               for r in batch if r.username not in found}
        db.add_all(new.values())
        db.flush()                                    # the batch's new accounts in one INSERT
        for r in batch:
            if r.username in new:
                credentials.append({"name": r.name, "unit": r.unit, "username": r.username,
                                    "password": passwords[r.username]})
            enrolled += _enrol(db, actor, cohort, found.get(r.username) or new[r.username],
                               created=r.username in new)
        commit_keeping_loaded(db)
        if start + IMPORT_BATCH < len(good):
            time.sleep(IMPORT_PAUSE)                  # the exam's saves get the write lock between batches
    made = {c["username"] for c in credentials}
    marked = []
    for data in upload.rows:                          # what the import did to each row, for the pages after it
        row = roster.RosterRow(**data)
        if row.ok and not row.example:
            data = {**data, "created": row.username in made, "existing": row.username not in made}
        marked.append(data)
    upload.rows = marked
    db.add(upload)
    audit(db, actor, "roster.import", f"cohort:{cohort.id}", upload=upload.id, enrolled=enrolled,
          created=len(credentials), skipped=len(bad))
    db.commit()
    db.refresh(upload)
    return upload, credentials


@dataclass(frozen=True)
class ImportCounts:
    """What an import did (or, before it is confirmed, will do)."""
    created: int             # new accounts
    existing: int            # existing accounts enrolled
    skipped: int             # rows with errors, left out


def import_counts(db: Session, upload: RosterUpload) -> ImportCounts:
    """Before the import: what it will do, with the logins as they stand now
    (an account made since the upload is enrolled, not made). After: what it
    did, from the rows as the import marked them."""
    rows, _ = upload_rows(db, upload)
    good = [r for r in rows if r.ok]
    if upload.imported_at is None:
        return ImportCounts(sum(not r.existing for r in good), sum(r.existing for r in good), len(rows) - len(good))
    if not any("created" in r for r in upload.rows):  # imported before rows were marked: the audit entry's figures
        details = db.exec(select(AuditEvent.detail).where(AuditEvent.action == "roster.import",
                                                          AuditEvent.target == f"cohort:{upload.cohort_id}")).all()
        d = next((d for d in details if d.get("upload") == upload.id), {})
        return ImportCounts(d.get("created", 0), d.get("enrolled", 0) - d.get("created", 0), d.get("skipped", 0))
    return ImportCounts(sum(r.created for r in good), sum(not r.created for r in good), len(rows) - len(good))


def upload_rows(db: Session, upload: RosterUpload) -> tuple[list[roster.RosterRow], int]:
    """The rows of an upload to show and import, and how many example rows of
    the template were skipped. Before the import, ``existing`` is as the logins
    stand now (another import may have made some of the accounts since)."""
    rows = [roster.RosterRow(**r) for r in upload.rows]
    if upload.imported_at is None:
        now_existing = _existing_usernames(db, [r.username for r in rows if r.ok and not r.example])
        for r in rows:
            r.existing = r.ok and not r.example and r.username in now_existing
    return [r for r in rows if not r.example], sum(r.example for r in rows)


PASSWORDS_DOWNLOADED = "roster.passwords_download"


def credentials_of(db: Session, upload: RosterUpload, seed: bytes) -> list[dict]:
    """The initial passwords of the accounts an import made, derived again from
    the import's seed (handover.roster_password), for credentials_workbook."""
    rows, _ = upload_rows(db, upload)
    return [{"name": r.name, "unit": r.unit, "username": r.username,
             "password": handover.roster_password(seed, r.username)} for r in rows if r.created]


def passwords_downloaded(db: Session, upload: RosterUpload):
    """When the import's initial-password workbook was downloaded (None: not yet)."""
    events = db.exec(select(AuditEvent).where(AuditEvent.action == PASSWORDS_DOWNLOADED,
                                              AuditEvent.target == f"cohort:{upload.cohort_id}")).all()
    return next((e.at for e in events if e.detail.get("upload") == upload.id), None)


PASSWORDS_TAKEN = ("本次导入的初始密码表已经下载过，平台不保存初始密码，不能再次下载；"
                   "遗失的请在培训班页面为该学员重置密码")


def record_passwords_download(db: Session, actor: User, upload: RosterUpload, count: int) -> None:
    """The workbook is given once: its download is audited, and a second is refused."""
    if passwords_downloaded(db, upload) is not None:
        raise handover.HandoverExpired(PASSWORDS_TAKEN)
    audit(db, actor, PASSWORDS_DOWNLOADED, f"cohort:{upload.cohort_id}", upload=upload.id, accounts=count)
    db.commit()


def credentials_workbook(credentials: list[dict]) -> bytes:
    """The initial-password workbook of an import or a reset, made from the
    passwords in memory: it is the answer to that request, and never kept."""
    days = INITIAL_PASSWORD_DAYS
    return workbook([Sheet("初始密码", ["姓名", "单位/镇街", "登录名", "初始密码", "说明"],
                           [[c["name"], c["unit"], c["username"], c["password"],
                             f"首次登录后须修改密码；{days} 天内未使用即失效"] for c in credentials])])


def lift_throttle(db: Session, actor: User, cohort: Cohort, user_id: int) -> User:
    """Forgive a trainee's failed logins so far (accounts.lift_throttle), for an
    actor who holds the account (custody.managed_trainee); audited."""
    user = custody.managed_trainee(db, actor, cohort, user_id)
    accounts.lift_throttle(db, user)
    audit(db, actor, "account.lift_throttle", f"user:{user.id}", username=user.username, cohort_id=cohort.id)
    db.commit()
    return user
