"""Comments: the discussion-group messages under channel posts (``archive.comments``).

The linked discussion group is stored as a channel of kind ``discussion`` (not followed on its
own, never listed in the mirror). Each pass re-reads the threads of the newest posts that
Telegram says have comments (``messages.GetReplies``): new and edited comments are saved
linked to their post, and comments missing from a thread get a tombstone.
"""

from __future__ import annotations

import dataclasses
import logging

from telethon import types

from archiver.store.channels import Channel, get_channel, upsert_channel
from archiver.store.messages import mark_deleted, posts_with_comments, save_messages, thread_msg_ids
from archiver.telegram.convert import channel_row, message_row
from archiver.worker.accounts import TelegramAccount
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)

THREADS_PER_PASS = 50


async def _discussion_group(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> int | None:
    group_id = channel.linked_chat_id
    if group_id is None:
        return None
    async with ctx.read() as conn:
        known = await get_channel(conn, group_id)
    if known is None:
        group = await account.client.get_entity(types.PeerChannel(group_id))
        row = dataclasses.replace(channel_row(group), kind="discussion")
        async with ctx.write() as conn:
            await upsert_channel(conn, row, ctx.now(), following=False)
    return group_id


async def archive_comments(ctx: WorkerContext, account: TelegramAccount, channel: Channel) -> int:
    """Save the comments of recent posts, read as ``account``; returns how many new comments
    were stored."""
    if not ctx.config.archive.comments or channel.kind != "channel":
        return 0
    group_id = await _discussion_group(ctx, account, channel)
    if group_id is None:
        return 0
    async with ctx.read() as conn:
        posts = await posts_with_comments(conn, channel.id, THREADS_PER_PASS)
    peer = input_channel(account, channel)
    inserted = 0
    for post_id in posts:
        fetched = await account.client.get_messages(peer, reply_to=post_id, limit=None, wait_time=0)
        rows = [
            dataclasses.replace(row, thread_channel_id=channel.id, thread_msg_id=post_id)
            for row in (message_row(m, group_id) for m in fetched)
            if row is not None
        ]
        async with ctx.write() as conn:
            result = await save_messages(conn, rows, ctx.now())
            gone = set(await thread_msg_ids(conn, channel.id, post_id)) - {r.msg_id for r in rows}
            await mark_deleted(conn, group_id, gone, ctx.now(), "reconcile")
        inserted += result.inserted
    return inserted
