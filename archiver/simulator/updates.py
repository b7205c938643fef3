"""Turn the world's change log into the live `Updates` Telegram would push to a connected client."""

from __future__ import annotations

import json
import sqlite3
import time

from telethon.tl import types

from . import tl_build, world_follow
from .accounts import is_banned
from .schema import SELF_USER_ID


def pending_changes(conn: sqlite3.Connection, after_seq: int) -> list[sqlite3.Row]:
    """Change-log entries newer than `after_seq`, oldest first."""
    return conn.execute(
        "SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT 500", (after_seq,)
    ).fetchall()


def last_seq(conn: sqlite3.Connection) -> int:
    """The newest change-log position (a new connection only hears about later changes)."""
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0])


def build(
    conn: sqlite3.Connection, change: sqlite3.Row, viewer: int = SELF_USER_ID
) -> types.Updates | None:
    """The Updates for one change as user `viewer` gets it, with the channel in `chats` so the
    client can track its pts.

    Only members get a channel's updates pushed, as on Telegram: nothing for a channel the
    viewer has not joined (`channels.joinChannel`), can no longer read (private, deleted, banned
    from), nor anything to a deactivated account.
    """
    channel = conn.execute(
        "SELECT * FROM channels WHERE id = ?", (change["channel_id"],)
    ).fetchone()
    if channel is None or channel["status"] != "ok":
        return None
    if not world_follow.is_member(conn, channel["id"], viewer):
        return None
    user = conn.execute("SELECT deactivated FROM users WHERE id = ?", (viewer,)).fetchone()
    if (user is not None and user["deactivated"]) or is_banned(conn, channel["id"], viewer):
        return None

    def file(file_id: int) -> sqlite3.Row:
        row: sqlite3.Row = conn.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
        return row

    ids = json.loads(change["ids"])
    kind = change["kind"]
    if kind == "delete":
        update = types.UpdateDeleteChannelMessages(
            channel_id=channel["id"], messages=ids, pts=change["pts"], pts_count=change["pts_count"]
        )
    elif kind in ("new", "edit"):
        row = conn.execute(
            "SELECT * FROM messages WHERE channel_id = ? AND id = ?", (channel["id"], ids[0])
        ).fetchone()
        message = tl_build.message(row, file)
        cls = types.UpdateNewChannelMessage if kind == "new" else types.UpdateEditChannelMessage
        update = cls(message=message, pts=change["pts"], pts_count=change["pts_count"])
    else:
        update = types.UpdateChannel(channel_id=channel["id"])
    users = []
    if kind in ("new", "edit") and row["from_user"]:
        user = conn.execute("SELECT * FROM users WHERE id = ?", (row["from_user"],)).fetchone()
        users.append(tl_build.user(user, is_self=user["id"] == viewer))
    photo = conn.execute("SELECT dc_id FROM files WHERE id = ?", (channel["photo_id"],)).fetchone()
    chat = tl_build.channel(channel, viewer=viewer, photo_dc=photo[0] if photo else tl_build.DC_ID)
    chat.left = False
    return types.Updates(
        updates=[update],
        users=users,
        chats=[chat],
        date=tl_build.utc(time.time()),
        seq=0,
    )
