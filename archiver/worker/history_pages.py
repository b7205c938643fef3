"""Fetch one page of a channel's history through the account's pacer, in a takeout session
when it is backfill and ``archive.takeout = "auto"``.

The page is a plain ``messages.GetHistory`` (100 messages below ``offset_id``) so that the
worker, not Telethon's iterator, decides pacing, priority and takeout. As Telethon does,
``min_id`` is applied here rather than sent (Telegram answers nothing for a low ``min_id``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telethon import functions, types

from archiver.store.account_notices import clear_notice, set_notice
from archiver.telegram.paced_client import PacedTelegramClient
from archiver.telegram.request_pacer import Priority, request_priority
from archiver.telegram.takeout import DELAY_NOTICE, ENDED_ERRORS, TakeoutGate
from archiver.worker.accounts import TelegramAccount
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)

PAGE_SIZE = 100
TAKEOUT_NOTICE = "takeout_delay"


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Messages above ``floor`` (newest first) and the channel's message count, if told."""

    messages: list[Any]
    total: int | None


async def history_page(
    ctx: WorkerContext,
    account: TelegramAccount,
    peer: types.InputPeerChannel,
    offset_id: int,
    floor: int,
    priority: Priority,
) -> HistoryPage:
    """The up to ``PAGE_SIZE`` messages below ``offset_id`` (0: the newest) and above ``floor``,
    read as ``account``."""
    if offset_id and floor and offset_id - floor <= 1:
        return HistoryPage([], None)
    request = functions.messages.GetHistoryRequest(
        peer=peer,
        offset_id=offset_id,
        offset_date=None,
        add_offset=0,
        limit=PAGE_SIZE,
        max_id=0,
        min_id=0,
        hash=0,
    )
    client = account.client
    gate = _takeout_gate(ctx, client, priority)
    with request_priority(priority):
        if gate is None:
            result = await client(request)
        else:
            wrapped = await gate.wrap(client, request)
            await _record_notice(ctx, account, gate)
            try:
                result = await client(wrapped)
            except ENDED_ERRORS:
                gate.ended()
                result = await client(request)
    found = [m for m in result.messages if m.id > floor]
    return HistoryPage(found, getattr(result, "count", None))


def _takeout_gate(ctx: WorkerContext, client: Any, priority: Priority) -> TakeoutGate | None:
    if ctx.config.archive.takeout != "auto" or priority != Priority.BACKFILL:
        return None
    return client.takeout if isinstance(client, PacedTelegramClient) else None


async def _record_notice(ctx: WorkerContext, account: TelegramAccount, gate: TakeoutGate) -> None:
    """Show ``tgmirror status`` that Telegram waits for the user's confirmation, or no more."""
    if not gate.notice_due:
        return
    gate.notice_due = False
    async with ctx.write() as conn:
        if gate.delayed_until is not None:
            await set_notice(
                conn, account.name, TAKEOUT_NOTICE, DELAY_NOTICE, gate.delayed_until, ctx.now()
            )
        else:
            await clear_notice(conn, account.name, TAKEOUT_NOTICE)


async def finish_takeouts(ctx: WorkerContext) -> None:
    """End every account's takeout session (at the end of a sync, when the daemon stops)."""
    for account in ctx.accounts.accounts:
        client = account.client
        if isinstance(client, PacedTelegramClient):
            await client.takeout.finish(client)
