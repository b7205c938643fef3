"""File references that expire, as Telegram's do (core.telegram.org/api/file-references).

Every Photo and Document the simulator sends carries a fresh reference: the time it was issued
and a tag only the world can make for that file. GetFile refuses a tag that does not match
(FILE_REFERENCE_INVALID) and a reference older than the world's lifetime
(FILE_REFERENCE_EXPIRED); the client gets a fresh one by fetching the message again.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct

LIFETIME_KEY = "file_reference_lifetime"
DEFAULT_LIFETIME = 7200.0
"""Seconds a reference stays valid unless `World.set_file_reference_lifetime` says otherwise.
Telegram publishes no figure; clients report references lasting a few hours."""


def issue(secret: bytes, now: float) -> bytes:
    """A reference to the file whose stored secret is `secret`, issued at `now` (Unix time)."""
    stamp = struct.pack(">Q", int(now * 1000))
    return stamp + _tag(secret, stamp)


def problem(secret: bytes, reference: bytes, now: float, lifetime: float | None) -> str | None:
    """The RPC error GetFile answers for `reference`, or None when it is good."""
    if not reference:
        return "FILE_REFERENCE_EMPTY"
    stamp = reference[:8]
    if len(reference) != 16 or reference[8:] != _tag(secret, stamp):
        return "FILE_REFERENCE_INVALID"
    issued = struct.unpack(">Q", stamp)[0] / 1000
    if lifetime is not None and now - issued > lifetime:
        return "FILE_REFERENCE_EXPIRED"
    return None


def _tag(secret: bytes, stamp: bytes) -> bytes:
    return hashlib.sha256(secret + stamp).digest()[:8]


def lifetime(conn: sqlite3.Connection) -> float | None:
    """The world's reference lifetime in seconds (None: references never expire)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (LIFETIME_KEY,)).fetchone()
    if row is None:
        return DEFAULT_LIFETIME
    return None if row[0] is None else float(row[0])
