"""`channels.joinChannel` / `channels.leaveChannel` as Telegram answers them.

Both answer `Updates` carrying `updateChannel` and the channel (now with `left` unset or set);
joining past the account's limit fails CHANNELS_TOO_MUCH, leaving a channel one is not in
USER_NOT_PARTICIPANT (core.telegram.org/method/channels.joinChannel, channels.leaveChannel).
Joining a channel one is already in answers an `Updates` with no update in it.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from telethon.tl import types

from . import tl_build, world_follow
from .accounts import RpcFailure
from .world import World


class MembershipHandlers:
    """Mixed into `rpc.Server`: join and leave channels for the signed-in account."""

    world: World
    conn: sqlite3.Connection
    viewer: int

    def _channel_row(self, target: Any, *, readable: bool = True) -> sqlite3.Row:
        raise NotImplementedError

    def _chat(self, row: sqlite3.Row) -> Any:
        raise NotImplementedError

    def _membership_updates(self, row: sqlite3.Row, changed: bool) -> types.Updates:
        fresh = self.conn.execute("SELECT * FROM channels WHERE id = ?", (row["id"],)).fetchone()
        updates: list[Any] = [types.UpdateChannel(channel_id=row["id"])] if changed else []
        return types.Updates(
            updates=updates,
            users=[],
            chats=[self._chat(fresh)],
            date=tl_build.utc(time.time()),
            seq=0,
        )

    def join_channel(self, request: Any) -> types.Updates:
        row = self._channel_row(request.channel)
        with self.world.transaction() as conn:
            if world_follow.is_member(conn, row["id"], self.viewer):
                changed = False
            elif world_follow.joined_count(conn, self.viewer) >= world_follow.channels_limit(conn):
                raise RpcFailure("CHANNELS_TOO_MUCH")
            else:
                changed = world_follow.add_member(conn, row["id"], self.viewer)
        return self._membership_updates(row, changed)

    def leave_channel(self, request: Any) -> types.Updates:
        row = self._channel_row(request.channel, readable=False)
        with self.world.transaction() as conn:
            if not world_follow.remove_member(conn, row["id"], self.viewer):
                raise RpcFailure("USER_NOT_PARTICIPANT")
        return self._membership_updates(row, True)
