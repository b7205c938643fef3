"""What the simulated Telegram served, counted in the world file so that every process attached
to it adds to the same totals: requests by class name, seconds of FLOOD_WAIT answered, and bytes
of files returned by upload.GetFile.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from .quotas import TAKEOUT_PREFIX
from .telegram_disk import server_disk

FLOOD_WAIT_SECONDS = "flood_wait_seconds"
FILE_BYTES_SERVED = "file_bytes_served"
FLOOD_WAIT_RE = re.compile(r"^FLOOD_WAIT_(\d+)$")


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One eager write transaction on a world connection (writers of all processes queue)."""
    with server_disk():
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def count_request(conn: sqlite3.Connection, bucket: str) -> None:
    """Count one request that reached the server, under its bucket name (in a transaction)."""
    conn.execute(
        "INSERT INTO request_counts (bucket, count) VALUES (?, 1)"
        " ON CONFLICT (bucket) DO UPDATE SET count = count + 1",
        (bucket,),
    )


def add(conn: sqlite3.Connection, name: str, amount: int) -> None:
    """Add `amount` to a world-wide counter (in a transaction)."""
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
        (name, amount),
    )


def note_error(conn: sqlite3.Connection, message: str) -> None:
    """Add the seconds of an RPC error answered, if it is a FLOOD_WAIT, to their total."""
    match = FLOOD_WAIT_RE.match(message)
    if match is not None:
        with write(conn):
            add(conn, FLOOD_WAIT_SECONDS, int(match[1]))


def counter(conn: sqlite3.Connection, name: str) -> int:
    """A counter's total so far (0 if never added to)."""
    row = conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def request_counts(conn: sqlite3.Connection, *, by_bucket: bool = False) -> dict[str, int]:
    """Requests that reached the server, by Telethon request class name; with `by_bucket`,
    those sent inside a takeout session are counted apart, under ``Takeout:<name>``."""
    out: dict[str, int] = {}
    for bucket, count in conn.execute("SELECT bucket, count FROM request_counts"):
        name = bucket if by_bucket else bucket.removeprefix(TAKEOUT_PREFIX)
        out[name] = out.get(name, 0) + int(count)
    return dict(sorted(out.items()))
