"""Channels read from t.me/s: adding one without an account, and one sync pass of it.

The glue between the worker (`WorkerContext`, `ChannelOutcome`) and `archiver.tme`: a channel
whose `source` is "web" is added from its preview page and archived by `sync_web_channel`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from archiver.channel_refs import parse_ref
from archiver.errors import ChannelRefError
from archiver.rows import ChannelRow
from archiver.store.channels import get_channel, set_channel_fields, upsert_channel
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.tme.absences import Confirmations
from archiver.tme.client import WebUnavailable
from archiver.tme.follow import sync_web_channel, web_channel_id
from archiver.tme.sweep import SweepResult, sweep_web_channel
from archiver.worker.channels import AddResult, add_channel
from archiver.worker.context import WorkerContext
from archiver.worker.probe import record_observation
from archiver.worker.web_erasure import page_observation
from archiver.worker.web_media import download_web_media

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from archiver.store.channels import Channel
    from archiver.worker.sync import ChannelOutcome

NO_PREVIEW = {
    "nobody": 't.me shows no channel of that name (the plain "Contact @{name}" page)',
    "user": "@{name} is a user or bot on t.me, not a channel",
    "channel": "t.me has no preview of @{name} (a group, or previews are off)",
    "blocked": "t.me shows a notice instead of @{name}'s posts: {notice}",
}


async def add_web_channel(ctx: WorkerContext, text: str) -> AddResult:
    """Follow a channel by its t.me/s preview: no account; its id is `web_channel_id`."""
    try:
        ref = parse_ref(text)
    except ChannelRefError as exc:
        return AddResult(text, None, str(exc))
    if ref.username is None:
        return AddResult(text, None, f"{text}: a web-preview channel needs its @username")
    name = ref.username
    channel_id = web_channel_id(name)
    try:
        page = await ctx.web.page(f"/s/{name}", channel_id)
    except WebUnavailable as exc:
        return AddResult(text, None, f"{text}: t.me did not answer ({exc}); try again later")
    if page.kind != "preview":
        why = NO_PREVIEW[page.kind].format(name=name, notice=page.notice or "")
        return AddResult(text, None, f"{text}: {why}")
    row = ChannelRow(id=channel_id, access_hash=None, title=page.title or name, username=name)
    async with ctx.write() as conn:
        before = await get_channel(conn, channel_id)
        await upsert_channel(conn, row, ctx.now(), source="web", following=True)
        await set_channel_fields(conn, channel_id, source="web")
        channel = await get_channel(conn, channel_id)
    return AddResult(text, channel, already=before is not None and before.following)


async def add_both_channel(ctx: WorkerContext, text: str) -> AddResult:
    """Follow a channel through Telegram (an account resolves it) and t.me/s as well."""
    result = await add_channel(ctx, text)
    if result.channel is None:
        return result
    async with ctx.write() as conn:
        await set_channel_fields(conn, result.channel.id, source="both")
        channel = await get_channel(conn, result.channel.id)
    return AddResult(text, channel, already=result.already)


def _rule(ctx: WorkerContext) -> Confirmations:
    archive = ctx.config.archive
    return Confirmations(archive.erasure_confirmations, archive.erasure_check_interval)


async def sweep_web(ctx: WorkerContext, channel: Channel) -> SweepResult | None:
    """Re-read a bounded run of older pages of a web-only channel (edits and deletions below
    the newest page); None when t.me only answered with faults (nothing concluded)."""
    if channel.source != "web" or not channel.username:
        return None  # a "both" channel is reconciled through Telegram
    async with ctx.write() as conn:
        state = await get_sync_state(conn, channel.id)
    if state.pass_offset_id is not None or not state.synced_max_id:
        return None  # the history is not complete yet: its walk comes first
    try:
        return await sweep_web_channel(
            ctx.write, ctx.web, channel.id, channel.username, ctx.now(), rule=_rule(ctx)
        )
    except WebUnavailable as exc:
        log.warning("channel %s: t.me sweep: %s", channel.id, exc)
        return None


async def sync_web(
    ctx: WorkerContext,
    channel: Channel,
    outcome: ChannelOutcome,
    *,
    witness: bool = True,
    sweep: bool = True,
) -> None:
    """One t.me/s pass over `channel` into `outcome`; faults end as "error", never as news.
    `witness`: feed what t.me showed to the erasure state machine (False for a "both"
    channel, whose probe combines both sources itself). `sweep`: once the history is
    complete, re-read some older pages too, as `sync` reconciles a Telegram channel."""
    name = channel.username or ""
    rule = _rule(ctx)
    if channel.source == "web":  # a "both" channel's Telegram sync has started it
        ctx.reporter.channel_started(channel.id, channel.title, None)
    try:
        result = await sync_web_channel(
            ctx.write,
            ctx.web,
            channel.id,
            name,
            ctx.now(),
            rule=rule,
            progress=lambda added: ctx.reporter.advanced(channel.id, messages=added),
        )
    except WebUnavailable as exc:
        outcome.outcome, outcome.detail = "error", f"t.me: {exc}"
        return
    outcome.inserted += result.inserted
    outcome.edited += result.edited
    outcome.deleted += result.deleted
    page = result.page
    if page is not None and witness:  # what t.me showed is evidence of erasure
        await record_observation(ctx, channel, page_observation(page))
    if page is not None and page.kind != "preview":
        outcome.outcome = "unavailable"
        outcome.detail = NO_PREVIEW[page.kind].format(name=name, notice=page.notice or "")
        return
    swept = await sweep_web(ctx, channel) if sweep and result.complete else None
    if swept is not None:
        outcome.edited += swept.edited
        outcome.deleted += swept.deleted
    media = await download_web_media(ctx, channel)
    outcome.media_stored += media.stored
    outcome.media_failed += media.failed
    outcome.media_bytes += media.bytes
    async with ctx.write() as conn:
        await update_sync_state(conn, channel.id, last_error=None, paused_until=None)
