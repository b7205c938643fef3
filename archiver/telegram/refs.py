"""Resolve a parsed channel reference (`archiver.channel_refs`) to a channel on Telegram."""

from __future__ import annotations

from telethon import TelegramClient, errors, functions, types

from archiver.channel_refs import ChannelRef
from archiver.errors import ChannelRefError


async def resolve_ref(
    client: TelegramClient, ref: ChannelRef, known_access_hash: int | None = None
) -> types.Channel:
    """Ask Telegram for the channel a reference names; raises ChannelRefError if it can't."""
    try:
        if ref.username:
            result = await client(functions.contacts.ResolveUsernameRequest(ref.username))
            chat = next((c for c in result.chats if isinstance(c, types.Channel)), None)
            if chat is None:
                raise ChannelRefError(f"{ref.text}: @{ref.username} is not a channel")
            return chat
        assert ref.channel_id is not None
        if known_access_hash is not None:
            peer = types.InputChannel(ref.channel_id, known_access_hash)
        else:
            try:
                peer = await client.get_input_entity(types.PeerChannel(ref.channel_id))
            except ValueError:
                raise ChannelRefError(
                    f"{ref.text}: channel id {ref.channel_id} is not known to this account yet; "
                    "add it once by @username or t.me link"
                ) from None
        result = await client(functions.channels.GetChannelsRequest([peer]))
    except (errors.UsernameNotOccupiedError, errors.UsernameInvalidError):
        raise ChannelRefError(f"{ref.text}: no channel has this username") from None
    except (errors.ChannelPrivateError, errors.ChannelInvalidError):
        raise ChannelRefError(f"{ref.text}: the channel is private or no longer exists") from None
    chat = result.chats[0] if result.chats else None
    if isinstance(chat, types.ChannelForbidden):
        raise ChannelRefError(f"{ref.text}: the channel is private or we were banned from it")
    if not isinstance(chat, types.Channel):
        raise ChannelRefError(f"{ref.text}: not a channel")
    return chat
