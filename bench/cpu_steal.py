"""A noisy neighbour: takes a share of every core until stopped (a script for benchmarks).

    .venv/bin/python bench/cpu_steal.py --share 0.4 & sleep 1   # then run bench/exam_load.py --wait-quiet 0; kill $!

The virtual machine the benchmarks run on is not equally fast all day: the
same run's `/healthz` ceiling has ranged from 3,900 to 6,900 req/s. To see how
the exam hour holds up on a slow stretch without waiting for one, this runs
one process per core at normal priority that spins for ``share`` of every
10 ms and sleeps the rest, so the server, PostgreSQL and the load generator
get about (1 - share) of the machine. exam_load.py counts these processes'
CPU under `other`.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys
import time

PERIOD = 0.010        # seconds: one spin and one sleep


def spin(share: float) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)      # not the parent's handler: a terminate() ends it at once
    busy = PERIOD * share
    while True:
        start = time.perf_counter()
        while time.perf_counter() - start < busy:
            pass
        time.sleep(max(0.0, PERIOD - (time.perf_counter() - start)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--share", type=float, default=0.4, help="fraction of each core taken (0 < share < 1)")
    p.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="processes to run (default: every core)")
    args = p.parse_args()
    if not 0 < args.share < 1:
        raise SystemExit("--share must be between 0 and 1")
    workers = [multiprocessing.Process(target=spin, args=(args.share,), daemon=True) for _ in range(args.cores)]

    def stop(*_) -> None:
        for w in workers:
            if w.pid:
                w.kill()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)          # kill: the spinners stop with it
    for w in workers:
        w.start()
    print(f"taking {args.share:.0%} of {args.cores} core(s); stop with Ctrl-C or kill {os.getpid()}", flush=True)
    try:
        for w in workers:
            w.join()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
