"""The application object for uvicorn workers: ``quizapp.web.main:app``.

The garbage collector is set for a worker that serves thousands of
examinees. Its full collections walk every object the worker holds, while
every request waits: at an exam's start, with the default thresholds, one
every few seconds, each 80 to 350 ms on the benchmark's machine, which was
most of the login and save p95 (bench/RESULTS.md, change 22). So:

- what the worker has built at start (modules, routes, templates,
  statements) is frozen: it lives as long as the worker and is left out of
  every collection;
- young collections run every 2,000 new objects instead of 700 (each a
  millisecond or two), and a full collection only after 100 of the middle
  generation's instead of 10; garbage without reference cycles is freed at
  once either way.
"""
import gc

from .app import create_app

GC_THRESHOLDS = (2_000, 10, 100)       # Python's defaults: (700, 10, 10)

app = create_app()
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
