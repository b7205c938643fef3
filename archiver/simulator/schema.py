"""SQLite schema of a simulated world, and how to open a connection to it.

One file holds the whole world so that a test process and a `tgmirror` subprocess can share it:
WAL mode lets the connected sender read while another process writes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE channels (
    id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL, username TEXT UNIQUE,
    title TEXT NOT NULL, about TEXT NOT NULL DEFAULT '', photo_id INTEGER,
    megagroup INTEGER NOT NULL DEFAULT 0, linked_chat_id INTEGER, date INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok', restriction TEXT, pts INTEGER NOT NULL DEFAULT 1,
    top_id INTEGER NOT NULL DEFAULT 0, live_count INTEGER NOT NULL DEFAULT 0,
    participants INTEGER NOT NULL DEFAULT 0,
    signatures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL, first_name TEXT NOT NULL,
    last_name TEXT, username TEXT, phone TEXT,
    flood_until INTEGER, deactivated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE channel_bans (
    channel_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (channel_id, user_id)
);
CREATE TABLE messages (
    channel_id INTEGER NOT NULL, id INTEGER NOT NULL, date INTEGER NOT NULL, edit_date INTEGER,
    text TEXT NOT NULL DEFAULT '', entities TEXT, media TEXT, grouped_id INTEGER,
    reply_to INTEGER, thread_of INTEGER, fwd TEXT, views INTEGER, forwards INTEGER,
    reactions TEXT, post_author TEXT, from_user INTEGER, action TEXT,
    pts INTEGER NOT NULL, edit_pts INTEGER, delete_pts INTEGER,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, id)
) WITHOUT ROWID;
CREATE INDEX messages_pts ON messages (channel_id, pts);
CREATE INDEX messages_date ON messages (channel_id, date);
CREATE INDEX messages_edit_pts ON messages (channel_id, edit_pts) WHERE edit_pts IS NOT NULL;
CREATE INDEX messages_delete_pts ON messages (channel_id, delete_pts) WHERE delete_pts IS NOT NULL;
CREATE INDEX messages_thread ON messages (channel_id, thread_of) WHERE thread_of IS NOT NULL;
CREATE TABLE blobs (sha TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE files (
    id INTEGER PRIMARY KEY, access_hash INTEGER NOT NULL, file_reference BLOB NOT NULL,
    sha TEXT NOT NULL, -- blobs.sha (stored bytes) or synthetic_blobs.sha (file_store.py)
    size INTEGER NOT NULL, date INTEGER NOT NULL,
    dc_id INTEGER NOT NULL DEFAULT 2, thumb_id INTEGER
);
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, channel_id INTEGER NOT NULL, kind TEXT NOT NULL,
    ids TEXT NOT NULL DEFAULT '[]', pts INTEGER NOT NULL DEFAULT 0,
    pts_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE failures (
    id INTEGER PRIMARY KEY, method TEXT NOT NULL, error TEXT NOT NULL,
    remaining INTEGER NOT NULL, channel_id INTEGER
);
CREATE TABLE authorizations (auth_key_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
CREATE TABLE request_counts (bucket TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE buckets (
    user_id INTEGER NOT NULL, name TEXT NOT NULL, tokens REAL NOT NULL, updated REAL NOT NULL,
    wait_until REAL NOT NULL DEFAULT 0, PRIMARY KEY (user_id, name)
);
CREATE TABLE takeouts (
    id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, started REAL NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE takeout_requests (user_id INTEGER PRIMARY KEY, requested REAL NOT NULL);
CREATE TABLE served_parts (
    file_id INTEGER NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL
);
CREATE TABLE exported_authorizations (
    id INTEGER PRIMARY KEY, bytes BLOB NOT NULL, user_id INTEGER NOT NULL, dc_id INTEGER NOT NULL
);
"""

SELF_USER_ID = 5_000_000_001
FIRST_CHANNEL_ID = 1_700_000_001
FIRST_FILE_ID = 5_300_000_000_000_000_001


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the world file with the pragmas every user of it needs (WAL, busy timeout)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def channel_hash(channel_id: int, stored: int, user_id: int) -> int:
    """The access hash of a channel as user ``user_id`` sees it: Telegram gives each account
    its own, so a hash learnt by one account is CHANNEL_INVALID for another. The first user
    (the archivist every world starts with) sees the channel row's own hash."""
    return stored if user_id == SELF_USER_ID else stable_hash("channel", channel_id, user_id)


def stable_hash(*parts: object) -> int:
    """A signed 64-bit number derived from `parts`: deterministic access hashes and ids."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
