"""赋权事项清单: a supervisor uploads the county's list of delegated items,
checks the preview (row by row, each row's catalogue match and its
confidence), corrects the matches it disagrees with and confirms it;
supervisors and instructors read the report (what the handbook covers, what
it does not, what the county did not delegate) and download the editors'
to-do list. 赋权评估: supervisors see each delegated item's readiness
(quizapp/readiness.py) as a table and a chart, and export it. Every
logged-in reader's handbook greys the items the county did not delegate
(/api/items/delegated), county-wide: the list's 赋权范围/镇街 is shown on
its pages, not applied per unit.

Who may call what: GET pages and downloads: supervisors and instructors;
POST (upload, correct, confirm): supervisors only; /api/items/delegated:
anyone (a visitor gets no list, as /api/whoami gets no name: a 200). The
upload is read by roster.py's reader process with the roster's limits;
nothing counts until confirmed.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from ... import county_list, readiness, roster
from ...content.items import catalogue
from ...content.statutes import Corpus
from ...domain import readiness as readiness_rules
from ...domain.errors import DomainError
from ...exports import XLSX, Sheet, workbook
from ...models import CountyList, User
from ..deps import MaybeUser, SessionDep, StaffUser
from ..render import local_time, page
from .supervisor import FIRST_YEAR, LAST_YEAR, Supervisor

router = APIRouter()
PREFIX = "/supervisor/items"


def _corpus(request: Request) -> Corpus:
    state = request.app.state
    if getattr(state, "corpus", None) is None:
        state.corpus = Corpus()
    return state.corpus


def _home(request: Request, db, status_code: int = 200, error: str = ""):
    lists = db.exec(select(CountyList).order_by(CountyList.id.desc()).limit(20)).all()
    current = county_list.active(db)
    rep = county_list.report(county_list.rows_of(current), list(catalogue().values())) if current else None
    return page(request, "county_lists.html", status_code=status_code, lists=lists, current=current, rep=rep,
                error=error, items=len(catalogue()), max_rows=roster.MAX_ROWS)


@router.get(PREFIX + "/")
def lists_home(request: Request, db: SessionDep, user: StaffUser):
    return _home(request, db)


@router.post(PREFIX + "/lists")
async def list_upload(request: Request, db: SessionDep, user: Supervisor, file: Annotated[UploadFile, File()],
                      title: Annotated[str, Form(max_length=400)] = ""):
    data = await file.read(roster.MAX_FILE_BYTES + 1)
    try:
        rows = [county_list.ListRow(**r) for r in await roster.read_rows_apart(data, "county-list")]
        checked = county_list.check_and_match(rows, list(catalogue().values()), _corpus(request))
        saved = await run_in_threadpool(county_list.save_pending, db, user, title, file.filename or "清单.xlsx",
                                        checked)
    except DomainError as e:
        return await run_in_threadpool(_home, request, db, e.status, e.message)
    return RedirectResponse(f"{PREFIX}/lists/{saved.id}", status_code=303)


@router.get(PREFIX + "/lists/{list_id}")
def list_detail(list_id: int, request: Request, db: SessionDep, user: StaffUser, corrected: int = -1):
    """A list: its preview until confirmed (``corrected``: how many rows the last correction changed)."""
    return _detail(request, db, user, list_id, corrected=corrected)


def _detail(request: Request, db, user: User, list_id: int, error: str = "", corrected: int = -1,
            status_code: int = 200):
    found = county_list.list_for(db, list_id)
    items = catalogue()
    rep = county_list.report(county_list.rows_of(found), list(items.values()))
    people = {u.id: u for u in db.exec(select(User).where(User.id.in_(
        [i for i in (found.uploaded_by, found.confirmed_by) if i])))}
    editable = found.status == "pending" and user.role == "supervisor"
    choices = {r.row: county_list.choice_groups(r, list(items.values())) for r in rep.rows if r.ok} if editable else {}
    notice = ("" if not 0 <= corrected <= len(rep.rows) else f"已更正 {corrected} 行的对应事项。" if corrected
              else "对应事项没有变化。")
    return page(request, "county_list.html", status_code=status_code, found=found, rep=rep, items=items,
                people=people, low=county_list.LOW_CONFIDENCE, error=error, notice=notice, editable=editable,
                choices=choices, manual=county_list.MANUAL, no_item=county_list.NO_ITEM)


MATCH_FIELD = "match-"             # the preview's select for a row: match-<sheet row> = item id | NO_ITEM


@router.post(PREFIX + "/lists/{list_id}/matches")
async def list_correct(list_id: int, request: Request, db: SessionDep, user: Supervisor):
    """The preview's corrections: each row's chosen catalogue item (or 手册无对应事项)."""
    form = await request.form()
    choices = {}
    for key, value in form.multi_items():
        number = key.removeprefix(MATCH_FIELD)
        if key.startswith(MATCH_FIELD) and number.isdigit() and isinstance(value, str) and value:
            choices[int(number)] = value[:40]
    try:
        changed = await run_in_threadpool(county_list.correct, db, user, list_id, choices, catalogue())
    except DomainError as e:
        return await run_in_threadpool(_detail, request, db, user, list_id, e.message, -1, e.status)
    return RedirectResponse(f"{PREFIX}/lists/{list_id}?corrected={changed}#rows", status_code=303)


@router.post(PREFIX + "/lists/{list_id}/confirm")
def list_confirm(list_id: int, request: Request, db: SessionDep, user: Supervisor):
    try:
        county_list.confirm(db, user, list_id)
    except DomainError as e:
        return _detail(request, db, user, list_id, error=e.message)
    return RedirectResponse(f"{PREFIX}/lists/{list_id}", status_code=303)


def _rows_sheet(title: str, rows, items) -> Sheet:
    return Sheet(title, ["行号", "序号", "事项名称", "原行使部门", "职权类型", "执法依据", "赋权范围/镇街",
                         "对应手册事项", "匹配方式", "可信度", "请核对", "说明"],
                 [[r.row, r.seq, r.name, r.department, r.kind, r.basis, r.scope,
                   items[r.item_id].name if r.item_id in items else "", r.method,
                   None if r.corrected else r.confidence or None, "是" if r.needs_check else "",
                   "；".join(r.errors + r.notes)] for r in rows])


@router.get(PREFIX + "/lists/{list_id}/report.xlsx")
def list_report_xlsx(list_id: int, db: SessionDep, user: StaffUser):
    """The whole match report: covered, not covered (the editors' to-do list), refused, not delegated."""
    found = county_list.list_for(db, list_id)
    items = catalogue()
    rep = county_list.report(county_list.rows_of(found), list(items.values()))
    sheets = [_rows_sheet("手册未覆盖（编辑待办）", rep.uncovered, items),
              _rows_sheet("已覆盖", rep.covered, items),
              _rows_sheet("未导入的行", rep.refused, items),
              Sheet("手册有而本县未下放", ["事项编号", "事项名称", "职权类型", "原行使部门"],
                    [[i.id, i.name, i.kind, i.department] for i in rep.not_delegated])]
    return Response(workbook(sheets), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''county-list-report.xlsx"})


@router.get("/api/items/delegated")
def delegated(db: SessionDep, user: MaybeUser):
    """For the handbook's catalogue pages (javascripts/items-filter.js): the
    items the county's list delegates, to grey the others, and the day it was
    confirmed (platform time zone). No list, or a visitor: no list, as a 200
    (a visitor is no error, the console stays quiet; /api/whoami likewise)."""
    current = county_list.active(db) if user is not None else None
    if current is None:
        return {"list": None, "ids": [], "confirmed": None}
    return {"list": current.title, "ids": county_list.delegated_ids(current),
            "confirmed": local_time(current.confirmed_at, "%Y-%m-%d") or None}


# --- 赋权评估 by item -----------------------------------------------------------------------------

def _year(year: int | None) -> int:
    today = date.today().year
    if year is None:
        return today
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(f"年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 之间")
    return year


@router.get(PREFIX + "/readiness")
def readiness_page(request: Request, db: SessionDep, user: Supervisor, year: int | None = None):
    rows, title = readiness.table(db, _year(year))
    counts = {r: sum(row.reading == r for row in rows) for r in readiness_rules.READINGS}
    return page(request, "item_readiness.html", rows=rows, title=title, year=_year(year), counts=counts,
                rule=readiness_rules.RULE, readings=readiness_rules)


@router.get(PREFIX + "/readiness.xlsx")
def readiness_xlsx(db: SessionDep, user: Supervisor, year: int | None = None):
    year = _year(year)
    rows, title = readiness.table(db, year)
    sheet = Sheet(f"{year}年赋权事项评估", ["事项编号", "事项名称", "职权类型", "原行使部门", "作答次数", "作答人数", "正确率",
                                      "训前调查平均把握度（1–5）", "调查填报人数", "评估结论"],
                  [[r.item.id, r.item.name, r.item.kind, r.item.department, r.evidence.answers, r.evidence.officers,
                    r.evidence.accuracy, round(r.evidence.confidence, 2) if r.evidence.confidence is not None else None,
                    r.evidence.respondents, r.reading] for r in rows], {6: "0%"})
    rule = Sheet("评估规则", ["说明"], [[f"依据清单：{title or '（尚无确认的清单）'}"], [readiness_rules.RULE]])
    return Response(workbook([sheet, rule]), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''item-readiness.xlsx"})
