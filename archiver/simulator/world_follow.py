"""`World` methods about channel membership: who joined which channel, and the join limit.

Telegram pushes a channel's updates only to accounts that joined it (core.telegram.org/api/updates,
"Subscribing to updates of channels/supergroups"), and refuses to let an account join more than
its limit of channels and supergroups with CHANNELS_TOO_MUCH (500 for ordinary accounts). The
memberships live in the world file, so every process sharing the world sees the same ones.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import AbstractContextManager

from .meta import read_meta, write_meta
from .schema import SELF_USER_ID

SCHEMA = """
CREATE TABLE IF NOT EXISTS memberships (
    user_id INTEGER NOT NULL, channel_id INTEGER NOT NULL, joined_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, channel_id)
);
"""

CHANNELS_LIMIT = 500
"""Channels and supergroups an ordinary account may be a member of (Premium: 1000)."""
CHANNELS_LIMIT_KEY = "channels_limit"


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the memberships table in a world file made before it existed."""
    conn.executescript(SCHEMA)


def is_member(conn: sqlite3.Connection, channel_id: int, user_id: int) -> bool:
    """Whether the user joined the channel (and so gets its updates pushed)."""
    row = conn.execute(
        "SELECT 1 FROM memberships WHERE channel_id = ? AND user_id = ?", (channel_id, user_id)
    ).fetchone()
    return row is not None


def channels_limit(conn: sqlite3.Connection) -> int:
    """The per-account limit of joined channels (`World.set_channels_limit`)."""
    value = read_meta(conn, CHANNELS_LIMIT_KEY)
    return int(value) if value is not None else CHANNELS_LIMIT


def joined_count(conn: sqlite3.Connection, user_id: int) -> int:
    """How many channels the user is a member of."""
    return int(
        conn.execute("SELECT COUNT(*) FROM memberships WHERE user_id = ?", (user_id,)).fetchone()[0]
    )


def add_member(conn: sqlite3.Connection, channel_id: int, user_id: int) -> bool:
    """Record a join (call in a transaction); False if the user was already a member."""
    if is_member(conn, channel_id, user_id):
        return False
    conn.execute(
        "INSERT INTO memberships (user_id, channel_id, joined_at) VALUES (?, ?, ?)",
        (user_id, channel_id, int(time.time())),
    )
    conn.execute("UPDATE channels SET participants = participants + 1 WHERE id = ?", (channel_id,))
    return True


def remove_member(conn: sqlite3.Connection, channel_id: int, user_id: int) -> bool:
    """Record a leave (call in a transaction); False if the user was not a member."""
    if not is_member(conn, channel_id, user_id):
        return False
    conn.execute(
        "DELETE FROM memberships WHERE user_id = ? AND channel_id = ?", (user_id, channel_id)
    )
    conn.execute(
        "UPDATE channels SET participants = MAX(participants - 1, 0) WHERE id = ?", (channel_id,)
    )
    return True


class WorldFollow:
    """Mixed into `World`: channel memberships, as `channels.joinChannel` makes them."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def join(self, channel_id: int, user_id: int = SELF_USER_ID) -> None:
        """Make the user a member of the channel, as if it had joined (no limit applied)."""
        with self.transaction() as conn:
            add_member(conn, channel_id, user_id)

    def leave(self, channel_id: int, user_id: int = SELF_USER_ID) -> None:
        """Take the user out of the channel: its updates are no longer pushed to them."""
        with self.transaction() as conn:
            remove_member(conn, channel_id, user_id)

    def members(self, channel_id: int) -> list[int]:
        """The users who joined the channel, by id."""
        rows = self.conn.execute(
            "SELECT user_id FROM memberships WHERE channel_id = ? ORDER BY user_id", (channel_id,)
        )
        return [int(r[0]) for r in rows]

    def joined_channels(self, user_id: int = SELF_USER_ID) -> list[int]:
        """The channels the user is a member of, by id."""
        rows = self.conn.execute(
            "SELECT channel_id FROM memberships WHERE user_id = ? ORDER BY channel_id", (user_id,)
        )
        return [int(r[0]) for r in rows]

    def set_channels_limit(self, limit: int) -> None:
        """How many channels one account may join before CHANNELS_TOO_MUCH (default 500)."""
        if limit < 0:
            raise ValueError(f"channels limit must be 0 or more, got {limit}")
        with self.transaction() as conn:
            write_meta(conn, CHANNELS_LIMIT_KEY, str(limit))
