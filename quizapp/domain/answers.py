"""Checking an answer. A question's key and a response are both lists of
option keys (a true/false question has the options T and F)."""
from __future__ import annotations

from collections.abc import Iterable

from .errors import InvalidAnswer


def normalise_response(question_type: str, option_keys: Iterable[str], raw: Iterable[str], *,
                       allow_empty: bool = False) -> list[str]:
    """The response as a sorted list of distinct option keys, or InvalidAnswer
    when it names an option that does not exist or the wrong number of them.
    ``allow_empty``: an exam answer may be cleared (it then scores nothing)."""
    keys = set(option_keys)
    chosen = sorted({str(r).strip() for r in raw if str(r).strip()})
    if not chosen:
        if allow_empty:
            return []
        raise InvalidAnswer("请先选择答案")
    unknown = [c for c in chosen if c not in keys]
    if unknown:
        raise InvalidAnswer(f"选项 {'、'.join(unknown)} 不存在")
    if question_type in ("single", "judge") and len(chosen) != 1:
        raise InvalidAnswer("此题只能选择一个答案")
    return chosen


def is_correct(key: list[str], response: list[str]) -> bool:
    """All-or-nothing: exactly the key's options, no more, no fewer."""
    return sorted(key) == sorted(response)


def normalise_case_response(parts: list[dict], raw: dict[str, list[str]], *,
                            allow_empty: bool = False) -> dict[str, list[str]]:
    """A case-analysis response, each part checked as above; in practice every
    part must be answered, in an exam parts may be answered one at a time."""
    unknown = [k for k in raw if k not in {p["id"] for p in parts}]
    if unknown:
        raise InvalidAnswer(f"小题 {'、'.join(unknown)} 不存在")
    out = {}
    for part in parts:
        try:
            out[part["id"]] = normalise_response(part["type"], part["options"].keys(), raw.get(part["id"], []),
                                                 allow_empty=allow_empty)
        except InvalidAnswer as e:
            raise InvalidAnswer(f"第 {part['id']} 小题：{e.message}") from None
    return out


def case_correct(parts: list[dict], response: dict[str, list[str]]) -> bool:
    return all(is_correct(p["answer"], response.get(p["id"], [])) for p in parts)
