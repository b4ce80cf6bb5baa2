"""Summarise py-spy's collapsed stacks (``--format raw``): where the server's time goes.

    .venv/bin/python bench/pyspy_summary.py bench/.var/saturation.txt [--top 30] [--match quizapp]

Prints, per function, the share of samples in which it is on the stack
(inclusive) and on top of it (self)."""
from __future__ import annotations

import argparse
import re
from collections import Counter


def package(frame: str) -> str:
    """'f (sqlalchemy/orm/session.py)' -> 'sqlalchemy'; the standard library by module."""
    found = re.search(r"\(([^)]*)\)$", frame)
    path = found.group(1) if found else frame
    top = path.split("/")[0]
    return top if "/" in path else f"stdlib:{path.removesuffix('.py')}"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--match", default="", help="only functions whose frame text contains this")
    args = p.parse_args()
    inclusive, own, total, packages = Counter(), Counter(), 0, Counter()
    for line in open(args.file):
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]   # one entry per function, not per line
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
        packages[package(frames[-1])] += n
    print(f"{total} samples; self time by package:")
    for name, n in packages.most_common(15):
        print(f"{100 * n / total:6.1f}  {name}")
    print(f"{'incl%':>6} {'self%':>6}  function")
    for f, n in inclusive.most_common():
        if args.match and args.match not in f:
            continue
        print(f"{100 * n / total:6.1f} {100 * own[f] / total:6.1f}  {f[:150]}")
        args.top -= 1
        if args.top <= 0:
            break


if __name__ == "__main__":
    main()
