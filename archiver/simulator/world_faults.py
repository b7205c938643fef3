"""`World` methods about failures: a test's injected RPC errors, network outages and seeded
random faults, and the counts of the faults injected.

All of it is stored in the world file, so a `tgmirror` subprocess attached to the same world
fails the same way and adds to the same counts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager

from . import faults


class WorldFaults:
    """Mixed into `World`: failures injected by a test, outages and random faults."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _set_meta(self, key: str, value: str | None) -> None:
        raise NotImplementedError

    def fail_next(
        self,
        method: str = "GetHistoryRequest",
        error: str = "FLOOD_WAIT_30",
        times: int = 1,
        channel: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (a Telethon request class name) fail with the
        RPC error `error`, optionally only for requests about `channel`."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO failures (method, error, remaining, channel_id) VALUES (?, ?, ?, ?)",
                (method, error, times, channel),
            )

    def set_outage(self, down: bool) -> None:
        """While down, connected senders behave as if the network dropped."""
        with self.transaction():
            self._set_meta("outage", "1" if down else "0")

    def set_random_faults(
        self,
        rate: float,
        *,
        seed: int = 0,
        kinds: Sequence[str] = faults.KINDS,
        lost_delay: float = 3.0,
    ) -> None:
        """Make a share `rate` (0..1) of RPC answers fail at random with transient errors of
        `kinds` (see `faults.KINDS`), seeded; rate 0 turns it off. Seen by every process."""
        settings = faults.FaultSettings(rate, seed, tuple(kinds), lost_delay) if rate else None
        with self.transaction() as conn:
            faults.store_settings(conn, settings)

    def injected_faults(self) -> dict[str, int]:
        """How many random faults of each kind were injected so far, by every process."""
        return faults.fault_counts(self.conn)

    def answers_under_faults(self) -> int:
        """How many answers random faults were drawn for (the faults' denominator)."""
        return faults.answers_under_faults(self.conn)
