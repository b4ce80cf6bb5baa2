"""CPU per request of each step of an examinee's hour: a script that prints figures.

    .venv/bin/python bench/op_cost.py [--db postgres|sqlite] [--examinees 300] [--py-spy-dir DIR]

Where exam_load.py measures the hour as a whole, this measures each step on
its own, so that a change to one path shows in its own figure: a fresh
database and one server worker (as exam_load.py prepares them), then N
examinees go through the steps one phase at a time, 4 requests in flight:

    login -> start -> paper (first load) -> paper (again) -> save -> save -> submit

For each phase it prints the CPU milliseconds per request of the load
generator, the server, PostgreSQL and the whole machine, and the latency
p50. With --py-spy-dir, the server is sampled (GIL holders) during each phase;
bench/pyspy_summary.py reads the files. Figures from this machine are in
bench/RESULTS.md ("CPU per step").
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import exam_load as load  # noqa: E402  (the benchmark's database, server, client and examinee steps)

CONCURRENCY = 4


async def phase(name: str, base: str, examinees: list, step, sid: int, spy_dir: str) -> dict:
    rec = load.Recorder()
    async with load.make_client(base, CONCURRENCY) as client:
        spy = load.start_py_spy(sid, 8, str(Path(spy_dir) / f"{name}.txt")) if spy_dir else None
        before, queue = load.cpu_snapshot(sid), list(examinees)

        async def worker():
            while queue:
                await step(client, queue.pop(), rec)
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        after = load.cpu_snapshot(sid)
        if spy:
            spy.wait()
    per = {k: round((after[k] - before[k]) / len(examinees) * 1000, 2) for k in ("client", "server", "postgres",
                                                                               "machine")}
    op = next(iter(rec.stats), name)
    p50 = rec.of(op).row(None).get("p50") if rec.of(op).count else None
    print(f"  {name:<14} {len(examinees):5d}  {per['client']:7.2f} {per['server']:7.2f} {per['postgres']:9.2f}"
          f" {per['machine']:8.2f}  {p50!s:>8}  {dict(rec.errors) or ''}", flush=True)
    return per


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--examinees", type=int, default=300)
    p.add_argument("--py-spy-dir", default="", help="sample the server during each phase into DIR/<phase>.txt")
    p.add_argument("--sqlite-synchronous", choices=["FULL", "NORMAL"], default="FULL",
                   help="SQLite's synchronous pragma for the server: FULL is the service's (see exam_load.py)")
    args = p.parse_args()
    sys.argv = [sys.argv[0], "--db", args.db, "--examinees", str(args.examinees),
                "--sqlite-synchronous", args.sqlite_synchronous]
    settings = load.ARGS = load.parse_args()            # exam_load's defaults (PostgreSQL server, database name)
    load.WORK_DIR.mkdir(parents=True, exist_ok=True)
    target = load.prepare_database(settings)
    load.run_setup(target)
    seeded = load.seed(target, args.examinees, settings.questions)
    examinees = [load.Examinee(u, random.Random(i)) for i, u in enumerate(seeded.usernames)]
    if args.py_spy_dir:
        Path(args.py_spy_dir).mkdir(parents=True, exist_ok=True)
    server = load.Server(target, 1, load.free_port())

    async def log_in(client, ex, rec):
        await load.log_in(client, ex, rec)

    async def start(client, ex, rec):
        r = await load.timed(rec, "start", client.post(f"/exams/{seeded.exam_id}/start", headers=ex.headers()))
        ex.attempt_id = int(r.headers["location"].rsplit("/", 1)[1])

    async def paper(client, ex, rec):
        r = await load.timed(rec, "paper", client.get(f"/attempts/{ex.attempt_id}", headers=ex.headers()))
        ex.paper, ex.answered = load.parse_paper(r.text), []

    async def save(client, ex, rec):
        await load.save_one(client, ex, rec)

    async def submit(client, ex, rec):
        await load.submit(client, ex, rec)

    try:
        server.wait_ready(1)
        sync = f" (synchronous={args.sqlite_synchronous})" if args.db == "sqlite" else ""
        print(f"{args.db}{sync}, 1 worker, {args.examinees} examinees, {CONCURRENCY} requests in flight;"
              " CPU ms per request", flush=True)
        print("  phase          count   client  server  postgres  machine  p50 (ms)", flush=True)
        for name, step in (("login", log_in), ("start", start), ("paper", paper), ("paper (again)", paper),
                           ("save", save), ("save (again)", save), ("submit", submit)):
            asyncio.run(phase(name, server.base, examinees, step, server.sid, args.py_spy_dir))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
