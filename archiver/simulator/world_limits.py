"""`World` methods about Telegram's limits: request quotas, the network, takeout, and the
counters that show what the simulated Telegram served.

Everything is stored in the world file, so a `tgmirror` subprocess attached to the same world
obeys the same settings, draws from the same per-account buckets and adds to the same counters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from . import accounting, link, quotas, schema
from .meta import write_meta

TAKEOUT_DELAY_KEY = "takeout_delay"


class WorldLimits:
    """Mixed into `World`: quotas, network, takeout settings and served-traffic counters."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def set_limits(self, limits: dict[str, tuple[int, float]], penalty: float = 0.0) -> None:
        """Limit each account to `requests` per `seconds` of each named request class, e.g.
        ``{"GetHistoryRequest": (30, 30), "Takeout:GetHistoryRequest": (300, 30)}``: a token
        bucket per account and name, starting full. Past it Telegram answers FLOOD_WAIT_X, X
        the whole seconds until a token is free (at least 1); each request sent during a wait
        lengthens it by `penalty` seconds. Names with the ``Takeout:`` prefix limit requests
        sent inside a takeout session. An empty dict lifts every limit; buckets start full."""
        settings = quotas.parse_limits(limits, penalty)
        with self.transaction() as conn:
            quotas.store_settings(conn, settings)

    def limits(self) -> dict[str, tuple[int, float]]:
        """The limits in force, as given to `set_limits` (empty when none)."""
        settings = quotas.load_settings(self.conn)
        if settings is None:
            return {}
        return {k: (b.requests, b.seconds) for k, b in settings.buckets.items()}

    def set_network(self, rtt_ms: float = 0.0, bytes_per_second: float | None = None) -> None:
        """Delay every answer by `rtt_ms` plus its serialised size over `bytes_per_second`, the
        bandwidth of each connection (answers on one connection queue for it; a connection to
        another DC has its own). The defaults turn the network model off."""
        settings = link.NetworkSettings(float(rtt_ms), bytes_per_second)
        with self.transaction() as conn:
            link.store_settings(conn, settings)

    def request_counts(self, *, by_bucket: bool = False) -> dict[str, int]:
        """Requests that reached the server, by Telethon request class name, from every
        process (refused and failed ones included; lost ones once per sending). With
        `by_bucket`, requests inside a takeout are counted under ``Takeout:<name>``."""
        return accounting.request_counts(self.conn, by_bucket=by_bucket)

    def flood_wait_seconds(self) -> int:
        """Total seconds of every FLOOD_WAIT_X answered so far (quotas, injected, random)."""
        return accounting.counter(self.conn, accounting.FLOOD_WAIT_SECONDS)

    def file_bytes_served(self) -> int:
        """Total bytes of file content returned by upload.GetFile so far."""
        return accounting.counter(self.conn, accounting.FILE_BYTES_SERVED)

    def set_takeout_delay(self, seconds: float) -> None:
        """A new takeout session is refused with TAKEOUT_INIT_DELAY_X until `seconds` after the
        account first asked for one (0, the default: allowed at once)."""
        if seconds < 0:
            raise ValueError(f"takeout delay must not be negative, got {seconds}")
        with self.transaction() as conn:
            write_meta(conn, TAKEOUT_DELAY_KEY, str(float(seconds)))

    def allow_takeout(self, user_id: int = schema.SELF_USER_ID) -> None:
        """The user confirms the takeout on another device: no delay left for this account."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO takeout_requests (user_id, requested) VALUES (?, ?)",
                (user_id, 0.0),
            )

    def takeouts(self) -> Iterator[dict[str, Any]]:
        """Every takeout session opened: id, user_id, started (epoch seconds), finished."""
        for row in self.conn.execute("SELECT * FROM takeouts ORDER BY started"):
            yield dict(row, finished=bool(row["finished"]))
