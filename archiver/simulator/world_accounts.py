"""`World` methods about accounts: more users with their own sessions, and their troubles.

Every world starts with one user, the archivist (`schema.SELF_USER_ID`, phone 15550000000).
`add_account` adds more; each signs in with its own phone number and sees channels with its own
access hashes. A test then bans one account from a channel, floods it, or deactivates it, and
the others carry on unaffected, as on Telegram.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager

from . import schema


class WorldAccounts:
    """Mixed into `World`: accounts and what Telegram does to one of them."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_account(self, first_name: str, phone: str) -> int:
        """Add a user who signs in with `phone` (digits, e.g. "15550000001"); returns its id."""
        with self.transaction() as conn:
            row = conn.execute("SELECT MAX(id) FROM users").fetchone()
            user_id = int(row[0]) + 1
            conn.execute(
                "INSERT INTO users (id, access_hash, first_name, phone) VALUES (?, ?, ?, ?)",
                (user_id, schema.stable_hash("user", user_id), first_name, phone),
            )
        return user_id

    def authorize(self, auth_key_id: int, user_id: int = schema.SELF_USER_ID) -> None:
        """Mark an MTProto auth key as logged in as `user_id` (the archivist by default)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO authorizations (auth_key_id, user_id) VALUES (?, ?)",
                (auth_key_id, user_id),
            )

    def ban_account(self, channel_id: int, user_id: int) -> None:
        """The channel's admins ban this account: the channel reads as private to it alone."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO channel_bans (channel_id, user_id) VALUES (?, ?)",
                (channel_id, user_id),
            )

    def unban_account(self, channel_id: int, user_id: int) -> None:
        """Lift a ban of `ban_account`."""
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM channel_bans WHERE channel_id = ? AND user_id = ?",
                (channel_id, user_id),
            )

    def flood_account(self, user_id: int, seconds: int) -> None:
        """Every request of this account about a channel fails with FLOOD_WAIT for `seconds`
        from now (0 lifts it); the other accounts are not limited."""
        until = int(time.time()) + seconds if seconds > 0 else None
        with self.transaction() as conn:
            conn.execute("UPDATE users SET flood_until = ? WHERE id = ?", (until, user_id))

    def deactivate_account(self, user_id: int) -> None:
        """Telegram bans the account: every request of its sessions fails USER_DEACTIVATED_BAN."""
        with self.transaction() as conn:
            conn.execute("UPDATE users SET deactivated = 1 WHERE id = ?", (user_id,))

    def accounts(self) -> Iterator[sqlite3.Row]:
        """Every user of the world, the archivist first."""
        yield from self.conn.execute("SELECT * FROM users ORDER BY id")
