"""The pacer against a token bucket that, like the simulator's quotas (and Telegram), lengthens a
running wait by a penalty for every request that reaches it, with many tasks sending at once,
on a virtual clock (an event loop whose time jumps to its next timer instead of sleeping):
nothing new of a method is sent once one of its requests met a wait, the first wait of a method
is answered once, and the seconds answered in FLOOD_WAIT stay a small share of the run."""

from __future__ import annotations

import asyncio
import math
import selectors
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from telethon import errors, functions, types

from archiver.telegram.request_pacer import GROW_EVERY, RequestPacer

PEER = types.InputPeerChannel(1, 2)


class _JumpingSelector(selectors.DefaultSelector):
    """Never blocks: when the loop would sleep until its next timer, the clock jumps there."""

    def __init__(self, loop_clock: list[float]) -> None:
        super().__init__()
        self.clock = loop_clock

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        events = super().select(0)
        if not events and timeout:
            self.clock[0] += timeout
        elif not events and timeout is None:
            raise RuntimeError("every task waits for nothing: the pacer deadlocked")
        return events


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on a virtual clock starting at 0."""

    def __init__(self) -> None:
        self.clock = [0.0]
        super().__init__(_JumpingSelector(self.clock))

    def time(self) -> float:
        return self.clock[0]


@dataclass
class PenaltyBucket:
    """``capacity`` tokens refilled at ``rate`` a second; a refused request starts a wait until
    a token is free (whole seconds), and each request arriving during it lengthens it by
    ``penalty`` (archiver/simulator/quotas.py's model)."""

    capacity: int
    rate: float
    penalty: float
    tokens: float = 0.0
    at: float = 0.0
    wait_until: float = 0.0
    answered: list[tuple[float, int, float]] = field(default_factory=list)
    """Each FLOOD_WAIT answered: (when, seconds, when its request was sent)."""

    def __post_init__(self) -> None:
        self.tokens = float(self.capacity)

    def take(self, now: float, sent_at: float) -> int:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.wait_until > now:
            self.wait_until += self.penalty
            wait = max(1, math.ceil(self.wait_until - now - 1e-9))
        elif self.tokens >= 1:
            self.tokens -= 1
            return 0
        else:
            wait = max(1, math.ceil((1 - self.tokens) / self.rate - 1e-9))
            self.wait_until = now + wait
        self.answered.append((now, wait, sent_at))
        return wait

    @property
    def flood_seconds(self) -> float:
        return float(sum(seconds for _, seconds, _ in self.answered))

    def waits(self) -> Iterator[list[tuple[float, int, float]]]:
        """The answers grouped by the wait they belong to (a wait ends when no answer follows
        before it is over)."""
        group: list[tuple[float, int, float]] = []
        for answer in self.answered:
            if group and answer[0] > group[-1][0] + group[-1][1]:
                yield group
                group = []
            group.append(answer)
        if group:
            yield group


@dataclass
class Run:
    bucket: PenaltyBucket
    seconds: float
    rtt: float


def _run(tasks: int, calls: int, bucket: PenaltyBucket, rtt: float) -> Run:
    """``tasks`` tasks each sending ``calls`` GetHistory requests through one pacer."""
    loop = VirtualTimeLoop()

    async def main() -> None:
        pacer = RequestPacer(clock=loop.time)

        async def task() -> None:
            for n in range(calls):
                request = functions.messages.GetHistoryRequest(PEER, n, None, 0, 100, 0, 0, 0)

                async def transmit(request: object = request, n: int = n) -> int:
                    sent_at = loop.time()
                    await asyncio.sleep(rtt / 2)
                    wait = bucket.take(loop.time(), sent_at)
                    await asyncio.sleep(rtt / 2)
                    if wait:
                        raise errors.FloodWaitError(request, capture=wait)
                    return n

                await pacer.send(request, transmit)

        await asyncio.gather(*(task() for _ in range(tasks)))

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
    return Run(bucket, loop.time(), rtt)


def test_nothing_new_is_sent_once_a_request_met_a_wait() -> None:
    run = _run(8, 60, PenaltyBucket(20, 2.0, penalty=1.0), rtt=0.3)
    assert run.bucket.answered
    for wait in run.bucket.waits():
        first_answer_back = wait[0][0] + run.rtt / 2
        # Every later answer of the wait went to a request already in flight.
        assert all(sent_at < first_answer_back for _, _, sent_at in wait)


@pytest.mark.parametrize("capacity", [1, 5, 20, 60])
def test_the_first_wait_of_a_method_meets_few_requests_in_flight(capacity: int) -> None:
    # One request in flight at first, one more every GROW_EVERY successes: the burst of the
    # bucket and what it regained until then bound how many meet its first wait (before: four
    # from the start; then one more every 8 successes, four at a burst of 20).
    run = _run(8, 30, PenaltyBucket(capacity, 2.0, penalty=1.0), rtt=0.08)
    first = next(run.bucket.waits())
    successes = capacity + int(2.0 * first[0][0])
    assert len(first) <= 1 + successes // GROW_EVERY


@pytest.mark.parametrize(
    ("tasks", "capacity", "rate", "rtt", "share"),
    [(8, 20, 2.0, 0.08, 0.05), (4, 5, 1.0, 0.08, 0.05), (16, 20, 4.0, 0.4, 0.08)],
)
def test_flood_wait_stays_a_small_share_of_a_paced_run(
    tasks: int, capacity: int, rate: float, rtt: float, share: float
) -> None:
    # (Before: 11.7 %, 5.5 % and 25.4 %. A long round trip keeps more requests in flight
    # when the pace meets the limit, each answered a wait of its own.)
    calls = 100
    run = _run(tasks, calls, PenaltyBucket(capacity, rate, penalty=1.0), rtt)
    bound = (tasks * calls - capacity) / rate
    assert run.seconds <= 1.2 * bound
    assert run.bucket.flood_seconds <= share * run.seconds
