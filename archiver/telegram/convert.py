"""Pure conversion of Telethon objects to rows: channels and messages.

No client, no await, no disk: a Telethon object (as parsed from Telegram's bytes) goes in, a
row comes out, and nothing in a message — an unknown media or entity class, a missing field —
makes it raise. ``raw`` keeps the TL bytes so later versions can re-derive what this one skips.
"""

from __future__ import annotations

from typing import Any

from telethon.tl import types

from archiver.rows import ChannelRow, MessageRow
from archiver.telegram.convert_media import media_parts
from archiver.telegram.convert_text import (
    action_json,
    entities_json,
    peer_id,
    text_with_entities,
    to_unix,
)


def _raw(obj: Any) -> bytes | None:
    try:
        return bytes(obj)
    except Exception:
        return None


def channel_row(chat: Any, full: Any = None) -> ChannelRow:
    """A channel (``types.Channel``) and optionally its ``messages.ChatFull`` as a row."""
    username = getattr(chat, "username", None)
    if not username:
        active = [u for u in getattr(chat, "usernames", None) or [] if getattr(u, "active", False)]
        username = active[0].username if active else None
    restriction = [
        {"platform": r.platform, "reason": r.reason, "text": r.text}
        for r in getattr(chat, "restriction_reason", None) or []
    ] or None
    about = linked = participants = None
    full_chat = getattr(full, "full_chat", full)
    if isinstance(full_chat, types.ChannelFull):
        about = full_chat.about or ""
        linked = full_chat.linked_chat_id
        participants = full_chat.participants_count
    return ChannelRow(
        id=chat.id,
        access_hash=getattr(chat, "access_hash", None),
        title=getattr(chat, "title", "") or "",
        username=username,
        about=about,
        kind="megagroup" if getattr(chat, "megagroup", False) else "channel",
        linked_chat_id=linked,
        participants=participants
        if participants is not None
        else getattr(chat, "participants_count", None),
        created_date=to_unix(getattr(chat, "date", None)),
        restriction=restriction,
        raw=_raw(chat),
    )


def _reply_to(header: Any) -> tuple[int | None, dict[str, Any] | None]:
    if isinstance(header, types.MessageReplyHeader):
        _, peer = peer_id(header.reply_to_peer_id)
        out = {
            "msg_id": header.reply_to_msg_id,
            "top_id": header.reply_to_top_id,
            "peer_id": peer,
            "quote_text": header.quote_text,
        }
        return header.reply_to_msg_id, {k: v for k, v in out.items() if v is not None} or None
    if isinstance(header, types.MessageReplyStoryHeader):
        _, peer = peer_id(header.peer)
        return None, {"story_id": header.story_id, "peer_id": peer}
    return None, None


def _fwd_from(header: Any) -> dict[str, Any] | None:
    if not isinstance(header, types.MessageFwdHeader):
        return None
    kind, ident = peer_id(header.from_id)
    _, saved_peer = peer_id(header.saved_from_peer)
    out = {
        "from_type": kind or ("hidden" if header.from_name else None),
        "from_id": ident,
        "from_name": header.from_name,
        "date": to_unix(header.date),
        "channel_post": header.channel_post,
        "post_author": header.post_author,
        "saved_from_peer": saved_peer,
        "saved_from_msg_id": header.saved_from_msg_id,
    }
    return {k: v for k, v in out.items() if v is not None}


def _reactions(reactions: Any) -> list[dict[str, Any]] | None:
    out = []
    for result in getattr(reactions, "results", None) or []:
        reaction = result.reaction
        if isinstance(reaction, types.ReactionEmoji):
            out.append({"emoji": reaction.emoticon, "count": result.count})
        elif isinstance(reaction, types.ReactionCustomEmoji):
            out.append({"custom_emoji_id": reaction.document_id, "count": result.count})
        elif isinstance(reaction, types.ReactionPaid):
            out.append({"paid": True, "count": result.count})
    return out or None


def message_row(message: Any, channel_id: int) -> MessageRow | None:
    """A message or service message as a row; None for ``MessageEmpty`` (nothing to keep)."""
    if not isinstance(message, (types.Message, types.MessageService)):
        return None
    reply_msg_id, reply_to = _reply_to(getattr(message, "reply_to", None))
    _, from_id = peer_id(getattr(message, "from_id", None))
    replies = getattr(message, "replies", None)
    common: dict[str, Any] = {
        "channel_id": channel_id,
        "msg_id": message.id,
        "date": to_unix(message.date) or 0,
        "reply_to_msg_id": reply_msg_id,
        "reply_to": reply_to,
        "from_id": from_id,
        "raw": _raw(message),
    }
    if isinstance(message, types.MessageService):
        return MessageRow(**common, action=action_json(message.action))
    text, _ = text_with_entities(message.message or "")
    kind, media, files = media_parts(message.media)
    return MessageRow(
        **common,
        text=text,
        edit_date=to_unix(message.edit_date),
        entities=entities_json(message.entities),
        media_kind=kind,
        media=media,
        files=files,
        grouped_id=message.grouped_id,
        fwd_from=_fwd_from(message.fwd_from),
        views=message.views,
        forwards=message.forwards,
        replies=getattr(replies, "replies", None),
        reactions=_reactions(message.reactions),
        post_author=message.post_author,
    )
