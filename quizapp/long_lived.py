"""The garbage collector of a process that holds thousands of examinees.

Its full collections walk every object the process holds, while everything
it does waits: in a worker at an exam's start, with Python's default
thresholds, one every few seconds, each 80 to 350 ms on the benchmark's
machine, which was most of the login and save p95 (bench/RESULTS.md,
change 22). The benchmark's load generator, one process for 10,000
browsers, is set the same way (bench/exam_load.py, lean_client). So:

- what the process has built so far (for a worker: modules, routes,
  templates, statements) is frozen: it lives as long as the process and is
  left out of every collection;
- young collections run every 2,000 new objects instead of 700 (each a
  millisecond or two), and a full collection only after 100 of the middle
  generation's instead of 10; garbage without reference cycles is freed at
  once either way.
"""
import gc

GC_THRESHOLDS = (2_000, 10, 100)       # Python's defaults: (700, 10, 10)


def settle() -> None:
    """Freeze what the process has built so far and collect as above."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
