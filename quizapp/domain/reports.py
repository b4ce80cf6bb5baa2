"""纠错与建议: the rules of readers' reports and their handling by editors.
Plain data and functions; no database."""
from __future__ import annotations

from .errors import DomainError

CATEGORIES = {"statute": "法条引用有误", "unclear": "表述不清", "case": "案例与实际不符",
              "answer": "题目答案有误", "other": "其他"}
STATUSES = {"new": "新提交", "in_progress": "处理中", "accepted": "已采纳", "rejected": "未采纳"}
OPEN, CLOSED = frozenset({"new", "in_progress"}), frozenset({"accepted", "rejected"})
MAX_TEXT = 2000
FLAG_AT = 2          # open reports on one question that mark it in the practice pool


class ReportRejected(DomainError):
    status = 422


class ReportConflict(DomainError):
    status = 409


def clean_report(category: str, text: str) -> str:
    """The report's text, stripped; ReportRejected (in Chinese) for an unknown
    category, an empty text or one over MAX_TEXT characters."""
    if category not in CATEGORIES:
        raise ReportRejected("请选择问题类别")
    text = (text or "").strip()
    if not text:
        raise ReportRejected("请写明问题或建议的具体内容")
    if len(text) > MAX_TEXT:
        raise ReportRejected(f"内容过长：{len(text)} 字，最多 {MAX_TEXT} 字，请精简或分条提交")
    return text


def check_handling(status: str, answer: str) -> str:
    """An editor's new status and answer: closing a report needs an answer to the reader."""
    if status not in STATUSES:
        raise ReportRejected("处理状态无效")
    answer = (answer or "").strip()
    if len(answer) > MAX_TEXT:
        raise ReportRejected(f"答复过长：最多 {MAX_TEXT} 字")
    if status in CLOSED and not answer:
        raise ReportRejected("采纳或不采纳时，请填写给反馈人的答复")
    return answer


SUSPEND_REASON_NEEDED = "请填写暂停使用的原因（如：答案待核实），原因记入操作日志"


def check_suspension(suspended: bool, reason: str) -> str:
    """Suspending a question takes it out of every new paper and practice at once: it needs a reason
    (ReportRejected in Chinese when empty); putting it back does not."""
    reason = (reason or "").strip()
    if suspended and not reason:
        raise ReportRejected(SUSPEND_REASON_NEEDED)
    return reason


def flagged(open_counts: dict[str, int]) -> dict[str, int]:
    """Questions with at least FLAG_AT open reports -> how many."""
    return {q: n for q, n in open_counts.items() if n >= FLAG_AT}


# --- the option order the reporter saw ----------------------------------------------------------

def _permutation(raw: str, keys: list[str]) -> str:
    """``raw`` if it is an order of exactly ``keys`` (each once), else ''."""
    raw = (raw or "").strip()
    return raw if len(raw) == len(keys) and sorted(raw) == sorted(keys) else ""


def clean_shown_order(order: str, part_orders: dict[str, str], keys: list[str], parts: list[dict]) -> dict:
    """The order in which a trainee saw a question's options (practice and exam papers shuffle them), as
    stored with a report: {"order": "CABD", "parts": {"1": "BA"}}; anything that is not an order of the
    question's own options is left out ({}: unknown)."""
    out: dict = {}
    if _permutation(order, keys):
        out["order"] = order.strip()
    shown_parts = {p["id"]: _permutation(part_orders.get(p["id"], ""), list(p["options"])) for p in parts}
    if any(shown_parts.values()):
        out["parts"] = {pid: o for pid, o in shown_parts.items() if o}
    return out


LETTERS = "ABCDEF"


def letter_pairs(order: str) -> list[tuple[str, str]]:
    """(letter the trainee saw, the bank's letter) for options shown in ``order`` ("CAB": A = C, B = A, C = B)."""
    return [(LETTERS[n], key) for n, key in enumerate(order)]
