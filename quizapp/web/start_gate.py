"""Requests for an exam's key held open until its start second, per worker (issue 29).

Design. A waiting-room page that holds its sealed paper (sealed_paper.py) asks
for the exam's key with ``?hold=1`` at a moment of its own in the last half
minute before the start (static/waiting.js). When the start is that near
(domain/waiting.hold_seconds), the route does not answer 409: the request
waits here, and is answered at the start second itself. Every held request
for an exam waits on one task per worker, keyed by the exam and its start
second: it sleeps until that second by the service's clock, reads the exam's
start again (a start moved meanwhile releases the requests with the new one,
which the route then answers as it would any request: 409 before it, 404
without one), and every request resumes with what it read. So ten thousand
key requests are read by the workers over the half minute before the start,
the start itself costs a worker one short response per candidate, and the
papers open in the same second everywhere. A held request holds no database
connection; a client that goes away leaves the shared task alone.
"""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Awaitable, Callable

from ..models import utcnow

ReadStart = Callable[[int], Awaitable[datetime | None]]


class StartGate:
    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._gates: dict[tuple[int, datetime], asyncio.Task] = {}

    @property
    def waiting_exams(self) -> int:
        """The (exam, start second) pairs with requests held now."""
        return len(self._gates)

    async def wait(self, exam_id: int, starts_at: datetime, read_start: ReadStart) -> datetime | None:
        """Wait until ``starts_at`` with every other request for the same exam and start; return the
        exam's start as read at that second (``read_start`` is called once per worker, not per request)."""
        gate = self._gates.get((exam_id, starts_at))
        if gate is None:
            gate = asyncio.ensure_future(self._at_start(exam_id, starts_at, read_start))
            self._gates[(exam_id, starts_at)] = gate
        return await asyncio.shield(gate)

    async def _at_start(self, exam_id: int, starts_at: datetime, read_start: ReadStart) -> datetime | None:
        try:
            while (left := (starts_at - self._clock()).total_seconds()) > 0:
                await asyncio.sleep(left)
            return await read_start(exam_id)
        finally:
            del self._gates[(exam_id, starts_at)]
