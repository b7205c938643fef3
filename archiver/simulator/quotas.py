"""Per-account request quotas: a token bucket per account and Telethon request class name, as
Telegram limits each method per account and answers ``FLOOD_WAIT_X`` past the limit.

The settings and every bucket's state live in the world file (``meta`` key ``limits`` and the
``buckets`` table), so a `tgmirror` subprocess attached to the same world draws from the same
buckets as the test process. Requests wrapped in ``InvokeWithTakeoutRequest`` draw from their
own buckets, named with the `TAKEOUT_PREFIX`.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field
from functools import cache

from telethon.tl.alltlobjects import tlobjects
from telethon.tl.tlobject import TLRequest

from .meta import read_meta, write_meta

SETTINGS_KEY = "limits"
TAKEOUT_PREFIX = "Takeout:"
EARLY = 0.05
"""Seconds by which a client that slept exactly the answered wait may come back early (its clock
and ours are not the same clock) without being punished for it."""


@cache
def request_names() -> frozenset[str]:
    """Every Telethon request class name (``GetHistoryRequest``, ``GetFileRequest``, …)."""
    return frozenset(cls.__name__ for cls in tlobjects.values() if issubclass(cls, TLRequest))


@dataclass(frozen=True, slots=True)
class Bucket:
    """``requests`` tokens at most, refilled at ``requests / seconds`` tokens a second."""

    requests: int
    seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.seconds <= 0:
            raise ValueError(
                f"a limit is (requests >= 1, seconds > 0), got ({self.requests}, {self.seconds})"
            )

    @property
    def rate(self) -> float:
        """Tokens regained per second."""
        return self.requests / self.seconds


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Which request class names are limited, and the seconds added to a running wait by each
    request that arrives during it (``penalty``)."""

    buckets: dict[str, Bucket] = field(default_factory=dict)
    penalty: float = 0.0

    def __post_init__(self) -> None:
        if self.penalty < 0:
            raise ValueError(f"penalty must not be negative, got {self.penalty}")
        for name in self.buckets:
            if name.removeprefix(TAKEOUT_PREFIX) not in request_names():
                raise ValueError(
                    f"limits: {name!r} is not a Telethon request class name; use e.g."
                    f" 'GetHistoryRequest' or '{TAKEOUT_PREFIX}GetHistoryRequest'"
                )


def parse_limits(limits: dict[str, tuple[int, float]], penalty: float) -> LimitSettings:
    """Settings from the `World.set_limits` form ``{"GetHistoryRequest": (30, 30.0), …}``."""
    buckets = {}
    for name, value in limits.items():
        requests, seconds = value
        buckets[name] = Bucket(int(requests), float(seconds))
    return LimitSettings(buckets, float(penalty))


def store_settings(conn: sqlite3.Connection, settings: LimitSettings | None) -> None:
    """Save (or with None, turn off) the limits and start every bucket full; in a transaction."""
    value = None
    if settings is not None and settings.buckets:
        value = json.dumps(
            {
                "buckets": {k: [b.requests, b.seconds] for k, b in settings.buckets.items()},
                "penalty": settings.penalty,
            }
        )
    write_meta(conn, SETTINGS_KEY, value)
    conn.execute("DELETE FROM buckets")


def load_settings(conn: sqlite3.Connection) -> LimitSettings | None:
    """The limits of a world, or None when requests are not limited."""
    value = read_meta(conn, SETTINGS_KEY)
    if value is None:
        return None
    data = json.loads(value)
    buckets = {k: Bucket(int(r), float(s)) for k, (r, s) in data["buckets"].items()}
    return LimitSettings(buckets, float(data["penalty"]))


def take_token(
    conn: sqlite3.Connection, settings: LimitSettings, user_id: int, name: str, now: float
) -> int | None:
    """Take one token of bucket `name` for `user_id`; None when granted, else the seconds of
    FLOOD_WAIT to answer. Call inside a write transaction (it reads and updates the bucket).

    A refused request starts a wait lasting until a token is free (rounded up to whole seconds,
    at least 1); each request arriving during a wait lengthens it by ``settings.penalty``.
    """
    bucket = settings.buckets.get(name)
    if bucket is None:
        return None
    row = conn.execute(
        "SELECT tokens, updated, wait_until FROM buckets WHERE user_id = ? AND name = ?",
        (user_id, name),
    ).fetchone()
    tokens, wait_until = float(bucket.requests), 0.0
    if row is not None:
        elapsed = max(0.0, now - row["updated"])
        tokens = min(float(bucket.requests), row["tokens"] + elapsed * bucket.rate)
        wait_until = row["wait_until"]
    wait: int | None = None
    if wait_until - now > EARLY:
        wait_until += settings.penalty
        wait = max(1, math.ceil(wait_until - now - 1e-9))
    elif tokens + EARLY * bucket.rate >= 1:
        tokens = max(0.0, tokens - 1)
    else:
        wait = max(1, math.ceil((1 - tokens) / bucket.rate - 1e-9))
        wait_until = now + wait
    conn.execute(
        "INSERT OR REPLACE INTO buckets (user_id, name, tokens, updated, wait_until)"
        " VALUES (?, ?, ?, ?, ?)",
        (user_id, name, tokens, now, wait_until),
    )
    return wait
