"""``tgmirror login | add | remove | sync``: sign in, choose channels, archive them."""

from __future__ import annotations

import dataclasses
import getpass
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import typer

from archiver.channel_refs import parse_ref
from archiver.cli import app
from archiver.cli.context import console, console_err, get_config, migrated_engine, run
from archiver.cli.progress import BarReporter, LineReporter
from archiver.config import Config
from archiver.errors import ChannelRefError, ConfigError
from archiver.evidence.signing import sign_new_head
from archiver.store.channels import delete_channel, find_channel, set_channel_fields
from archiver.store.messages import purge_channel_messages
from archiver.telegram.client import API_HELP, connect_accounts, make_client, sign_in
from archiver.worker.accounts import AccountPool, TelegramAccount
from archiver.worker.channels import add_channel
from archiver.worker.context import Reporter, SilentReporter, WorkerContext
from archiver.worker.sync import SyncReport, sync_channels
from archiver.worker.web_channels import add_both_channel, add_web_channel


@asynccontextmanager
async def worker(
    config: Config, reporter: Reporter | None = None, *, name: str = "tgmirror"
) -> AsyncIterator[WorkerContext]:
    """A worker on an up-to-date database (``name``: see ``migrated_engine``), with every
    signed-in account of the config connected."""
    async with migrated_engine(config, name=name) as engine:
        # A config whose channels are all read from t.me/s needs no account and no login.
        if config.needs_telegram:
            require_api_keys(config)
        connected = await connect_accounts(config) if config.needs_telegram else []
        try:
            accounts = [TelegramAccount(a.name, c) for a, c in connected]
            pool = AccountPool(accounts) if accounts else AccountPool.empty()
            context = WorkerContext(config, engine, pool, reporter or SilentReporter())
            try:
                yield context
            finally:
                await context.close_media()
                await context.close_web()
        finally:
            for _, client in connected:
                await client.disconnect()


def require_api_keys(config: Config, what: str | None = None) -> None:
    """One clear line when channels read from Telegram have no API keys to do it with: which
    channels (or `what` reads from Telegram), and the two ways out (keys, or source "web")."""
    if config.simulator.world is not None or (config.telegram.api_id and config.telegram.api_hash):
        return
    refs = [ch.ref for ch in config.channels if config.channel_source(ch) != "web"]
    if what is None:
        what = (
            f"{', '.join(refs)} {'is' if len(refs) == 1 else 'are'} read from Telegram"
            if refs
            else f'archive.source is "{config.archive.source}"'
        )
    where = config.source or "tgmirror.toml"
    raise ConfigError(
        f"{where}: {what}, which needs an account, but [telegram] has no api_id and api_hash: "
        f'set source = "web" to read from t.me/s with no account, or {API_HELP}'
    )


def _read_line(prompt: str, secret: bool = False) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt) if secret else input(prompt)
    line = sys.stdin.readline()
    if not line:
        raise typer.BadParameter(f"expected {prompt.strip(': ').lower()} on standard input")
    return line.rstrip("\n")


@app.command()
def login(
    ctx: typer.Context,
    phone: Annotated[str | None, typer.Option(help="Phone number, international format.")] = None,
) -> None:
    """Sign in to Telegram once (code, then 2FA password); stdin works for scripts."""
    config = get_config(ctx)
    if len(config.accounts) > 1:
        names = ", ".join(a.name for a in config.accounts)
        raise ConfigError(
            f"several Telegram accounts are configured ({names}): log in each one with "
            "`tgmirror --session NAME login`"
        )

    async def go() -> str:
        client = make_client(config)
        await client.connect()
        try:
            if await client.is_user_authorized():
                me = await client.get_me()
                return f"Already signed in as {me.first_name or me.username}."
            number = phone or _read_line("Phone number: ")
            name = await sign_in(
                client,
                number,
                lambda: _read_line("Login code: "),
                lambda: _read_line("Two-step verification password: ", secret=True),
            )
            return f"Signed in as {name}; session saved to {config.session_path}."
        finally:
            await client.disconnect()

    console.print(run(go()))


@app.command()
def add(
    ctx: typer.Context,
    refs: Annotated[list[str], typer.Argument(help="@username, t.me link or channel id.")],
    source: Annotated[
        str | None,
        typer.Option(
            help='"telegram" (default: archive.source), "web" (t.me/s, no account) or "both".'
        ),
    ] = None,
) -> None:
    """Follow channels: resolve each reference and store the channel by its id."""
    config = get_config(ctx)
    chosen = source or config.archive.source
    if chosen not in ("telegram", "web", "both"):
        console_err.print(
            f'[red]error:[/red] --source: expected "telegram", "web" or "both", got {chosen!r}'
        )
        raise typer.Exit(2)
    if chosen == "web" and config.needs_telegram:
        config = dataclasses.replace(
            config, archive=dataclasses.replace(config.archive, source="web"), channels=()
        )
    elif chosen != "web":
        require_api_keys(config, f"--source {chosen} reads from Telegram")
        if not config.needs_telegram:  # an all-web config: connect the account all the same
            archive = dataclasses.replace(config.archive, source=chosen)  # type: ignore[arg-type]
            config = dataclasses.replace(config, archive=archive, channels=())

    async def go() -> int:
        failed = 0
        async with worker(config) as w:
            for text in refs:
                adders = {"web": add_web_channel, "both": add_both_channel}
                adder = adders.get(chosen, add_channel)
                result = await adder(w, text)
                if result.channel is None:
                    console_err.print(f"[red]error:[/red] {result.error}")
                    failed += 1
                    continue
                ch = result.channel
                name = f"@{ch.username}" if ch.username else f"id {ch.id}"
                verb = "Already following" if result.already else "Added"
                console.print(f"{verb} {ch.title} ({name}, id {ch.id}).")
        return failed

    if run(go()):
        raise typer.Exit(1)


@app.command()
def remove(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="@username, t.me link or channel id.")],
    purge: Annotated[bool, typer.Option(help="Also delete everything archived from it.")] = False,
) -> None:
    """Stop following a channel (its archive is kept unless --purge)."""
    config = get_config(ctx)

    async def go() -> str:
        async with migrated_engine(config) as engine:
            async with engine.connect() as conn:
                parsed = parse_ref(ref)
                channel = await find_channel(conn, parsed.channel_id or parsed.username or "")
            if channel is None:
                raise ChannelRefError(f"{ref}: not in the archive")
            async with engine.begin() as conn:
                if purge:
                    removed = await purge_channel_messages(conn, channel.id)
                    await delete_channel(conn, channel.id)
                    return f"Removed {channel.title} and deleted its {removed} archived messages."
                await set_channel_fields(conn, channel.id, following=False)
            return f"No longer following {channel.title}; its archive is kept."

    console.print(run(go()))


def print_sync_report(report: SyncReport) -> None:
    """One line per channel, then the problems."""
    for o in report.outcomes:
        if o.outcome == "skipped":  # another worker's channel: nothing was done
            console.print(f"{o.title}: {o.detail}")
            continue
        media = f", {o.media_stored} files ({o.media_bytes} bytes)" if o.media_stored else ""
        failed = f", {o.media_failed} files failed (retried next sync)" if o.media_failed else ""
        detail = f" — {o.detail}" if o.detail else ""
        changes = f", {o.edited} edited" if o.edited else ""
        changes += f", {o.deleted} deleted on Telegram" if o.deleted else ""
        console.print(
            f"{o.title}: {o.outcome}: {o.inserted} new messages{changes}{media}{failed}{detail}"
        )
    for problem in report.errors:
        console_err.print(f"[red]error:[/red] {problem}")


@app.command()
def sync(
    ctx: typer.Context,
    refs: Annotated[list[str] | None, typer.Argument(help="Channels (default: all).")] = None,
) -> None:
    """Archive the whole history of the channels once (resumable), then exit."""
    config = get_config(ctx)
    reporter = BarReporter(console) if console.is_terminal else LineReporter(console)

    async def go() -> SyncReport:
        with reporter:
            async with worker(config, reporter) as w:
                report = await sync_channels(w, refs)
                if config.evidence.enabled:
                    await sign_new_head(w.engine, config.storage.data_dir, w.now())
                return report

    report = run(go())
    print_sync_report(report)
    if not report.ok:
        raise typer.Exit(1)
