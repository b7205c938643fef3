"""Ask Telegram whether a channel still exists, and record what the state machine concludes.

The probe addresses the channel by id and access hash (``channels.GetChannels``), never by
username: a username that moved to another channel or disappeared while the channel is still
readable by id is a rename, logged by ``upsert_channel``, not an erasure. Only answers about
the channel itself are signals; errors of the network or of rate limits are inconclusive.
With several Telegram accounts, a signal of one account must be shared by the others that can
still look: an account banned from a channel others read has lost access, the channel is fine.
"""

from __future__ import annotations

import logging

from telethon import errors, functions, types

from archiver.store.channels import Channel, get_channel, set_channel_fields, upsert_channel
from archiver.store.events import add_event
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.telegram.convert import channel_row
from archiver.telegram.request_pacer import Priority, request_priority
from archiver.worker.accounts import (
    ACCOUNT_ERRORS,
    TelegramAccount,
    learn_hash,
    record_lost,
)
from archiver.worker.channel_status import ChannelState, Observation, Transition, next_state
from archiver.worker.channels import rehash
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)

_INCONCLUSIVE = (
    errors.FloodWaitError,
    errors.ServerError,
    errors.TimedOutError,
    ConnectionError,
    TimeoutError,
    OSError,
)


def observe_chat(chat: object) -> Observation:
    """What a ``channels.GetChannels`` answer says about the channel."""
    if isinstance(chat, types.ChannelForbidden):
        return Observation("signal", "private", "ChannelForbidden")
    if not isinstance(chat, types.Channel):
        return Observation("signal", "deleted", type(chat).__name__)
    reasons = [r for r in chat.restriction_reason or [] if r.platform == "all"]
    if chat.restricted and reasons:
        first = reasons[0]
        kind = "banned" if first.reason in ("terms", "porn", "spam", "violence") else "restricted"
        return Observation("signal", kind, f"{first.reason}: {first.text}")
    return Observation("ok")


async def probe(account: TelegramAccount, channel: Channel) -> tuple[Observation, object | None]:
    """One check of a channel by id as ``account``; returns the observation and the chat when
    readable."""
    peer = types.InputChannel(channel.id, account.access_hash(channel))
    try:
        with request_priority(Priority.LIVE):
            result = await account.client(functions.channels.GetChannelsRequest([peer]))
    except errors.ChannelPrivateError:
        return Observation("signal", "private", "CHANNEL_PRIVATE"), None
    except (errors.ChannelInvalidError, errors.ChannelIdInvalidError):
        return Observation("signal", "deleted", "CHANNEL_INVALID"), None
    except _INCONCLUSIVE as exc:
        return Observation("inconclusive", detail=exc.__class__.__name__), None
    except errors.RPCError as exc:
        return Observation("inconclusive", detail=f"{exc.__class__.__name__}: {exc}"), None
    chat = result.chats[0] if result.chats else None
    return observe_chat(chat), chat


async def checked_probe(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> tuple[Observation, object | None]:
    """``probe``, with a CHANNEL_INVALID first taken for a stale access hash: checked once by
    the channel's username (``rehash``), and the channel probed again with the new hash."""
    seen = await probe(account, channel)
    if seen[0].detail != "CHANNEL_INVALID":
        return seen
    try:
        fresh = await rehash(ctx, account, channel)
    except (*_INCONCLUSIVE, errors.RPCError):
        return seen
    return seen if fresh is None else await probe(account, channel)


async def witness(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> tuple[Observation, object | None] | None:
    """What ``account`` sees of the channel; None when it has no way to address it (no
    access hash of its own and no username that still names the channel)."""
    try:
        if await learn_hash(account, channel) is None:
            return None
    except ACCOUNT_ERRORS as exc:
        ctx.accounts.retire(account, exc.__class__.__name__)
        return None
    except (*_INCONCLUSIVE, errors.RPCError) as exc:
        return Observation("inconclusive", detail=exc.__class__.__name__), None
    return await checked_probe(ctx, account, channel)


async def agreed_probe(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> tuple[Observation, object | None]:
    """Probe with the channel's ``account``; a sign of erasure counts only if every other live
    account that can still look agrees. One that reads the channel proves the first account
    lost access (recorded by ``record_lost``, and the channel moves): no erasure."""
    pool = ctx.accounts
    mine = account
    if channel.id in mine.lost:  # known not to see it: its view is no evidence
        mine = pool.choose(channel.id)
    seen = await witness(ctx, mine, channel)
    if seen is None:
        return Observation("inconclusive", detail=f"account {mine.name} cannot find it"), None
    if seen[0].kind != "signal":
        return seen
    doubts: list[str] = []
    for other in pool.live():
        if other is mine or channel.id in other.lost:
            continue
        if other not in pool.others(channel.id, mine):
            doubts.append(f"{other.name} is waiting out a flood wait")
            continue
        answer = await witness(ctx, other, channel)
        if answer is None:
            continue
        if answer[0].kind == "ok":
            obs = seen[0]
            await record_lost(
                ctx, mine, channel, f"{obs.reason}: {obs.detail}; {other.name} still reads it"
            )
            return answer
        if answer[0].kind == "inconclusive":
            doubts.append(f"{other.name}: {answer[0].detail}")
    if doubts:
        return Observation("inconclusive", detail="; ".join(doubts)), None
    return seen


async def check_channel(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> Transition:
    """Probe a channel with ``account`` (asking every account, when there are several), update
    its status and event log; returns the transition."""
    if ctx.accounts.several:
        obs, chat = await agreed_probe(ctx, account, channel)
    else:
        obs, chat = await checked_probe(ctx, account, channel)
    if channel.source == "both":
        from archiver.worker.web_erasure import combine, observe_web

        obs = combine({"telegram": obs, "web": await observe_web(ctx, channel)})
    return await record_observation(ctx, channel, obs, chat)


async def record_observation(
    ctx: WorkerContext, channel: Channel, obs: Observation, chat: object | None = None
) -> Transition:
    """Feed one observation (from Telegram, t.me or both) to the status machine; store the
    new status, signal counters and events; returns the transition."""
    archive = ctx.config.archive
    async with ctx.write() as conn:
        current = await get_channel(conn, channel.id)
        state = await get_sync_state(conn, channel.id)
        before = ChannelState(
            status=current.status if current else "active",
            reason=current.status_reason if current else None,
            signal_count=state.signal_count,
            signal_first_at=state.signal_first_at,
            signal_last_at=state.signal_last_at,
            erased_at=current.erased_at if current else None,
        )
        now = ctx.now()
        transition = next_state(
            before,
            obs,
            now,
            confirmations=archive.erasure_confirmations,
            interval=archive.erasure_check_interval,
        )
        after = transition.state
        if isinstance(chat, types.Channel) and obs.kind == "ok":
            await upsert_channel(conn, channel_row(chat), now)
        await update_sync_state(
            conn,
            channel.id,
            signal=after.reason if after.signal_count else None,
            signal_count=after.signal_count,
            signal_first_at=after.signal_first_at,
            signal_last_at=after.signal_last_at,
        )
        if transition.changed or after.status != before.status:
            fields = {
                "status": after.status,
                "status_reason": after.reason,
                "status_changed_at": now,
                "erased_at": after.erased_at,
                "status_detail": obs.detail,
            }
            await set_channel_fields(conn, channel.id, **fields)
        for kind, detail in transition.events:
            await add_event(conn, channel.id, kind, now, detail)
            log.info("channel %s (%s): %s %s", channel.id, channel.title, kind, detail)
    return transition
