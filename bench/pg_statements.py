"""What PostgreSQL spent its time on during a benchmark, statement by statement.

    # once: PostgreSQL loads the extension at start (then restart it)
    psql -h 127.0.0.1 -U postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
    pg_ctlcluster 15 main restart
    psql -h 127.0.0.1 -U postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

    .venv/bin/python bench/pg_statements.py record DIR      # beside the run: reset, then a snapshot every 5 s
    .venv/bin/python bench/pg_statements.py diff A B        # two snapshots (A may be /dev/null: from the reset)

A snapshot is a file named by its UTC time (HHMMSS.txt); diff prints, for the
statements that ran between two of them, the execution time, the calls, the
time per call and the WAL written per call, the costliest first. Execution
time includes waiting for a core when the machine is saturated.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-AtF", "|", "-c"]
SNAPSHOT = ("select queryid, calls, round(total_exec_time::numeric, 1), rows, shared_blks_read, wal_bytes, "
            "left(regexp_replace(query, '\\s+', ' ', 'g'), 160) from pg_stat_statements "
            "order by total_exec_time desc limit 60")


def record(folder: Path, every: float = 5.0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([*PSQL, "select pg_stat_statements_reset()"], check=True, capture_output=True)
    while True:
        out = subprocess.run([*PSQL, SNAPSHOT], capture_output=True, text=True).stdout
        (folder / f"{time.strftime('%H%M%S', time.gmtime())}.txt").write_text(out)
        time.sleep(every)


def load(path: str) -> dict[str, tuple[int, float, int, str]]:
    rows = {}
    for line in Path(path).read_text().splitlines():
        parts = line.split("|", 6)
        if len(parts) == 7:
            rows[parts[0]] = (int(parts[1]), float(parts[2]), int(parts[5] or 0), parts[6])
    return rows


def diff(a: str, b: str, top: int = 15) -> None:
    before, after = load(a), load(b)
    rows = []
    for key, (calls, ms, wal, query) in after.items():
        calls0, ms0, wal0, _ = before.get(key, (0, 0.0, 0, query))
        if calls > calls0:
            rows.append((ms - ms0, calls - calls0, wal - wal0, query))
    rows.sort(reverse=True)
    print(f"total exec ms {sum(r[0] for r in rows):.0f}")
    for ms, calls, wal, query in rows[:top]:
        print(f"{ms:9.1f} ms {calls:7d} calls {ms / calls:6.2f} ms/call wal {wal // calls:6d} B/call  {query[:110]}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "record":
        record(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
