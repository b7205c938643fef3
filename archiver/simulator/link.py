"""The network between a client and the simulated Telegram: round-trip time and bandwidth.

A `Link` is one simulated connection (the main sender's, or an exported sender's to another
DC). Each answer arrives one RTT after its request plus the time its serialised bytes take over
the link's bandwidth; answers on one link share that bandwidth, so they queue behind each other.
The settings live in the world's ``meta`` table (`World.set_network`), seen by every process;
by default there is no delay at all.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from .meta import read_meta, write_meta

SETTINGS_KEY = "network"


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """``rtt_ms``: round trip in milliseconds; ``bytes_per_second``: each connection's bandwidth
    (None: unlimited)."""

    rtt_ms: float = 0.0
    bytes_per_second: float | None = None

    def __post_init__(self) -> None:
        if self.rtt_ms < 0:
            raise ValueError(f"rtt_ms must not be negative, got {self.rtt_ms}")
        if self.bytes_per_second is not None and self.bytes_per_second <= 0:
            raise ValueError(
                f"bytes_per_second must be positive (or None), got {self.bytes_per_second}"
            )


def store_settings(conn: sqlite3.Connection, settings: NetworkSettings | None) -> None:
    """Save (or with None, turn off) the network model; call inside a world transaction."""
    value = None
    if settings is not None and (settings.rtt_ms or settings.bytes_per_second):
        value = json.dumps(
            {"rtt_ms": settings.rtt_ms, "bytes_per_second": settings.bytes_per_second}
        )
    write_meta(conn, SETTINGS_KEY, value)


def load_settings(conn: sqlite3.Connection) -> NetworkSettings | None:
    """The network model of a world, or None when answers are not delayed."""
    value = read_meta(conn, SETTINGS_KEY)
    if value is None:
        return None
    data = json.loads(value)
    return NetworkSettings(float(data["rtt_ms"]), data["bytes_per_second"])


class Link:
    """One connection's timing: when each answer sent over it arrives, and its delivery."""

    def __init__(self) -> None:
        self._busy_until = 0.0  # when the link's bandwidth is free again (monotonic time)
        self._in_flight: dict[asyncio.Future[Any], asyncio.TimerHandle] = {}
        self.last_delay = 0.0
        """The delay computed for the latest answer (seconds), for tests and benches."""

    def delay(self, settings: NetworkSettings | None, size: int, now: float) -> float:
        """Seconds from `now` (a request leaving the client) until its answer of `size` bytes
        has arrived: half an RTT there, the wait for the bandwidth, the transfer, half back."""
        if settings is None:
            self.last_delay = 0.0
            return 0.0
        half = settings.rtt_ms / 2000.0
        start = max(now + half, self._busy_until)
        end = start + (size / settings.bytes_per_second if settings.bytes_per_second else 0.0)
        self._busy_until = end
        self.last_delay = end + half - now
        return self.last_delay

    def deliver(
        self,
        future: asyncio.Future[Any],
        settings: NetworkSettings | None,
        size: int,
        *,
        result: Any = None,
        error: BaseException | None = None,
    ) -> None:
        """Settle `future` with `result` (or `error`) once an answer of `size` bytes would
        have arrived over this link."""
        wait = self.delay(settings, size, time.monotonic())
        if wait <= 0:
            _settle(future, result, error)
            return
        loop = asyncio.get_running_loop()
        handle = loop.call_later(wait, self._arrive, future, result, error)
        self._in_flight[future] = handle

    def _arrive(
        self, future: asyncio.Future[Any], result: Any, error: BaseException | None
    ) -> None:
        self._in_flight.pop(future, None)
        _settle(future, result, error)

    def close(self, error: BaseException) -> None:
        """The connection dropped: answers still on the way fail with `error`."""
        in_flight, self._in_flight = self._in_flight, {}
        for future, handle in in_flight.items():
            handle.cancel()
            _settle(future, None, error)
        self._busy_until = 0.0


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
