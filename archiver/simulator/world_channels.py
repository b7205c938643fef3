"""`World` methods about channels: creating one, reading its row, and everything Telegram or
its admins do to it (rename, username, description, photo, privacy, deletion, restrictions).

A change a connected client should hear of appends a ``channel`` row to the ``changes`` table
(unless ``push=False``), which the simulated senders turn into ``updateChannel``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from . import schema
from .specs import Synthetic


class WorldChannels:
    """Mixed into `World`: channels and what happens to them."""

    path: Path
    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _store_file(self, data: bytes | Synthetic, thumb_id: int | None = None) -> int:
        raise NotImplementedError

    def add_channel(
        self,
        username: str | None,
        title: str,
        about: str = "",
        *,
        photo: bool = True,
        megagroup: bool = False,
        linked_discussion: bool = False,
        date: datetime | None = None,
        participants: int = 1234,
        signatures: bool = False,
    ) -> int:
        """Create a channel (a broadcast unless `megagroup`) and return its Telegram-style id.

        `linked_discussion` also creates a megagroup linked to it, which holds the comments.
        """
        with self.transaction() as conn:
            row = conn.execute("SELECT MAX(id) FROM channels").fetchone()
            cid = max(row[0] or 0, schema.FIRST_CHANNEL_ID - 1) + 1
            ts = int(date.timestamp()) if date else int(time.time())
            conn.execute(
                "INSERT INTO channels (id, access_hash, username, title, about, megagroup, date,"
                " participants, signatures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cid,
                    schema.stable_hash("channel", cid),
                    username,
                    title,
                    about,
                    int(megagroup),
                    ts,
                    participants,
                    int(signatures),
                ),
            )
        if photo:
            self.set_photo(cid, push=False)
        if linked_discussion:
            group = self.add_channel(
                None, f"{title} — chat", megagroup=True, photo=False, date=date
            )
            with self.transaction() as conn:
                conn.execute("UPDATE channels SET linked_chat_id = ? WHERE id = ?", (group, cid))
                conn.execute("UPDATE channels SET linked_chat_id = ? WHERE id = ?", (cid, group))
        return cid

    def channel(self, channel_id: int) -> dict[str, Any]:
        """The channel's row as a dict (raises KeyError for an unknown id)."""
        row = self.conn.execute("SELECT * FROM channels WHERE id = ?", (channel_id,)).fetchone()
        if row is None:
            raise KeyError(f"no channel {channel_id} in world {self.path}")
        return dict(row)

    def channel_id(self, username: str) -> int:
        """The id of the channel currently holding `username` (KeyError if none)."""
        row = self.conn.execute(
            "SELECT id FROM channels WHERE lower(username) = lower(?)", (username.lstrip("@"),)
        ).fetchone()
        if row is None:
            raise KeyError(f"no channel @{username} in world {self.path}")
        return int(row[0])

    def channel_ids(self) -> list[int]:
        """Every channel id, in creation order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM channels ORDER BY id")]

    def _update_channel(self, channel_id: int, push: bool = True, **columns: Any) -> None:
        self.channel(channel_id)
        sets = ", ".join(f"{k} = ?" for k in columns)
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE channels SET {sets} WHERE id = ?", (*columns.values(), channel_id)
            )
            if push:
                conn.execute(
                    "INSERT INTO changes (channel_id, kind) VALUES (?, 'channel')", (channel_id,)
                )

    def rename(self, channel_id: int, title: str, *, push: bool = True) -> None:
        """Change the channel title."""
        self._update_channel(channel_id, push, title=title)

    def set_username(self, channel_id: int, username: str | None, *, push: bool = True) -> None:
        """Give the channel a username (taking it from any channel holding it) or remove it."""
        if username is not None:
            with self.transaction() as conn:
                conn.execute("UPDATE channels SET username = NULL WHERE username = ?", (username,))
        self._update_channel(channel_id, push, username=username)

    def set_about(self, channel_id: int, about: str, *, push: bool = True) -> None:
        """Change the channel description."""
        self._update_channel(channel_id, push, about=about)

    def set_photo(self, channel_id: int, data: bytes | None = None, *, push: bool = True) -> int:
        """Set a new profile photo (a generated image unless `data`); returns its file id."""
        from .media_files import png_gradient

        with self.transaction() as conn:
            files = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
            image = data or png_gradient(96, 96, seed=channel_id * 7919 + files)
            file_id = self._store_file(image)
        self._update_channel(channel_id, push, photo_id=file_id)
        return file_id

    def make_private(self, channel_id: int) -> None:
        """We lose access: GetChannels answers ChannelForbidden, reads fail CHANNEL_PRIVATE."""
        self._update_channel(channel_id, status="private")

    def delete_channel(self, channel_id: int) -> None:
        """The channel is gone: CHANNEL_INVALID, and its username stops resolving."""
        self._update_channel(channel_id, status="deleted", username=None)

    def ban(self, channel_id: int, reason_text: str = "This channel was blocked.") -> None:
        """Telegram bans the channel everywhere (restriction platform 'all', reason 'terms')."""
        self.restrict(channel_id, platform="all", reason="terms", text=reason_text)

    def restrict(
        self,
        channel_id: int,
        platform: str = "all",
        reason: str = "other",
        text: str = "This channel is unavailable.",
    ) -> None:
        """Restrict the channel (geo/platform): `restricted=True` with a restriction reason."""
        restriction = json.dumps({"platform": platform, "reason": reason, "text": text})
        self._update_channel(channel_id, restriction=restriction)

    def restore(self, channel_id: int) -> None:
        """Undo privacy, deletion marks and restrictions (a deleted username stays lost)."""
        self._update_channel(channel_id, status="ok", restriction=None)
