"""执法监督: units (镇街) and their officer rosters, whole-force rotation
training coverage, and the weak-area map, over all cohorts.

Data flow: a supervisor keeps the units (name and aliases) and each unit's
officers (added one by one on the unit's page, or imported from an Excel
roster read by roster.read_apart with the cohort roster's limits and
checks). ``coverage`` reads the year's cohorts, enrolments and certifying
attempts, matches each officer to accounts by login name or 执法证号 and
leaves the arithmetic to domain/supervision.py. Every change to a unit or a
roster is in the audit log (names kept, since a unit or officer may be removed). Trainees' free-text units
that map to no unit are listed (``unmatched``) so they can be added as aliases.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from . import roster
from .audit import record as audit
from .domain import supervision as rules
from .domain import text as free_text
from .domain.errors import DomainError, NotFound
from .models import Attempt, Cohort, Enrolment, Exam, Officer, Question, Role, Unit, User

MAX_UNITS = 500                  # a county has a few dozen townships and departments
MAX_ALIASES = 20


class SupervisionError(DomainError):
    status = 422


# --- units -------------------------------------------------------------------------------------

def units(db: Session) -> list[Unit]:
    return list(db.exec(select(Unit).order_by(Unit.name)))


def unit_for(db: Session, unit_id: int) -> Unit:
    unit = db.get(Unit, unit_id)
    if unit is None:
        raise NotFound("没有这个单位（可能已被删除）")
    return unit


def index(db: Session, *, without: int | None = None) -> rules.UnitIndex:
    return rules.UnitIndex((u.id, u.name, u.aliases) for u in units(db) if u.id != without)


def _check_names(db: Session, name: str, aliases: list[str], unit_id: int | None) -> None:
    if not name:
        raise SupervisionError("请填写单位名称")
    if len(aliases) > MAX_ALIASES:
        raise SupervisionError(f"别名最多 {MAX_ALIASES} 个")
    for alias in aliases:
        free_text.checked(alias, "别名", free_text.TITLE)
    others = index(db, without=unit_id)
    for spelling in (name, *aliases):
        taken = others.find(spelling)
        if taken is not None:
            raise SupervisionError(f"“{spelling}”已是单位“{db.get(Unit, taken).name}”的名称或别名")


def save_unit(db: Session, unit_id: int | None, *, name: str, aliases: str, actor: User | None = None) -> Unit:
    """Add a unit (unit_id None) or change one's name and aliases (one a line); audited."""
    name = free_text.checked(name, "单位名称", free_text.TITLE)
    alias_list = rules.clean_aliases(aliases, name)
    if unit_id is None:
        if len(units(db)) >= MAX_UNITS:
            raise SupervisionError(f"单位最多 {MAX_UNITS} 个")
        unit = Unit(name=name)
    else:
        unit = unit_for(db, unit_id)
    _check_names(db, name, alias_list, unit_id)
    before = (unit.name, list(unit.aliases or []))
    unit.name, unit.aliases = name, alias_list
    db.add(unit)
    db.flush()
    if unit_id is None:
        audit(db, actor, "unit.create", f"unit:{unit.id}", unit=name, aliases="、".join(alias_list))
    elif before != (name, alias_list):
        audit(db, actor, "unit.edit", f"unit:{unit.id}", unit=name, before=before[0],
              aliases="、".join(alias_list))
    db.commit()
    db.refresh(unit)
    return unit


def add_alias(db: Session, unit_id: int | None, alias: str, actor: User | None = None) -> Unit:
    """Add one spelling (an unmatched trainee unit) to a unit's aliases (unit_id None: none chosen)."""
    if not unit_id:
        raise SupervisionError("请选择要把这个名称加为哪个单位的别名")
    unit = unit_for(db, unit_id)
    alias = free_text.checked(alias, "别名", free_text.TITLE)
    if not alias:
        raise SupervisionError("请填写要加为别名的单位名称")
    return save_unit(db, unit_id, name=unit.name, aliases="\n".join([*unit.aliases, alias]), actor=actor)


def delete_unit(db: Session, unit_id: int, actor: User | None = None) -> None:
    unit = unit_for(db, unit_id)
    if db.exec(select(Officer.id).where(Officer.unit_id == unit.id)).first() is not None:
        raise SupervisionError(f"单位“{unit.name}”的名册中还有执法人员：请先移除或移到其他单位")
    audit(db, actor, "unit.delete", f"unit:{unit.id}", unit=unit.name)
    db.delete(unit)
    db.commit()


# --- officers ----------------------------------------------------------------------------------

def officers(db: Session, unit: Unit) -> list[Officer]:
    return list(db.exec(select(Officer).where(Officer.unit_id == unit.id).order_by(Officer.name, Officer.id)))


def officer_for(db: Session, officer_id: int) -> Officer:
    officer = db.get(Officer, officer_id)
    if officer is None:
        raise NotFound("名册中没有这名执法人员（可能已被移除）")
    return officer


def _row_errors(db: Session, row: roster.RosterRow, officer_id: int | None) -> list[str]:
    """roster.check_rows' checks of one person, and the login not on another officer."""
    errors = roster.check_rows([row], set())[0].errors
    other = db.exec(select(Officer).where(Officer.login == row.username)).first() if row.username else None
    if other is not None and other.id != officer_id:
        errors.append(f"登录名 {row.username} 已在名册中（{other.name}）")
    return errors


def save_officer(db: Session, officer_id: int | None, *, unit_id: int, name: str, phone: str = "",
                 staff_no: str = "", cert_no: str = "", actor: User | None = None) -> Officer:
    """Add an officer to a unit's roster (officer_id None) or change one; audited."""
    unit = unit_for(db, unit_id)
    row = roster.RosterRow(0, name.strip(), unit.name, phone.strip(), staff_no.strip(), cert_no.strip())
    errors = _row_errors(db, row, officer_id)
    if errors:
        raise SupervisionError("；".join(errors))
    officer = Officer(unit_id=unit.id, name="", login="") if officer_id is None else officer_for(db, officer_id)
    moved_from = officer.unit_id if officer_id is not None and officer.unit_id != unit.id else None
    officer.unit_id, officer.name, officer.login, officer.cert_no = unit.id, row.name, row.username, row.cert_no
    db.add(officer)
    extra = {"moved_from": unit_for(db, moved_from).name} if moved_from else {}
    audit(db, actor, "officer.add" if officer_id is None else "officer.edit", f"unit:{unit.id}",
          unit=unit.name, officer=row.name, **extra)
    db.commit()
    db.refresh(officer)
    return officer


def remove_officer(db: Session, officer_id: int, actor: User | None = None) -> Unit:
    officer = officer_for(db, officer_id)
    unit = unit_for(db, officer.unit_id)
    audit(db, actor, "officer.remove", f"unit:{unit.id}", unit=unit.name, officer=officer.name)
    db.delete(officer)
    db.commit()
    return unit


@dataclass
class Imported:
    added: int
    updated: int


def import_officers(db: Session, rows: list[roster.RosterRow], actor: User | None = None) -> Imported:
    """The rows of an officer roster (roster.read_apart), all or nothing: any
    row with a problem refuses the whole file with every row's messages. Each
    row's unit must be a unit's name or alias; an officer already on a roster
    (same login name) is updated, and moved if the unit changed."""
    rows = [r for r in rows if not r.example]
    rows = roster.check_rows(rows, set())
    found = index(db)
    for r in rows:
        if r.unit and found.find(r.unit) is None:
            r.errors.append(f"单位“{r.unit}”不在单位列表中：请先添加该单位，或把这种写法加为某单位的别名")
    bad = [r for r in rows if r.errors]
    if bad:
        shown = [f"第 {r.row} 行：{'；'.join(r.errors)}" for r in bad[:20]]
        more = f"（另有 {len(bad) - 20} 行有问题）" if len(bad) > 20 else ""
        raise SupervisionError(f"名册有 {len(bad)} 行有问题，未导入任何人员，请改正后重新上传。" + " ".join(shown) + more)
    existing = {o.login: o for o in db.exec(select(Officer).where(Officer.login.in_([r.username for r in rows])))}
    added = updated = 0
    for r in rows:
        officer = existing.get(r.username)
        if officer is None:
            officer = Officer(unit_id=0, name="", login=r.username)
            added += 1
        else:
            updated += 1
        officer.unit_id, officer.name, officer.cert_no = found.find(r.unit), r.name, r.cert_no or officer.cert_no
        db.add(officer)
    audit(db, actor, "officer.import", "units", added=added, updated=updated)
    db.commit()
    return Imported(added, updated)


# --- coverage ----------------------------------------------------------------------------------

def _in_year(cohort: Cohort, year: int) -> bool:
    """A cohort of the year: its dates touch the year (no dates: the year it was created)."""
    start = cohort.starts_on or cohort.ends_on
    end = cohort.ends_on or cohort.starts_on
    if start is None:
        return cohort.created_at.year == year
    return start.year <= year <= end.year


@dataclass
class CoverageReport:
    year: int
    rows: list[rules.UnitCoverage]
    total: rules.UnitCoverage
    unmatched: list[rules.Unmatched]          # trainees' unit names that map to no unit


def _matched(db: Session, year: int) -> tuple[list[User], dict[int, tuple[bool, bool]]]:
    """The trainee accounts, and for each officer on a roster: (trained, passed) in ``year``
    through the accounts matched to them by login name or 执法证号."""
    cohort_ids = [c.id for c in db.exec(select(Cohort)) if _in_year(c, year)]
    trained_users = set(db.exec(select(Enrolment.user_id).where(Enrolment.cohort_id.in_(cohort_ids),
                                                                Enrolment.status == "active"))) if cohort_ids else set()
    passed_users = {a.user_id for a in db.exec(
        select(Attempt).join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.passed == True, Exam.purpose == "exam", Exam.certifying == True))  # noqa: E712 - 结业考试 only
        if a.submitted_at and a.submitted_at.year == year}
    trainees = list(db.exec(select(User).where(User.role == Role.trainee.value)))
    by_login = {u.username: u.id for u in trainees}
    by_cert: dict[str, set[int]] = {}
    for u in trainees:
        if u.cert_no.strip():
            by_cert.setdefault(u.cert_no.strip(), set()).add(u.id)
    status = {}
    for o in db.exec(select(Officer)):
        matched = ({by_login[o.login]} if o.login in by_login else set()) | by_cert.get(o.cert_no.strip(), set())
        status[o.id] = (bool(matched & trained_users), bool(matched & passed_users))
    return trainees, status


def officer_status(db: Session, year: int | None = None) -> dict[int, tuple[bool, bool]]:
    """Officer id -> (trained, passed) this year (or in ``year``)."""
    return _matched(db, year or date.today().year)[1]


def coverage(db: Session, year: int | None = None) -> CoverageReport:
    year = year or date.today().year
    trainees, status = _matched(db, year)
    all_units = units(db)
    roster_officers = [rules.RosterOfficer(o.unit_id, o.name, *status[o.id]) for o in db.exec(select(Officer))]
    rows = rules.coverage(((u.id, u.name) for u in all_units), roster_officers)
    found = rules.UnitIndex((u.id, u.name, u.aliases) for u in all_units)
    unmatched = rules.unmatched_units((u.unit for u in trainees if u.active), found)
    return CoverageReport(year, rows, rules.total(rows), unmatched)


def unitless_accounts(db: Session) -> list[User]:
    """Active trainee accounts with no unit filled in: they count toward no unit's coverage (listed
    beside it as 未填写单位的账号, so an instructor can fill the unit in), by name."""
    trainees = db.exec(select(User).where(User.role == Role.trainee.value, User.active == True))  # noqa: E712
    return sorted((u for u in trainees if not rules.unit_key(u.unit)), key=lambda u: (u.display_name, u.username))


def weak_areas(db: Session) -> dict[str, dict[str, rules.AreaCell]]:
    """Volume -> step -> the percent scored over every graded exam item, and how many answers."""
    questions = {q.id: (q.volume, q.step) for q in db.exec(select(Question))}
    items = []
    for a in db.exec(select(Attempt).where(Attempt.status == "graded")):
        for item in a.paper:
            volume, step = questions.get(item["question_id"], ("", ""))
            items.append((volume, step, a.item_scores.get(item["question_id"], 0.0), item["points"]))
    return rules.area_matrix(items)
