"""`World`: the simulated Telegram's state (channels, posts, files) and every way to change it.

All state lives in one SQLite file; each change a connected client should hear about is appended
to the `changes` table, which connected simulated senders poll and turn into live updates. This
module opens the file and publishes, edits and deletes posts; the `world_*` mixins hold the
methods about channels, accounts, files, limits, membership and faults.
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

from . import file_store, schema, world_follow
from .datacenters import default_dc
from .meta import read_meta, write_meta
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
from .world_channels import WorldChannels
from .world_faults import WorldFaults
from .world_files import WorldFiles, document_thumbnail
from .world_follow import WorldFollow
from .world_limits import WorldLimits


class World(WorldChannels, WorldAccounts, WorldFiles, WorldLimits, WorldFollow, WorldFaults):
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
        write_meta(self.conn, key, value)

    def meta(self, key: str) -> str | None:
        """A world-wide setting (password, outage) as stored."""
        return read_meta(self.conn, key)

    def set_password(self, password: str | None) -> None:
        """Turn two-step verification on (with this password) or off."""
        with self.transaction():
            self._set_meta("password", password)

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
