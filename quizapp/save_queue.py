"""Group commit of answer saves: one writer thread per worker takes every save
waiting and writes them in one transaction (autosave.save_many).

Under load, the cost of a save is mostly its transaction: the connection,
BEGIN, the statements and the commit, on PostgreSQL a round trip each and
work for the database's backend, on SQLite a turn at the one write lock. The
queue pays that once for all the saves that arrived while the previous
batch was being written, so the more saves wait, the cheaper each becomes;
when saves come one at a time, each is written at once, as before.

Nothing is acknowledged before its batch is committed, so a process that
dies loses only saves that were never acknowledged. A save whose client has
gone before its batch is taken is not written. If the transaction fails (the
database is unavailable), every save of the batch gets the error and none
was written.

A route awaits an asyncio future of its event loop (save); the writer
settles all of a batch's futures of one loop in one callback on that loop,
instead of one thread-safe hand-off per save. submit gives a
concurrent.futures.Future, for callers outside an event loop.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict
from concurrent.futures import Future

from sqlalchemy import Engine

from . import autosave
from .autosave import SaveRequest
from .domain.errors import InvalidAnswer
from .exams import Saved

MAX_BATCH = 64
_STOP = object()


class SaveQueue:
    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH, writers: int | None = None) -> None:
        self.engine, self.max_batch = engine, max_batch
        # PostgreSQL: a second writer fills its batch while the first waits for its commit.
        # SQLite: one; a second would only wait for the write lock.
        self.writers = writers or (1 if engine.dialect.name == "sqlite" else 2)
        self._waiting: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def save(self, request: SaveRequest) -> Saved | None:
        """The save's Saved once its batch is committed, or None: not the plain
        case (the caller takes the general path). Raises InvalidAnswer."""
        return await self._enqueue(request, asyncio.get_running_loop().create_future())

    def submit(self, request: SaveRequest) -> Future:
        """The same, for a caller outside an event loop: a future to wait on."""
        return self._enqueue(request, Future())

    def _enqueue(self, request: SaveRequest, future):
        self._start()
        self._waiting.put((request, future))
        return future

    def close(self, timeout: float = 10) -> None:
        """Write what is waiting, then stop the writer."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._waiting.put(_STOP)
        for thread in threads:
            thread.join(timeout)

    def _start(self) -> None:
        if not self._threads:
            with self._lock:
                if not self._threads:         # started on first use: after a fork, in the worker
                    self._threads = [threading.Thread(target=self._run, name=f"save-queue-{n}", daemon=True)
                                     for n in range(self.writers)]
                    for thread in self._threads:
                        thread.start()

    def _run(self) -> None:
        while True:
            batch, stop = self._take()
            if batch:
                write_batch(self.engine, batch)
            if stop:
                return

    def _take(self) -> tuple[list[tuple[SaveRequest, Future]], bool]:
        """The saves waiting (at least one, at most max_batch) whose clients
        still wait, and whether the queue is closing."""
        batch, item = [], self._waiting.get()
        while True:
            if item is _STOP:
                return batch, True
            request, future = item
            if _still_wanted(future):
                batch.append((request, future))
            if len(batch) >= self.max_batch:
                return batch, False
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                return batch, False


def write_batch(engine: Engine, batch: list[tuple[SaveRequest, Future | asyncio.Future]]) -> None:
    """Write the batch in one transaction and settle each future with its outcome."""
    try:
        outcomes: list = autosave.save_many(engine, [request for request, _ in batch])
    except Exception as failed:  # noqa: BLE001 - every save of the batch gets the error (a 503 for the database)
        logging.getLogger("quizapp").debug("a batch of %d saves failed: %s", len(batch), failed)
        outcomes = [failed] * len(batch)
    by_loop: defaultdict[asyncio.AbstractEventLoop, list] = defaultdict(list)
    for (_, future), outcome in zip(batch, outcomes):
        if isinstance(future, asyncio.Future):
            by_loop[future.get_loop()].append((future, outcome))
        else:
            _settle(future, outcome)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_all, settled)
        except RuntimeError:            # the loop is closed: the worker is gone, and no one waits
            pass


def _still_wanted(future: Future | asyncio.Future) -> bool:
    """False if the caller gave up (its request was cancelled: the client went
    away); a concurrent future can no longer be cancelled once this is True."""
    if isinstance(future, asyncio.Future):
        return not future.cancelled()        # a read from this thread: at worst one more save is written
    return future.set_running_or_notify_cancel()


def _settle_all(settled: list[tuple[asyncio.Future, object]]) -> None:
    for future, outcome in settled:
        if not future.done():                # cancelled while its batch was written
            _settle(future, outcome)


def _settle(future: Future | asyncio.Future, outcome: object) -> None:
    """An exception (InvalidAnswer, or the batch's failure) is raised to the waiter; anything else is its result."""
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
