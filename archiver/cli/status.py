"""``tgmirror status``: what is archived, per channel."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from archiver.channel_policy import mode_in_config
from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.config import Config
from archiver.store.account_notices import AccountNotice, list_notices
from archiver.store.channel_accounts import ChannelAccount, list_channel_accounts
from archiver.store.leases import Lease, database_time, list_leases
from archiver.store.summary import ChannelSummary, channel_summaries

AccountRows = dict[int, list[ChannelAccount]]


def _when(ts: int | None) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%m-%d %H:%M") if ts else "never"


def _last_seen(s: ChannelSummary) -> int | None:
    """The last time anything of the channel was read from Telegram (sync or live update)."""
    seen = [t for t in (s.last_sync_at, s.last_update_at) if t]
    return max(seen) if seen else None


def _ago(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def _follow_text(s: ChannelSummary, config: Config) -> str:
    """How ``tgmirror run`` follows the channel: as configured, unless joining was refused."""
    wanted = mode_in_config(config, s.id, s.username)
    if wanted == "join" and s.follow_mode == "poll":
        return "poll (join refused)"
    return wanted


def _holder(lease: Lease | None, now: int) -> str:
    """The worker archiving a channel (``tgmirror run --worker-id``), or why none is."""
    if lease is None:
        return "-"
    return lease.worker_id if lease.expires_at > now else f"{lease.worker_id} (expired)"


def _archiving(rows: list[ChannelAccount]) -> str | None:
    return next((r.account for r in rows if r.state == "archiving"), None)


def _lost(rows: list[ChannelAccount]) -> list[str]:
    return [r.account for r in rows if r.state == "lost"]


def _account_text(rows: list[ChannelAccount]) -> str:
    """The account archiving a channel, and those that lost access to it."""
    text = _archiving(rows) or "-"
    lost = _lost(rows)
    return f"{text} (no access: {', '.join(lost)})" if lost else text


def _status_text(s: ChannelSummary) -> str:
    text = s.status if not s.status_reason else f"{s.status} ({s.status_reason})"
    if s.hidden:
        text += ", hidden"
    if not s.following:
        text += ", not followed"
    return text


def _print_notices(notices: list[AccountNotice], now: int) -> None:
    """What Telegram asks of the user (confirm a takeout on another device), one line each;
    none once Telegram allows it anyway."""
    for notice in notices:
        if notice.until is not None and notice.until <= now:
            continue
        until = f" (at the latest {_when(notice.until)} UTC)" if notice.until else ""
        console.print(f"[yellow]account {notice.account}:[/] {notice.message}{until}")


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show channels with message counts, status, follow mode, freshness and last sync."""
    config = get_config(ctx)

    async def go() -> tuple[
        list[ChannelSummary], dict[int, Lease], int, AccountRows, list[AccountNotice]
    ]:
        async with migrated_engine(config) as engine, engine.connect() as conn:
            return (
                await channel_summaries(conn),
                await list_leases(conn),
                await database_time(conn),
                await list_channel_accounts(conn),
                await list_notices(conn),
            )

    summaries, leases, db_now, accounts, notices = run(go())
    now = int(time.time())
    if not as_json:
        _print_notices(notices, now)
    if as_json:
        rows = []
        for s in summaries:
            seen = _last_seen(s)
            lease = leases.get(s.id)
            rows.append(
                {
                    **dataclasses.asdict(s),
                    "last_seen_at": seen,
                    "lag_seconds": now - seen if seen else None,
                    "follow": _follow_text(s, config),
                    "freshness_seconds": now - s.last_check_at if s.last_check_at else None,
                    "worker_id": lease.worker_id if lease else None,
                    "lease_expired": lease.expires_at <= db_now if lease else None,
                    "account": _archiving(accounts.get(s.id, [])),
                    "accounts_lost": _lost(accounts.get(s.id, [])),
                }
            )
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not summaries:
        console.print("No channels yet. Add one with `tgmirror add @channel`.")
        return
    table = Table(title="tgmirror archive")
    table.add_column("channel", ratio=3, overflow="fold")
    table.add_column("status", ratio=2, overflow="fold")
    for column in ("messages", "deleted", "media"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("follow", no_wrap=True)  # mode, then the time since the last check
    table.add_column("last seen", no_wrap=True)
    table.add_column("error", ratio=2, overflow="fold")
    if leases:  # some `tgmirror run` holds channels: say which worker archives each
        table.add_column("worker", ratio=1, overflow="fold")
    if accounts:  # several Telegram accounts: say which one archives each channel
        table.add_column("account", ratio=1, overflow="fold")
    for s in summaries:
        handle = f"@{s.username}" if s.username else f"id {s.id}"
        media = f"{s.media_stored}" + (f"+{s.media_waiting}" if s.media_waiting else "")
        cells = [
            f"{s.title}\n{handle}",
            _status_text(s),
            str(s.messages),
            str(s.deleted),
            media,
            f"{_follow_text(s, config)}\nchecked "
            + (_ago(now - s.last_check_at) if s.last_check_at else "never"),
            _ago(now - seen) if (seen := _last_seen(s)) else "never",
            (s.last_error or "")[:80],
        ]
        if leases:
            cells.append(_holder(leases.get(s.id), db_now))
        if accounts:
            cells.append(_account_text(accounts.get(s.id, [])))
        table.add_row(*cells)
    console.print(table)
