"""The grader: scores handed-in attempts off the request (issue 29).

Design. A hand-in writes one row (exams.hand_in: status ``grading``) and
answers; the score is computed here. Each worker runs one Grader task. Its
own hand-ins wake it (``wake``, safe from the thread pool), and it also looks
every ``poll_seconds`` for attempts another worker handed in and did not
grade (a worker stopped). It grades in the thread pool, a batch at a time,
each attempt in a transaction of its own (exams.grade_handed_in: PostgreSQL's
SKIP LOCKED shares the work between workers; SQLite's one writer orders it),
until none is left.

While hand-ins keep coming (the common deadline's minute) it takes at most
``DUTY`` of its worker's time: after each batch it rests in proportion to the
time the batch took, so a batch slowed by a busy worker makes a longer rest.
The hand-ins' own requests and the saves of those still answering come first;
the backlog is graded when the minute is over. Once no hand-in has come for
``QUIET_SECONDS``, it grades without rest.

Whether a hand-in is left to the grader at all is decided as it arrives
(``arrived``): a worker that has had more than BUSY_PER_SECOND hand-ins a
second over the last WINDOW_SECONDS, or still has some waiting, is ``busy``
and leaves it; a quiet one grades it in the request (the score at once, as
for a class handing in one by one). The result page does the same with an
attempt still being graded: on a quiet worker it grades it itself, on a busy
one it says 正在评分 and looks again later (``retry_seconds``).
"""
from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable

from cachetools import TTLCache
from starlette.concurrency import run_in_threadpool

DUTY = 0.2                  # the share of a worker's time the grader takes while hand-ins come in
QUIET_SECONDS = 2.0         # no hand-in for this long: grade without rest
BUSY_PER_SECOND = 5.0       # more hand-ins a second than this in a worker: they are left to the grader
WINDOW_SECONDS = 2.0        # ... counted over this long
FAILED_SECONDS = 60         # an attempt whose grading failed is passed over this long, then tried again
RETRY_SECONDS = (5, 60)     # the result page's next look: bounds of the estimate
ASSUMED_PER_SECOND = 50     # ... and the rate it assumes before the grader has measured its own


def rest_after(batch_seconds: float, duty: float = DUTY) -> float:
    """How long to rest after a batch that took ``batch_seconds`` so that grading takes ``duty`` of the time."""
    return batch_seconds * (1 - duty) / duty


def retry_seconds(waiting: int, per_second: float, rng: random.Random = random) -> int:
    """When the 正在评分 page should look again: the time the backlog ahead of
    it takes at the rate graded so far (ASSUMED_PER_SECOND before any), within RETRY_SECONDS, plus up to a
    fifth more so that the pages of one minute do not all come back together."""
    low, high = RETRY_SECONDS
    estimate = min(high, max(low, waiting / (per_second or ASSUMED_PER_SECOND)))
    return round(estimate * (1 + rng.random() / 5))


class Grader:
    def __init__(self, grade_batch: Callable[[TTLCache], int], *, busy_per_second: float = BUSY_PER_SECOND,
                 poll_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self._grade_batch = grade_batch         # grades up to a batch (blocking), past the failed; how many
        self.failed: TTLCache = TTLCache(maxsize=10_000, ttl=FAILED_SECONDS)    # attempt id -> True
        self._poll_seconds = poll_seconds
        self._busy_over = busy_per_second * WINDOW_SECONDS     # hand-ins within the window
        self._clock, self._sleep = clock, sleep
        self._woken = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._arrivals: deque[float] = deque()    # the times of this worker's recent hand-ins
        self._lock = threading.Lock()
        self.waiting = 0                        # hand-ins left to this worker's grader, not yet known graded
        self.per_second = 0.0                   # attempts graded per second over the current drain

    def _recent(self, now: float) -> int:
        with self._lock:
            while self._arrivals and self._arrivals[0] <= now - WINDOW_SECONDS:
                self._arrivals.popleft()
            return len(self._arrivals)

    @property
    def running(self) -> bool:
        return self._loop is not None

    @property
    def busy(self) -> bool:
        """The grader runs, and hand-ins come faster than BUSY_PER_SECOND or some wait for it."""
        return self.running and (self.waiting > 0 or self._recent(self._clock()) > self._busy_over)

    def arrived(self) -> bool:
        """A hand-in in this worker (any thread); True: leave its grading to
        the grader (then ``wake`` it), False: grade it in the request."""
        with self._lock:
            self._arrivals.append(self._clock())
        return self.busy

    def wake(self) -> None:
        """A hand-in left to the grader (any thread)."""
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._left)

    def _left(self) -> None:
        self.waiting += 1
        self._woken.set()

    def _quiet(self, now: float) -> bool:
        with self._lock:
            return not self._arrivals or now - self._arrivals[-1] >= QUIET_SECONDS

    def next_look(self) -> int:
        return retry_seconds(self.waiting, self.per_second)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    await asyncio.wait_for(self._woken.wait(), self._poll_seconds)
                except TimeoutError:
                    pass
                self._woken.clear()
                try:
                    await self.drain()
                except Exception:  # noqa: BLE001 - a failed round must not stop the grader; the next poll retries
                    logging.getLogger("quizapp").exception("grading handed-in attempts failed")
        finally:
            self._loop = None

    async def drain(self) -> int:
        """Grade until none is left; returns how many."""
        total, started = 0, self._clock()
        while True:
            began = self._clock()
            graded = await run_in_threadpool(self._grade_batch, self.failed)
            if not graded:
                self.waiting = 0                # none is left that another grader does not hold
                return total
            total += graded
            now = self._clock()
            self.waiting = max(0, self.waiting - graded)
            self.per_second = total / max(now - started, 1e-3)
            if not self._quiet(now):
                await self._sleep(rest_after(now - began))
