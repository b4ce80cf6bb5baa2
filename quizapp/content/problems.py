"""A problem found in the content: where it is and what is wrong.

Severity
--------
``error``      fails the check (``python -m quizapp.content check`` exits 1,
               and so does CI).
``warning``    a 修订提醒: the text is still correct for the version it names,
               but a newer version of that statute in the corpus reads
               differently (see :func:`amendments.amended_quote_warnings`).
               Reported, never fails the check.
``unchecked``  a citation of an outside rule (``outside-rules.yaml``) that the
               checker cannot verify. Reported, never fails the check.

``hint`` is optional further help shown under the problem in the checker's
report, e.g. for a quotation that is not verbatim what the corpus says there
and where the two first differ. ``str()`` keeps the one-line form
``file:line: [severity] field: message`` (other commands print it) and adds
the hint after a "；".
"""
from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("error", "warning", "unchecked")


@dataclass(frozen=True, order=True)
class Problem:
    file: str          # path relative to the repository root
    line: int          # 1-based; 0 when the whole file is meant
    field: str         # the YAML field or the page element concerned
    message: str       # what is wrong, in Chinese
    severity: str = "error"   # see SEVERITIES: only "error" fails the check
    hint: str = ""     # further help, one item a line (e.g. the corpus wording)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        tag = "" if self.severity == "error" else f"[{self.severity}] "
        hint = "；" + "；".join(self.hint.splitlines()) if self.hint else ""
        return f"{where}: {tag}{self.field + ': ' if self.field else ''}{self.message}{hint}"
