"""The world file's `meta` table: world-wide settings by key (password, outage, limits,
network, random faults, takeout delay ...), one text value each.

Kept in the world file so that every process attached to the world reads the same settings.
Writers call `write_meta` inside a world transaction.
"""

from __future__ import annotations

import sqlite3


def read_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """The value stored under `key`; None when it was never set or was set to None."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def write_meta(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    """Store `value` under `key`, replacing any value it had."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
