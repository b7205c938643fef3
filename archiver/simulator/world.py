"""`World`: the simulated Telegram's state (channels, posts, files) and every way to change it.

All state lives in one SQLite file; each change a connected client should hear about is appended
to the `changes` table, which connected simulated senders poll and turn into live updates.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from telethon.tl.tlobject import TLObject

from . import faults, file_store, schema, world_follow
from .datacenters import default_dc
from .specs import (
    Action,
    Document,
    Forward,
    MediaSpec,
    Photo,
    Synthetic,
    WebPage,
    spec_to_json,
)
from .telegram_disk import server_disk
from .world_accounts import WorldAccounts
from .world_files import WorldFiles, document_thumbnail
from .world_follow import WorldFollow
from .world_limits import WorldLimits


class World(WorldAccounts, WorldFiles, WorldLimits, WorldFollow):
    """A simulated Telegram stored in one SQLite file. Create with `create`, reopen with `open`."""

    def __init__(self, path: str | Path, conn: sqlite3.Connection) -> None:
        self.path = Path(path)
        self.conn = conn

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, *, password: str | None = None) -> World:
        """Make a new, empty world file at `path` (an existing one is replaced)."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        conn = schema.connect(path)
        conn.executescript(schema.SCHEMA)
        world_follow.ensure_schema(conn)
        file_store.ensure_schema(conn)
        world = cls(path, conn)
        with world.transaction():
            conn.execute(
                "INSERT INTO users (id, access_hash, first_name, last_name, username, phone)"
                " VALUES (?, ?, 'Archivist', NULL, 'archivist', '15550000000')",
                (schema.SELF_USER_ID, schema.stable_hash("user", schema.SELF_USER_ID)),
            )
            world._set_meta("password", password)
            world._set_meta("outage", "0")
        return world

    @classmethod
    def open(cls, path: str | Path) -> World:
        """Reopen an existing world file (from this or another process)."""
        if not Path(path).exists():
            raise FileNotFoundError(f"no simulated world at {path}")
        conn = schema.connect(path)
        world_follow.ensure_schema(conn)
        file_store.ensure_schema(conn)
        return cls(path, conn)

    def close(self) -> None:
        """Close this handle's database connection."""
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one write transaction, taken eagerly so that writers queue.

        Inside another `transaction` block the inner one joins the outer: wrapping many calls
        (e.g. thousands of `post`) in one block commits them once, which is much faster.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        with server_disk():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _set_meta(self, key: str, value: str | None) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> str | None:
        """A world-wide setting (password, outage) as stored."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- channels ----------------------------------------------------------------------------

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

    # -- posts -------------------------------------------------------------------------------

    def _store_file(self, data: bytes | Synthetic, thumb_id: int | None = None) -> int:
        """Keep `data` once per content (bytes, or a synthetic recipe) and return a new file id
        for it, on the file's DC (`datacenters.default_dc`), with an optional thumbnail file
        (call in a transaction)."""
        sha, size = file_store.keep(self.conn, data)
        row = self.conn.execute("SELECT MAX(id) FROM files").fetchone()
        file_id = max(row[0] or 0, schema.FIRST_FILE_ID - 1) + 1
        self.conn.execute(
            "INSERT INTO files (id, access_hash, file_reference, sha, size, date, dc_id, thumb_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                file_id,
                schema.stable_hash("file", file_id),
                hashlib.sha256(b"ref%d" % file_id).digest()[:9],
                sha,
                size,
                int(time.time()),
                default_dc(file_id),
                thumb_id,
            ),
        )
        return file_id

    def _media_json(self, media: MediaSpec | None) -> str | None:
        if isinstance(media, Document):
            thumb = document_thumbnail(media)
            if thumb is None:
                return spec_to_json(media, file_id=self._store_file(media.data))
            jpeg, width, height = thumb
            file_id = self._store_file(media.data, thumb_id=self._store_file(jpeg))
            return spec_to_json(media, file_id=file_id, thumb_w=width, thumb_h=height)
        if isinstance(media, Photo):
            return spec_to_json(media, file_id=self._store_file(media.data))
        if isinstance(media, WebPage) and media.photo is not None:
            return spec_to_json(media, file_id=self._store_file(media.photo))
        return spec_to_json(media)

    def post(
        self,
        channel_id: int,
        text: str = "",
        *,
        entities: Sequence[TLObject] | None = None,
        media: MediaSpec | None = None,
        date: datetime | None = None,
        grouped_id: int | None = None,
        reply_to: int | None = None,
        thread_of: int | None = None,
        fwd_from: Forward | None = None,
        views: int | None = None,
        forwards: int | None = None,
        reactions: dict[str, int] | None = None,
        post_author: str | None = None,
        from_user: int | None = None,
        action: Action | None = None,
        push: bool = True,
    ) -> int:
        """Publish a post (or a service message if `action`) and return its id.

        `push=True` queues a live UpdateNewChannelMessage for connected clients; either way the
        post takes the next pts, so GetChannelDifference reports it.
        """
        with self.transaction() as conn:
            ch = conn.execute(
                "SELECT top_id, pts FROM channels WHERE id = ?", (channel_id,)
            ).fetchone()
            if ch is None:
                raise KeyError(f"no channel {channel_id}")
            msg_id, pts = ch["top_id"] + 1, ch["pts"] + 1
            last = conn.execute(
                "SELECT MAX(date) FROM messages WHERE channel_id = ?", (channel_id,)
            ).fetchone()[0]
            ts = int(date.timestamp()) if date else max(int(time.time()), last or 0)
            conn.execute(
                "INSERT INTO messages (channel_id, id, date, text, entities, media, grouped_id,"
                " reply_to, thread_of, fwd, views, forwards, reactions, post_author, from_user,"
                " action, pts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    channel_id,
                    msg_id,
                    ts,
                    text,
                    entities_to_json(entities),
                    self._media_json(media),
                    grouped_id,
                    reply_to,
                    thread_of,
                    spec_to_json(fwd_from),
                    views,
                    forwards,
                    json.dumps(reactions, ensure_ascii=False) if reactions else None,
                    post_author,
                    from_user,
                    spec_to_json(action),
                    pts,
                ),
            )
            conn.execute(
                "UPDATE channels SET top_id = ?, pts = ?, live_count = live_count + 1 WHERE id = ?",
                (msg_id, pts, channel_id),
            )
            if push:
                self._log_change(channel_id, "new", [msg_id], pts, 1)
        return int(msg_id)

    def comment(self, channel_id: int, post_id: int, text: str, *, push: bool = True) -> int:
        """Add a comment under a post in the channel's linked discussion group."""
        group = self.channel(channel_id)["linked_chat_id"]
        if group is None:
            raise ValueError(f"channel {channel_id} has no linked discussion group")
        return self.post(group, text, thread_of=post_id, from_user=schema.SELF_USER_ID, push=push)

    def edit(
        self,
        channel_id: int,
        msg_id: int,
        text: str | None = None,
        *,
        entities: Sequence[TLObject] | None = None,
        media: MediaSpec | None = None,
        date: datetime | None = None,
        push: bool = True,
    ) -> None:
        """Edit a post's text/entities/media; bumps pts and sets edit_date."""
        with self.transaction() as conn:
            row = conn.execute("SELECT pts FROM channels WHERE id = ?", (channel_id,)).fetchone()
            exists = conn.execute(
                "SELECT 1 FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0",
                (channel_id, msg_id),
            ).fetchone()
            if row is None or exists is None:
                raise KeyError(f"no live message {msg_id} in channel {channel_id}")
            pts = row["pts"] + 1
            sets: dict[str, Any] = {
                "edit_date": int((date or datetime.now()).timestamp()),
                "edit_pts": pts,
            }
            if text is not None:
                sets["text"] = text
            if entities is not None or text is not None:
                sets["entities"] = entities_to_json(entities)
            if media is not None:
                sets["media"] = self._media_json(media)
            assignments = ", ".join(f"{k} = ?" for k in sets)
            conn.execute(
                f"UPDATE messages SET {assignments} WHERE channel_id = ? AND id = ?",
                (*sets.values(), channel_id, msg_id),
            )
            conn.execute("UPDATE channels SET pts = ? WHERE id = ?", (pts, channel_id))
            if push:
                self._log_change(channel_id, "edit", [msg_id], pts, 1)

    def delete(self, channel_id: int, msg_ids: Iterable[int], *, push: bool = True) -> None:
        """Delete posts. `push=False` is a deletion Telegram never announces (no pts, no update)."""
        ids = sorted(set(msg_ids))
        with self.transaction() as conn:
            pts = conn.execute("SELECT pts FROM channels WHERE id = ?", (channel_id,)).fetchone()[0]
            live = [
                i
                for i in ids
                if conn.execute(
                    "SELECT 1 FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0",
                    (channel_id, i),
                ).fetchone()
            ]
            for n, msg_id in enumerate(live, start=1):
                conn.execute(
                    "UPDATE messages SET deleted = 1, delete_pts = ?"
                    " WHERE channel_id = ? AND id = ?",
                    (pts + n if push else None, channel_id, msg_id),
                )
            conn.execute(
                "UPDATE channels SET live_count = live_count - ? WHERE id = ?",
                (len(live), channel_id),
            )
            if push and live:
                conn.execute(
                    "UPDATE channels SET pts = ? WHERE id = ?", (pts + len(live), channel_id)
                )
                self._log_change(channel_id, "delete", live, pts + len(live), len(live))

    def _log_change(self, channel_id: int, kind: str, ids: list[int], pts: int, count: int) -> None:
        self.conn.execute(
            "INSERT INTO changes (channel_id, kind, ids, pts, pts_count) VALUES (?, ?, ?, ?, ?)",
            (channel_id, kind, json.dumps(ids), pts, count),
        )

    # -- faults ------------------------------------------------------------------------------

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

    def set_password(self, password: str | None) -> None:
        """Turn two-step verification on (with this password) or off."""
        with self.transaction():
            self._set_meta("password", password)

    # -- inspection for tests ----------------------------------------------------------------

    def messages(self, channel_id: int, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        """Every message of a channel, oldest first, as dicts of stored columns."""
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE channel_id = ? AND (deleted = 0 OR ?) ORDER BY id",
            (channel_id, int(include_deleted)),
        )
        out = []
        for row in rows:
            item = dict(row, msg_id=row["id"], deleted=bool(row["deleted"]))
            item["media"] = json.loads(row["media"]) if row["media"] else None
            out.append(item)
        return out

    def file_bytes(self, file_id: int) -> bytes:
        """The content of a file (stored or synthetic), as a download should return it."""
        return file_store.read_all(self.conn, file_id)


def entities_to_json(entities: Sequence[TLObject] | None) -> str | None:
    """Store Telethon MessageEntity objects as JSON dicts (rebuilt by `tl_build`)."""
    if not entities:
        return None
    return json.dumps([e.to_dict() for e in entities], ensure_ascii=False)
