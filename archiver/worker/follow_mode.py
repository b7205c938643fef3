"""How a channel is followed live: joined (Telegram pushes its updates) or polled.

``[[channels]] follow`` chooses per channel, ``live.follow`` for all the others. Joining is
done once per account (remembered in ``sync_state.joined_account``); when Telegram refuses
because the account is already in as many channels as it may be (CHANNELS_TOO_MUCH), the
channel is polled instead, with one warning.
"""

from __future__ import annotations

import contextlib
import logging

from telethon import errors, functions

from archiver.channel_policy import Mode, mode_in_config
from archiver.store.channels import Channel
from archiver.store.sync_state import get_sync_state, update_sync_state
from archiver.worker.accounts import TelegramAccount
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)


def configured_mode(ctx: WorkerContext, channel: Channel) -> Mode:
    """The follow mode the config asks for this channel."""
    return mode_in_config(ctx.config, channel.id, channel.username)


async def join_channel(account: TelegramAccount, channel: Channel) -> None:
    """channels.joinChannel as ``account`` (one request); already in is fine."""
    with contextlib.suppress(errors.UserAlreadyParticipantError):
        await account.client(functions.channels.JoinChannelRequest(input_channel(account, channel)))


async def settle_mode(ctx: WorkerContext, account: TelegramAccount, channel: Channel) -> Mode:
    """Follow ``channel`` as configured, joining it with ``account`` first if need be; returns
    the mode in use (``poll`` when joining was refused) and stores it for ``tgmirror status``."""
    wanted = configured_mode(ctx, channel)
    name = account.name
    async with ctx.read() as conn:
        state = await get_sync_state(conn, channel.id)
    values: dict[str, str | None] = {"follow_mode": wanted}
    if wanted == "join" and state.joined_account != name:
        try:
            await join_channel(account, channel)
        except errors.ChannelsTooMuchError:
            log.warning(
                "channel %s: account %s is in as many channels as Telegram allows "
                "(CHANNELS_TOO_MUCH); polling it instead of joining",
                channel.username or channel.id,
                name,
            )
            values["follow_mode"] = "poll"
        else:
            values["joined_account"] = name
            log.info("channel %s: joined with account %s", channel.username or channel.id, name)
    if values["follow_mode"] != state.follow_mode or "joined_account" in values:
        async with ctx.write() as conn:
            await update_sync_state(conn, channel.id, **values)
    return "join" if values["follow_mode"] == "join" else "poll"
