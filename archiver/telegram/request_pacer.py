"""One request scheduler per Telegram account: every request waits for its method's turn.

Telegram limits each method per account and answers FLOOD_WAIT_X past the limit. The pacer
learns each method's rate from those answers (``rate_estimate.py``) and spaces the method's
calls below it, so a long sync meets few waits instead of a wait loop. A wait it does meet is
slept through and *the same request* is sent again: a page walk resumes where it stopped. A
wait longer than ``sleep_threshold`` is raised (``FloodWaitError``) for the worker to move the
channel to another account or pause it; calls of that method raise at once until it is over.
Few requests of a method are in flight at once (``in_flight_cap``): every request that reaches
Telegram during a wait lengthens it, so a burst meeting the limit together costs a wait each.

When several requests of one method wait, the one of the higher ``Priority`` goes first: live
polls and probes before backfill pages. The priority of the requests a task makes is a
context variable (``request_priority``), so that Telethon's own helpers (``get_messages``,
``download_media``), which send requests on our behalf, are ordered too.

Usage: ``await pacer.call(client, request, priority=Priority.LIVE)``, or
``with request_priority(Priority.BACKFILL): await client.get_messages(...)``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, TypeVar

from telethon import TelegramClient, errors
from telethon.tl.tlobject import TLRequest

from archiver.telegram.rate_estimate import RateEstimate

log = logging.getLogger(__name__)
T = TypeVar("T")

FLOOD_ERRORS = (errors.FloodWaitError, errors.FloodPremiumWaitError)
MAX_RESENDS = 8
"""Flood waits one request is resent after; past them the wait is raised, as a long one is."""
START_IN_FLIGHT = 1
"""Requests of a method in flight at once before its limit is known. Every request that
reaches Telegram during a wait lengthens the wait by the penalty and is answered a wait of its
own, so the requests in flight when the bucket runs out each cost one; a method starts with one
and the cap grows by one every ``GROW_EVERY`` successes."""
GROW_EVERY = 32
MAX_IN_FLIGHT = 32
TAKEOUT_PREFIX = "Takeout:"


class Priority(IntEnum):
    """Which request goes first when several of one method wait (lower first)."""

    LIVE = 0
    """Freshness: polls for new posts, erasure probes, channel refreshes."""
    ROUTINE = 1
    """Reconciliation, comments, media downloads."""
    BACKFILL = 2
    """Pages of history below what is archived."""


_priority: ContextVar[Priority] = ContextVar("tgmirror_request_priority", default=Priority.ROUTINE)


@contextmanager
def request_priority(priority: Priority) -> Iterator[None]:
    """Give the requests made inside (by us or by Telethon's helpers) ``priority``."""
    token = _priority.set(priority)
    try:
        yield
    finally:
        _priority.reset(token)


def method_key(request: Any) -> str:
    """The name Telegram limits a request by: its class name, ``Takeout:``-prefixed when it is
    wrapped in InvokeWithTakeout (takeout has its own limits); other wrappers are looked through."""
    if isinstance(request, list | tuple):
        request = request[0] if request else None
    prefix = ""
    while type(request).__name__.startswith(("InvokeWith", "InitConnection")):
        if type(request).__name__ == "InvokeWithTakeoutRequest":
            prefix = TAKEOUT_PREFIX
        request = request.query
    return prefix + type(request).__name__


@dataclass
class _Lane:
    """The queue of one method."""

    estimate: RateEstimate = field(default_factory=RateEstimate)
    next_free: float = 0.0
    blocked_until: float = 0.0
    flood_seen_at: float = float("-inf")
    in_flight: int = 0
    successes: int = 0
    since_flood: int = 0
    """Successes since the last flood wait answered."""
    waiting: list[tuple[int, int]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def in_flight_cap(self) -> int:
        """Requests allowed in flight: growing with successes while no limit is known or only
        the first wait's guess, else about one second's worth at the learnt rate (at least two)."""
        rate = self.estimate.rate
        if rate is None:
            return min(MAX_IN_FLIGHT, START_IN_FLIGHT + self.successes // GROW_EVERY)
        if self.estimate.floods < 2:
            # The first wait's rate is inflated by the bucket's burst; the next wait, which
            # measures the true rate, is met with as few requests in flight as the first.
            return max(1, min(math.ceil(rate), START_IN_FLIGHT + self.since_flood // GROW_EVERY))
        return max(2, min(MAX_IN_FLIGHT, math.ceil(rate)))

    def poke(self) -> None:
        """Wake every waiter to look at the queue again."""
        self.changed.set()
        self.changed = asyncio.Event()


@dataclass
class PacerStats:
    """What the pacer did, for logs and benches."""

    sent: Counter[str] = field(default_factory=Counter)
    flood_waits: Counter[str] = field(default_factory=Counter)
    flood_seconds: float = 0.0
    """Seconds of FLOOD_WAIT Telegram answered (the penalty a pacer should keep near zero)."""


class RequestPacer:
    """Spaces each method's requests of one account below its learnt limit, in priority order."""

    def __init__(
        self, *, sleep_threshold: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.sleep_threshold = sleep_threshold
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}
        self._tickets = itertools.count()
        self.stats = PacerStats()

    def rate(self, key: str) -> float | None:
        """The rate (calls per second) the pacer allows method ``key``; None: unlimited."""
        lane = self._lanes.get(key)
        return lane.estimate.rate if lane is not None else None

    async def call(
        self, client: TelegramClient, request: TLRequest, priority: Priority | None = None
    ) -> Any:
        """Send ``request`` with ``client`` (whose requests this pacer paces) at ``priority``
        (default: the caller's ``request_priority``)."""
        if priority is None:
            return await client(request)
        with request_priority(priority):
            return await client(request)

    async def send(self, request: Any, transmit: Callable[[], Awaitable[T]]) -> T:
        """Wait for ``request``'s turn, ``transmit()`` it; on a flood wait up to
        ``sleep_threshold`` wait and transmit it again; raise longer ones."""
        key = method_key(request)
        lane = self._lanes.setdefault(key, _Lane())
        # One place in the queue for the request's life: resent after a wait, it stays first.
        ticket = (int(_priority.get()), next(self._tickets))
        for attempt in itertools.count(1):
            await self._turn(lane, ticket, request)
            sent_at = self._clock()
            self.stats.sent[key] += 1
            lane.in_flight += 1
            try:
                result = await transmit()
            except FLOOD_ERRORS as exc:
                self._flooded(lane, key, exc.seconds, sent_at)
                if exc.seconds > self.sleep_threshold or attempt > MAX_RESENDS:
                    raise
                continue
            finally:
                lane.in_flight -= 1
                lane.poke()
            lane.successes += 1
            lane.since_flood += 1
            lane.estimate.on_success(self._clock())
            return result
        raise AssertionError("unreachable")

    def _flooded(self, lane: _Lane, key: str, seconds: int, sent_at: float) -> None:
        now = self._clock()
        self.stats.flood_waits[key] += 1
        self.stats.flood_seconds += seconds
        lane.blocked_until = max(lane.blocked_until, now + max(seconds, 1))
        if sent_at >= lane.flood_seen_at:  # not one more answer to a burst already counted
            lane.estimate.on_flood(now, seconds)
            rate = lane.estimate.rate
            log.info(
                "FLOOD_WAIT_%d on %s: pacing it at %s",
                seconds,
                key,
                f"{rate:.2f}/s" if rate else "no limit",
            )
        else:
            lane.estimate.on_wait_extended(lane.blocked_until)
        lane.flood_seen_at = now
        lane.since_flood = 0
        lane.poke()

    async def _turn(self, lane: _Lane, ticket: tuple[int, int], request: Any) -> None:
        """Return when this request may be sent: first of its lane and past its spacing."""
        heapq.heappush(lane.waiting, ticket)
        try:
            while True:
                now = self._clock()
                changed = lane.changed
                timeout: float | None = None
                if lane.waiting[0] == ticket:
                    blocked = lane.blocked_until - now
                    if blocked > self.sleep_threshold:
                        raise errors.FloodWaitError(request, capture=int(blocked + 0.999))
                    ready = max(lane.next_free, lane.blocked_until)
                    if ready <= now and lane.in_flight < lane.in_flight_cap:
                        heapq.heappop(lane.waiting)
                        lane.next_free = now + lane.estimate.interval
                        lane.poke()
                        return
                    timeout = ready - now if ready > now else None  # else: a request returns
                with suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout)
        except BaseException:
            if ticket in lane.waiting:
                lane.waiting.remove(ticket)
                heapq.heapify(lane.waiting)
                lane.poke()
            raise
