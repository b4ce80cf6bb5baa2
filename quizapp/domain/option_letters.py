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
    as "BD" or "DB" -> "BD"). Runs that are not references, or name a key
    the mapping lacks, are left as they are."""
    if not text or all(k == v for k, v in mapping.items()):
        return text

    def one(m: re.Match) -> str:
        run = m.group(0)
        if not _is_reference(run) or any(c not in mapping for c in run):
            return run
        return "".join(sorted(mapping[c] for c in run))

    return LATIN_RUN.sub(one, text)
