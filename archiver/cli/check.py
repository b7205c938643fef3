"""``tgmirror check | backup``: verify and repair the archive, copy it safely."""

from __future__ import annotations

from contextlib import aclosing
from pathlib import Path
from typing import Annotated

import typer

from archiver.check import CheckReport, backup_database, backup_media, check_archive
from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.config import Config
from archiver.db.engine import sqlite_path
from archiver.errors import DatabaseError
from archiver.evidence.keys import copy_key_files
from archiver.media import open_media_store


@app.command()
def check(
    ctx: typer.Context,
    quick: Annotated[
        bool, typer.Option("--quick", help="Skip hashing files and the index.")
    ] = False,
    repair: Annotated[bool, typer.Option("--repair", help="Fix what can be fixed.")] = False,
) -> None:
    """Verify the archive: database, media files (size, sha256), id gaps, search index."""
    config = get_config(ctx)

    async def go() -> CheckReport:
        async with aclosing(open_media_store(config)) as media, migrated_engine(config) as engine:
            return await check_archive(engine, media, quick=quick, repair=repair)

    report = run(go())
    for line in report.problems:
        console.print(f"[red]problem:[/red] {line}")
    for line in report.notes:
        console.print(f"note: {line}")
    for line in report.repaired:
        console.print(f"[green]repaired:[/green] {line}")
    console.print(
        f"Checked the database and {report.files_checked} media files: "
        f"{len(report.problems)} problems."
    )
    if not report.ok and not repair:
        console.print(
            "Run `tgmirror check --repair` to fix what can be fixed, then `tgmirror sync`."
        )
    if not report.ok and not report.repaired:
        raise typer.Exit(1)


@app.command()
def backup(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Folder (or .db file) to write the backup to.")],
    media: Annotated[bool, typer.Option("--media", help="Also copy the media files.")] = False,
) -> None:
    """Copy the database consistently, even while the daemon writes (and the media)."""
    config = get_config(ctx)
    db = sqlite_path(config.database_url)
    if db is None:
        raise DatabaseError("backup copies SQLite archives; use your database's own tools")
    target = backup_database(db, out)
    console.print(f"Database copied to {target}.")
    folder = out if out.suffix != ".db" else out.parent
    if copy_key_files(config.storage.data_dir, folder):
        console.print(f"Archive key copied to {folder} (keep it as private as the database).")
    if media:
        copied = run(_backup_media(config, folder))
        console.print(f"Copied {copied} media files to {folder / 'media'}.")


async def _backup_media(config: Config, folder: Path) -> int:
    async with aclosing(open_media_store(config)) as media:
        return await backup_media(media, folder)
