"""Channels and their messages as Telegram serves them to a reader: resolving a username,
channels.getChannels / getFullChannel, messages.getHistory / getReplies,
channels.getMessages and updates.getChannelDifference.

A channel restricted on every platform stays visible but serves no messages. A difference
gap larger than the request's `limit` is channelDifferenceTooLong, carrying the dialog and
the latest messages (core.telegram.org/api/updates); docs/telegram-behaviour.md has the rest.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from telethon.tl import functions, types
from telethon.tl.tlobject import TLObject

from . import reads, tl_build
from .accounts import RpcFailure

USERNAME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{3,31}$")


class ChannelHandlers:
    """Mixed into the RPC `Server`: reading channels, their history and their difference."""

    conn: sqlite3.Connection
    viewer: int
    user_row: Callable[[int], types.User]
    _chat: Callable[[sqlite3.Row], Any]
    _file: Callable[[int], sqlite3.Row]
    _channel_row: Callable[..., sqlite3.Row]

    def channel_handlers(self) -> dict[type, Callable[[Any], Any]]:
        return {
            functions.contacts.ResolveUsernameRequest: self.resolve_username,
            functions.channels.GetChannelsRequest: self.get_channels,
            functions.channels.GetFullChannelRequest: self.get_full_channel,
            functions.messages.GetHistoryRequest: self.get_history,
            functions.messages.GetRepliesRequest: self.get_replies,
            functions.channels.GetMessagesRequest: self.get_messages,
            functions.updates.GetChannelDifferenceRequest: self.get_channel_difference,
        }

    @staticmethod
    def _hidden(row: sqlite3.Row) -> bool:
        """Content of channels restricted on every platform is not served."""
        return bool(row["restriction"]) and json.loads(row["restriction"])["platform"] == "all"

    # -- channels ----------------------------------------------------------------------------

    def resolve_username(self, request: Any) -> types.contacts.ResolvedPeer:
        name = request.username.lstrip("@")
        if not USERNAME_RE.match(name):
            raise RpcFailure("USERNAME_INVALID")
        row = self.conn.execute(
            "SELECT * FROM channels WHERE lower(username) = lower(?) AND status != 'deleted'",
            (name,),
        ).fetchone()
        if row is not None:
            return types.contacts.ResolvedPeer(
                peer=types.PeerChannel(row["id"]), chats=[self._chat(row)], users=[]
            )
        me = self.user_row(self.viewer)
        if me.username and me.username.lower() == name.lower():
            return types.contacts.ResolvedPeer(peer=types.PeerUser(me.id), chats=[], users=[me])
        raise RpcFailure("USERNAME_NOT_OCCUPIED")

    def get_channels(self, request: Any) -> types.messages.Chats:
        rows = [self._channel_row(c, readable=False) for c in request.id]
        return types.messages.Chats(chats=[self._chat(r) for r in rows])

    def get_full_channel(self, request: Any) -> types.messages.ChatFull:
        row = self._channel_row(request.channel)
        chats = [self._chat(row)]
        if row["linked_chat_id"]:
            linked = self.conn.execute(
                "SELECT * FROM channels WHERE id = ?", (row["linked_chat_id"],)
            ).fetchone()
            chats.append(self._chat(linked))
        photo = (
            tl_build.photo(self._file(row["photo_id"]), 96, 96)
            if row["photo_id"]
            else types.PhotoEmpty(id=0)
        )
        full = types.ChannelFull(
            id=row["id"],
            about=row["about"],
            read_inbox_max_id=row["top_id"],
            read_outbox_max_id=row["top_id"],
            unread_count=0,
            chat_photo=photo,
            notify_settings=types.PeerNotifySettings(),
            bot_info=[],
            pts=row["pts"],
            participants_count=row["participants"],
            linked_chat_id=row["linked_chat_id"],
            available_reactions=types.ChatReactionsAll(),
        )
        return types.messages.ChatFull(full_chat=full, chats=chats, users=[])

    # -- messages ----------------------------------------------------------------------------

    def _answer(
        self,
        channel: sqlite3.Row,
        rows: list[sqlite3.Row],
        count: int,
        extra_chats: tuple[sqlite3.Row, ...] = (),
    ) -> types.messages.ChannelMessages:
        """A ChannelMessages page with every chat and user its messages mention."""
        chats = {channel["id"]: channel, **{c["id"]: c for c in extra_chats}}
        for src in tl_build.forwarded_channels(rows):
            if src not in chats:
                found = self.conn.execute("SELECT * FROM channels WHERE id = ?", (src,)).fetchone()
                if found is not None:
                    chats[src] = found
        users = [self.user_row(i) for i in sorted({r["from_user"] for r in rows} - {None})]
        return types.messages.ChannelMessages(
            pts=channel["pts"],
            count=count,
            topics=[],
            users=users,
            messages=[tl_build.message(r, self._file, self._replies(channel, r)) for r in rows],
            chats=[self._chat(c) for c in chats.values()],
        )

    def _replies(self, channel: sqlite3.Row, row: sqlite3.Row) -> types.MessageReplies | None:
        group = channel["linked_chat_id"]
        if not group or channel["megagroup"]:
            return None
        stats = self.conn.execute(
            "SELECT COUNT(*), MAX(id) FROM messages WHERE channel_id = ? AND thread_of = ?"
            " AND deleted = 0",
            (group, row["id"]),
        ).fetchone()
        return types.MessageReplies(
            replies=stats[0],
            replies_pts=channel["pts"],
            comments=True,
            channel_id=group,
            max_id=stats[1],
        )

    @staticmethod
    def _page(request: Any) -> reads.Page:
        date = request.offset_date
        return reads.Page(
            offset_id=request.offset_id,
            offset_date=int(date.timestamp()) if date else 0,
            add_offset=request.add_offset,
            limit=request.limit,
            max_id=request.max_id,
            min_id=request.min_id,
        )

    def get_history(self, request: Any) -> types.messages.ChannelMessages:
        row = self._channel_row(request.peer)
        if self._hidden(row):
            return self._answer(row, [], 0)
        rows = reads.history_slice(self.conn, row["id"], self._page(request))
        return self._answer(row, rows, row["live_count"])

    def get_replies(self, request: Any) -> types.messages.ChannelMessages:
        row = self._channel_row(request.peer)
        group_id = row["linked_chat_id"] if not row["megagroup"] else row["id"]
        if group_id is None:
            raise RpcFailure("MSG_ID_INVALID")
        group = self.conn.execute("SELECT * FROM channels WHERE id = ?", (group_id,)).fetchone()
        rows = reads.history_slice(self.conn, group_id, self._page(request), request.msg_id)
        count = self.conn.execute(
            "SELECT COUNT(*) FROM messages WHERE channel_id = ? AND thread_of = ? AND deleted = 0",
            (group_id, request.msg_id),
        ).fetchone()[0]
        return self._answer(group, rows, count, extra_chats=(row,))

    def get_messages(self, request: Any) -> types.messages.ChannelMessages:
        row = self._channel_row(request.channel)
        ids = [getattr(i, "id", 0) for i in request.id]
        found = {} if self._hidden(row) else reads.messages_by_id(self.conn, row["id"], ids)
        peer = types.PeerChannel(row["id"])
        answer = self._answer(row, [r for r in found.values() if not r["deleted"]], len(ids))
        built = {m.id: m for m in answer.messages}
        answer.messages = [built.get(i) or types.MessageEmpty(id=i, peer_id=peer) for i in ids]
        return answer

    # -- updates -------------------------------------------------------------------

    def get_channel_difference(self, request: Any) -> Any:
        row = self._channel_row(request.channel)
        # Members or not, a readable channel's difference is served; `limit` is the largest
        # gap answered in full: past it, channelDifferenceTooLong.
        limit = max(1, min(request.limit, reads.MAX_DIFFERENCE_LIMIT))
        diff = reads.channel_difference(self.conn, row["id"], request.pts, row["pts"], limit)
        chat = self._chat(row)
        if diff.too_long:
            dialog = types.Dialog(
                peer=types.PeerChannel(row["id"]),
                top_message=row["top_id"],
                read_inbox_max_id=row["top_id"],
                read_outbox_max_id=row["top_id"],
                unread_count=0,
                unread_mentions_count=0,
                unread_reactions_count=0,
                unread_poll_votes_count=0,
                notify_settings=types.PeerNotifySettings(),
                pts=row["pts"],
            )
            latest = reads.last_messages(self.conn, row["id"], min(limit, reads.MAX_PAGE))
            return types.updates.ChannelDifferenceTooLong(
                dialog=dialog,
                messages=[tl_build.message(r, self._file) for r in latest],
                chats=[chat],
                users=[],
                final=True,
                timeout=30,
            )
        if not (diff.new or diff.edited or diff.deleted):
            return types.updates.ChannelDifferenceEmpty(pts=diff.pts, final=True, timeout=30)
        other: list[TLObject] = [
            types.UpdateEditChannelMessage(tl_build.message(r, self._file), r["edit_pts"], 1)
            for r in diff.edited
        ]
        other += [
            types.UpdateDeleteChannelMessages(row["id"], [r["id"]], r["delete_pts"], 1)
            for r in diff.deleted
        ]
        return types.updates.ChannelDifference(
            pts=diff.pts,
            new_messages=[tl_build.message(r, self._file) for r in diff.new],
            other_updates=other,
            chats=[chat],
            users=[],
            final=diff.final,
            timeout=30,
        )
