"""Reading an answer from a posted form: a list of option keys, or for a
case-analysis question a mapping part id -> option keys."""
from __future__ import annotations

from starlette.datastructures import FormData

from ..models import Question


def response_from_form(question: Question, form: FormData) -> list[str] | dict[str, list[str]]:
    if question.type == "case":
        return {p["id"]: [str(v) for v in form.getlist(f"part-{p['id']}")] for p in question.parts}
    return [str(v) for v in form.getlist("choice")]
