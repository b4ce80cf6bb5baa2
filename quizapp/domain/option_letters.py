"""Option letters in explanations, mapped to the letters a trainee was shown.

The bank writes explanations with its own letters ("B项错误", "正确答案为ACD");
a shuffled paper or practice presentation shows the options in another order,
lettered A, B, C … by position. :func:`relabel` rewrites every option letter
of an explanation to the letter shown, so an explanation never contradicts the
screen; :func:`unmappable` is what the content checker rejects: a text whose
letters cannot be mapped unambiguously.

A letter reference is a maximal run of ASCII letters that consists only of
upper-case option keys, each once, in ascending order ("B", "ACD"). Runs with
other letters ("PDF", "FSRS", "WiFi") are words and stay as they are.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

LATIN_RUN = re.compile(r"[A-Za-z]+")
# A list of single letters joined by 、 ("A、D项错误"): mapped as one reference and re-sorted, so that
# it never reads "C、B" on the screen; else each run alone.
LETTER_LIST_OR_RUN = re.compile(r"(?<![A-Za-z])[A-Z](?:、[A-Z])+(?![A-Za-z])|[A-Za-z]+")
OPTION_LETTERS = "ABCDEF"


def _is_reference(run: str) -> bool:
    return all(c in OPTION_LETTERS for c in run)


def unmappable(text: str, keys: Sequence[str]) -> list[str]:
    """The letter runs of ``text`` that look like option references but cannot
    be mapped for a question with option ``keys``: a letter the question does
    not have, a letter twice, letters out of order. Empty when all is well."""
    bad = []
    for run in LATIN_RUN.findall(text or ""):
        if not _is_reference(run):
            continue
        if any(c not in keys for c in run) or len(set(run)) != len(run) or list(run) != sorted(run):
            bad.append(run)
    return bad


def shown_letters(order: Sequence[str]) -> dict[str, str]:
    """Bank key -> the letter shown for the options in ``order`` (by position)."""
    return {key: OPTION_LETTERS[n] for n, key in enumerate(order)}


def relabel(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` with every option reference mapped through ``mapping`` (bank
    key -> shown letter); a run of several letters is re-sorted ("AC" shown
    as "BD" or "DB" -> "BD"), and so is a list joined by 、 ("A、D" shown as
    "C、B" -> "B、C"). Runs that are not references, or name a key the
    mapping lacks, are left as they are."""
    if not text or all(k == v for k, v in mapping.items()):
        return text

    def one(m: re.Match) -> str:
        run = m.group(0)
        if not _is_reference(run) or any(c not in mapping for c in run):
            return run
        return "".join(sorted(mapping[c] for c in run))

    def list_or_run(m: re.Match) -> str:
        parts = m.group(0).split("、")
        if len(parts) > 1 and all(_is_reference(p) and p in mapping for p in parts):
            return "、".join(sorted(mapping[p] for p in parts))
        return "、".join(LATIN_RUN.sub(one, p) for p in parts)

    return LETTER_LIST_OR_RUN.sub(list_or_run, text)
