"""The handbook's content model, shared by the MkDocs hook and the checker.

Design
------
Data flow: ``handbook/statutes/`` (corpus copy + manifest) -> :mod:`statutes`
parses every statute version into articles; ``handbook/**/*.md`` ->
:mod:`pages` reads each page into headings, anchors, links, quotations,
易错点 and citations (with line numbers); ``question_bank/**/*.yaml`` ->
:mod:`questions` reads and validates the bank (with line numbers);
``handbook/revisions.yaml`` -> :mod:`revisions` reads the 修订记录.
:mod:`site` joins them: every page (real or generated statute page), its
anchors, and the link graph with its backlinks. :mod:`check` turns the whole
into a list of problems (file, line, field, message); the MkDocs hook
(``hooks/handbook.py``) uses :mod:`site` to generate statute pages and the
"本条/本节被以下内容引用" lists, the 易错点 indexes and the 修订记录 page.
:mod:`cli` is the command line (``python -m quizapp.content check|impact|
import-excel|export``).

Nothing here imports FastAPI or the database: the checker runs anywhere.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "handbook"
STATUTES = HANDBOOK / "statutes"
QUESTION_BANK = ROOT / "question_bank"
