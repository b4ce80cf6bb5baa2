"""Key requests held until the exam's start second (quizapp/web/start_gate.py): however many wait,
they are released together at the start second, never before it, with one read of the start per
worker; a moved start is what they get; a request that goes away leaves the others waiting."""
import asyncio
from datetime import datetime, timedelta, timezone

from quizapp.web.start_gate import StartGate


def now() -> datetime:
    return datetime.now(timezone.utc)


class Starts:
    """The exam's start as the database would give it, counting the reads."""

    def __init__(self, starts_at):
        self.starts_at, self.reads = starts_at, 0

    async def __call__(self, exam_id):
        self.reads += 1
        return self.starts_at


def test_every_held_request_is_released_at_the_start_second_with_one_read():
    async def scenario():
        gate, start = StartGate(), now() + timedelta(seconds=0.3)
        starts = Starts(start)
        released = []

        async def held():
            got = await gate.wait(7, start, starts)
            released.append(now())
            return got

        results = await asyncio.gather(*(held() for _ in range(500)))
        return gate, start, starts, released, results

    gate, start, starts, released, results = asyncio.run(scenario())
    assert results == [start] * 500
    assert min(released) >= start                       # not one before the start second
    assert max(released) - start < timedelta(seconds=0.25)
    assert starts.reads == 1 and gate.waiting_exams == 0


def test_a_start_moved_while_they_wait_is_what_the_held_requests_get():
    async def scenario():
        gate, start = StartGate(), now() + timedelta(seconds=0.1)
        moved = Starts(start + timedelta(minutes=10))     # the instructor moved it meanwhile
        return await asyncio.gather(gate.wait(7, start, moved), gate.wait(7, start, moved)), moved

    (first, second), moved = asyncio.run(scenario())
    assert first == second == moved.starts_at and moved.reads == 1


def test_a_request_that_goes_away_leaves_the_others_waiting_and_exams_apart():
    async def scenario():
        gate, start = StartGate(), now() + timedelta(seconds=0.2)
        starts, other = Starts(start), Starts(start)
        gone = asyncio.ensure_future(gate.wait(7, start, starts))
        stays = asyncio.ensure_future(gate.wait(7, start, starts))
        elsewhere = asyncio.ensure_future(gate.wait(8, start, other))
        await asyncio.sleep(0.05)
        assert gate.waiting_exams == 2                   # one per (exam, start second)
        gone.cancel()
        return start, await stays, await elsewhere, starts.reads, other.reads

    start, stays, elsewhere, reads, other_reads = asyncio.run(scenario())
    assert stays == elsewhere == start and reads == other_reads == 1
