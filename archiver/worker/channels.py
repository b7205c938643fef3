"""Follow channels: resolve references, store channels by id, refresh what Telegram says."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telethon import errors, functions, types

from archiver.channel_refs import parse_ref
from archiver.errors import ChannelRefError
from archiver.store.channel_accounts import set_access_hash
from archiver.store.channels import (
    Channel,
    find_channel,
    get_channel,
    set_channel_fields,
    upsert_channel,
)
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.telegram.convert import channel_row
from archiver.telegram.refs import resolve_ref
from archiver.telegram.request_pacer import Priority, request_priority
from archiver.worker.accounts import TelegramAccount
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AddResult:
    ref: str
    channel: Channel | None
    error: str | None = None
    already: bool = False


async def add_channel(ctx: WorkerContext, text: str) -> AddResult:
    """Resolve one reference and store its channel (followed); errors are returned, not raised.

    The first account of the config (``accounts.primary``) resolves it: the access hash stored
    with the channel is that account's; the others learn their own (``learn_hash``).
    """
    account = ctx.accounts.primary
    try:
        ref = parse_ref(text)
        known = None
        if ref.channel_id is not None:
            async with ctx.read() as conn:
                stored = await get_channel(conn, ref.channel_id)
            known = stored.access_hash if stored else None
        chat = await resolve_ref(account.client, ref, known)
    except ChannelRefError as exc:
        return AddResult(text, None, str(exc))
    full = await _full_channel(account, types.InputChannel(chat.id, chat.access_hash))
    async with ctx.write() as conn:
        before = await get_channel(conn, chat.id)
        await upsert_channel(conn, channel_row(chat, full), ctx.now(), following=True)
        policy = ctx.channel_policy(chat.id, chat.username)
        if policy is not None:
            await set_channel_fields(conn, chat.id, publish=policy.publish)
        channel = await get_channel(conn, chat.id)
    return AddResult(text, channel, already=before is not None and before.following)


async def _full_channel(account: TelegramAccount, peer: types.InputChannel) -> object | None:
    try:
        full: object = await account.client(functions.channels.GetFullChannelRequest(peer))
    except Exception as exc:
        log.info("no full info for channel %s: %s", peer.channel_id, exc.__class__.__name__)
        return None
    return full


def input_channel(account: TelegramAccount, channel: Channel) -> types.InputPeerChannel:
    """The peer ``account``'s Telethon calls use: by id and that account's access hash, never
    by (changeable) username."""
    return types.InputPeerChannel(channel.id, account.access_hash(channel))


async def refresh_channel(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> Channel:
    """Fetch the channel by id and store what changed (title, username, about...).

    A channel never archived yet (no sync finished, no pts) gets its current pts stored too,
    as ``catch_up`` does before a first backfill: the caller, a sync, walks the history next,
    and the daemon that follows it then catches up with one getChannelDifference from that pts
    instead of reading a history page per channel at the GetHistory rate (50 channels took
    40 s, and their first polls waited for it).

    When the stored access hash stops working (CHANNEL_INVALID) the username is resolved once
    for a new one. Raises Telethon's errors (ChannelPrivateError...) for the caller to judge.
    """
    peer = types.InputChannel(channel.id, account.access_hash(channel))
    with request_priority(Priority.LIVE):
        try:
            result = await account.client(functions.channels.GetChannelsRequest([peer]))
        except errors.ChannelInvalidError:
            fresh = await rehash(ctx, account, channel)
            if fresh is None:
                raise
            peer = types.InputChannel(channel.id, fresh)
            result = await account.client(functions.channels.GetChannelsRequest([peer]))
    chat = result.chats[0] if result.chats else None
    if not isinstance(chat, types.Channel):
        raise ChannelRefError(f"channel {channel.id} is no longer accessible")
    full = await _full_channel(account, peer)
    pts = getattr(getattr(full, "full_chat", None), "pts", None)
    async with ctx.write() as conn:
        await upsert_channel(conn, channel_row(chat, full), ctx.now())
        state = await get_sync_state(conn, channel.id)
        if isinstance(pts, int) and state.pts is None and state.last_sync_at is None:
            # Whatever is posted from now on comes with the next difference; what was before,
            # the walk reads (catch_up finishes it first while ``last_sync_at`` is unset).
            await update_sync_state(conn, channel.id, pts=pts)
        refreshed = await get_channel(conn, channel.id)
    assert refreshed is not None
    return refreshed


async def rehash(ctx: WorkerContext, account: TelegramAccount, channel: Channel) -> int | None:
    """A new access hash of ``account`` for a channel whose stored one Telegram refuses, by
    resolving its username (once per account and run: a deleted channel must not cost a
    resolve per pass), and stored. None if the username names no channel of that id."""
    if not channel.username or channel.id in account.rehashed:
        return None
    account.rehashed.add(channel.id)
    try:
        request = functions.contacts.ResolveUsernameRequest(channel.username)
        found = await account.client(request)
    except (errors.UsernameNotOccupiedError, errors.UsernameInvalidError):
        return None
    fresh = next((c.access_hash for c in found.chats if c.id == channel.id), None)
    if fresh is None or fresh == account.access_hash(channel):
        return None
    log.info("channel %s: stored access hash refused; using the one its username gives", channel.id)
    account.hashes[channel.id] = fresh
    async with ctx.write() as conn:
        if account is not ctx.accounts.primary:
            await set_access_hash(conn, channel.id, account.name, fresh, ctx.now())
        else:
            await set_channel_fields(conn, channel.id, access_hash=fresh)
    return int(fresh)


async def find_stored(ctx: WorkerContext, text: str) -> Channel | None:
    """A stored channel named by a reference (id, current or old username), without Telegram."""
    ref = parse_ref(text)
    async with ctx.read() as conn:
        return await find_channel(conn, ref.channel_id or ref.username or "")
