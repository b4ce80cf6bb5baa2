"""The grader (quizapp/grader.py): hand-ins left to it are all graded; while
hand-ins keep coming it takes a bounded share of its worker's time, and none
of it once they stop; a worker is busy only while hand-ins come faster than
the threshold or some wait; the 正在评分 page's next look is spread."""
import asyncio
import random

import pytest

from quizapp import grader
from quizapp.grader import Grader, rest_after, retry_seconds


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


class Backlog:
    """Attempts waiting to be graded; each batch takes ``took`` seconds of the fake clock."""

    def __init__(self, clock, size, batch, took=0.1):
        self.clock, self.left, self.batch, self.took, self.batches = clock, size, batch, took, 0

    def __call__(self, failed):
        graded = min(self.batch, self.left)
        self.left -= graded
        if graded:
            self.batches += 1
            self.clock.now += self.took
        return graded


class Rests(list):
    async def __call__(self, seconds):
        self.append(seconds)


def test_the_rest_gives_the_grader_its_share_and_the_retry_is_an_estimate_within_bounds():
    assert rest_after(0.3, duty=0.3) == pytest.approx(0.7)
    assert rest_after(0.1, duty=1.0) == 0
    low, high = grader.RETRY_SECONDS
    rng = random.Random(1)
    assert low <= retry_seconds(0, 50.0, rng) <= low * 1.2
    assert 20 <= retry_seconds(1000, 50.0, rng) <= 24            # 1,000 ahead at 50 a second
    assert low <= retry_seconds(10, 0.0, rng) <= low * 1.2        # no rate known yet: an assumed one
    assert high <= retry_seconds(100_000, 50.0, rng) <= high * 1.2   # never longer than a minute (and a fifth)
    assert len({retry_seconds(1000, 50.0, rng) for _ in range(50)}) > 1     # spread, not one moment


def test_while_hand_ins_come_the_grader_rests_after_each_batch_and_not_once_they_stop():
    async def drain(last_hand_in_ago):
        clock, rests = Clock(), Rests()
        backlog = Backlog(clock, size=10, batch=2)
        g = Grader(backlog, clock=clock, sleep=rests)
        clock.now -= last_hand_in_ago
        g.arrived()
        clock.now += last_hand_in_ago
        graded = await g.drain()
        return graded, backlog, rests

    graded, backlog, rests = asyncio.run(drain(0.0))
    assert graded == 10 and backlog.left == 0 and backlog.batches == 5
    assert rests == pytest.approx([rest_after(0.1)] * 5)          # 0.1 s of grading, then 0.23 s for the requests
    graded, backlog, rests = asyncio.run(drain(grader.QUIET_SECONDS + 1))
    assert graded == 10 and rests == []


def test_a_woken_grader_grades_every_hand_in_left_to_it():
    async def scenario():
        clock = Clock()
        backlog = Backlog(clock, size=7, batch=3, took=0.0)
        g = Grader(backlog, clock=clock, sleep=Rests(), poll_seconds=60)
        task = asyncio.create_task(g.run())
        await asyncio.sleep(0)
        for _ in range(7):
            g.wake()
        for _ in range(200):
            await asyncio.sleep(0.01)
            if backlog.left == 0 and g.waiting == 0:
                break
        task.cancel()
        return backlog, g

    backlog, g = asyncio.run(scenario())
    assert backlog.left == 0 and g.waiting == 0 and not g.running


def test_a_worker_is_busy_only_while_hand_ins_come_faster_than_the_threshold_or_some_wait():
    async def scenario():
        clock = Clock()
        g = Grader(lambda failed: 0, clock=clock, poll_seconds=60)
        quiet = [g.arrived() for _ in range(5)]             # a class handing in one by one: graded at once
        task = asyncio.create_task(g.run())
        await asyncio.sleep(0)
        clock.now += grader.WINDOW_SECONDS
        allowed = int(grader.BUSY_PER_SECOND * grader.WINDOW_SECONDS)     # the default: 5 a second
        fast = [g.arrived() for _ in range(allowed)]
        over = g.arrived()
        clock.now += grader.WINDOW_SECONDS
        after_the_rush = g.busy
        g.waiting = 1
        waiting = g.busy
        task.cancel()
        return quiet, fast, over, after_the_rush, waiting

    quiet, fast, over, after_the_rush, waiting = asyncio.run(scenario())
    assert quiet == [False] * 5                    # the grader not running: every hand-in graded in its request
    assert fast[-1] is False and over is True      # 5 a second over 2 s is still quiet; one more is busy
    assert after_the_rush is False and waiting is True
