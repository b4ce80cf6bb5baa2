"""A problem found in the content: where it is and what is wrong."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str          # path relative to the repository root
    line: int          # 1-based; 0 when the whole file is meant
    field: str         # the YAML field or the page element concerned
    message: str       # what is wrong, in Chinese
    severity: str = "error"   # "error" fails the check; "unchecked" is reported only

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        tag = "" if self.severity == "error" else f"[{self.severity}] "
        return f"{where}: {tag}{self.field + ': ' if self.field else ''}{self.message}"
