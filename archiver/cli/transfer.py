"""``tgmirror export | import``: take a channel's history out, bring Desktop exports in."""

from __future__ import annotations

import time
from contextlib import aclosing
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archiver.channel_refs import parse_ref
from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.cli.wacz import export_wacz_command
from archiver.errors import ChannelRefError, ExportError
from archiver.exporters.html import export_html
from archiver.exporters.tdesktop_fields import export_zone
from archiver.exporters.writer import ExportResult, export_channel
from archiver.importers.tdesktop import ImportReport, import_export
from archiver.media import open_media_store
from archiver.store.channels import find_channel
from archiver.store.export_rows import count_export_posts


def _progress(verb: str) -> Progress:
    """A progress bar on a terminal; nothing when the output is a pipe or a log."""
    return Progress(
        TextColumn(f"{verb} {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("posts"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def _date(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: write dates as YYYY-MM-DD", param_hint=option
        ) from None


@app.command("export")
def export_command(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Channel: @username, t.me link or id.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    fmt: Annotated[
        Literal["tdesktop", "jsonl", "html", "wacz"], typer.Option("--format")
    ] = "tdesktop",
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Day after the last (YYYY-MM-DD).")] = None,
    no_media: Annotated[bool, typer.Option("--no-media", help="Leave files out.")] = False,
    update: Annotated[bool, typer.Option("--update", help="Reuse files already exported.")] = False,
) -> None:
    """Export a channel: Telegram Desktop's result.json layout, JSONL, a static site, or a
    WACZ web archive of its mirror pages (--out FILE.wacz)."""
    config = get_config(ctx)
    if fmt == "wacz":
        export_wacz_command(config, ref, out)
        return
    start, stop = _date(since, "--since"), _date(until, "--until")
    if out.exists() and any(out.iterdir()) and not update:
        raise ExportError(f"{out}: the folder is not empty; use --update to export into it again")
    parsed = parse_ref(ref)
    bar = _progress("exporting")

    async def go() -> ExportResult:
        async with (
            migrated_engine(config) as engine,
            engine.connect() as conn,
            aclosing(open_media_store(config)) as store,
        ):
            channel = await find_channel(conn, parsed.channel_id or parsed.username or "")
            if channel is None:
                raise ChannelRefError(f"{ref}: not in the archive")
            total = await count_export_posts(
                conn, channel.id, since=start, until=stop, include_hidden=False
            )
            with bar:
                task = bar.add_task(channel.title[:40], total=total)

                def advance(n: int) -> None:
                    bar.advance(task, n)

                if fmt == "html":
                    out.mkdir(parents=True, exist_ok=True)
                    return await export_html(
                        conn,
                        channel,
                        out,
                        store,
                        since=start,
                        until=stop,
                        with_media=not no_media,
                        progress=advance,
                        language=config.web.language,
                    )
                return await export_channel(
                    conn,
                    channel,
                    out,
                    store,
                    fmt=fmt,
                    since=start,
                    until=stop,
                    with_media=not no_media,
                    progress=advance,
                    zone=export_zone(config.export.timezone),
                )

    result = run(go())
    console.print(f"Exported {result.posts} posts and {result.files} files to {result.path}.")


def _offset(seconds: int) -> str:
    """``+03:00``: an offset as ``export.timezone`` takes it."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@app.command("import")
def import_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Desktop export folder, its result.json or a zip.")],
) -> None:
    """Import a Telegram Desktop export (channels and supergroups) into the archive."""
    config = get_config(ctx)
    if not path.exists():
        raise typer.BadParameter(f"{path}: no such file or folder", param_hint="PATH")

    bar = _progress("importing")

    async def go() -> ImportReport:
        async with migrated_engine(config) as engine:
            with bar:
                task = bar.add_task(path.name[:40], total=None)
                async with aclosing(open_media_store(config)) as store:
                    return await import_export(
                        engine, path, store, int(time.time()), lambda n: bar.advance(task, n)
                    )

    report = run(go())
    for chat in report.chats:
        if chat.skipped:
            continue
        missing = f", {chat.missing_files} files not included" if chat.missing_files else ""
        zone = (
            f", dates written at {_offset(chat.utc_offset)}" if chat.utc_offset is not None else ""
        )
        console.print(
            f"Imported {chat.name} (id {chat.id}): {chat.messages} messages, "
            f"{chat.files} files{missing}{zone}."
        )
    console.print(report.summary(), soft_wrap=True, markup=False, highlight=False)
