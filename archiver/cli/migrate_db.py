"""``tgmirror migrate-db --to URL``: copy the archive into another database, then verify it."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.engine import make_url

from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.db.copy_archive import INDEX_STEP, VERIFY_STEP, CopyReport, copy_archive
from archiver.db.engine import display_url, open_engine, sqlite_path
from archiver.errors import DatabaseError

_LABELS = {INDEX_STEP: "search index (rebuilt)", VERIFY_STEP: "verifying (tables)"}


class _Bars:
    """A rich progress bar per table, resuming where an interrupted run stopped."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def started(self, step: str, total: int, done: int) -> None:
        label = _LABELS.get(step, step)
        self._tasks[step] = self.progress.add_task(label, total=total, completed=done)

    def advanced(self, step: str, count: int) -> None:
        self.progress.advance(self._tasks[step], count)


def _same_database(a: str, b: str) -> bool:
    path_a, path_b = sqlite_path(a), sqlite_path(b)
    if path_a is not None or path_b is not None:
        return path_a is not None and path_b is not None and path_a.resolve() == path_b.resolve()
    ua, ub = make_url(a), make_url(b)
    return (ua.host, ua.port or 5432, ua.database) == (ub.host, ub.port or 5432, ub.database)


def _summary(report: CopyReport) -> Table:
    table = Table(title="migrate-db: rows and sha256 per table, source and target")
    for column in ("table", "source rows", "target rows", "copied now"):
        table.add_column(column, justify="left" if column == "table" else "right", no_wrap=True)
    table.add_column("sha256", no_wrap=True)
    table.add_column("", no_wrap=True)
    for t in report.tables:
        checksum = t.source.sha256[:16] if t.ok else f"{t.source.sha256[:7]}≠{t.target.sha256[:7]}"
        table.add_row(
            t.name,
            str(t.source.rows),
            str(t.target.rows),
            str(t.copied_now),
            checksum,
            "ok" if t.ok else "DIFFERS",
        )
    return table


@app.command("migrate-db")
def migrate_db(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="URL",
            help="The database to copy into: postgresql+asyncpg://USER@HOST/NAME or "
            "sqlite+aiosqlite:///PATH. Empty, or holding an interrupted copy of this archive.",
        ),
    ],
) -> None:
    """Copy the archive (storage.database) into another database, SQLite or PostgreSQL,
    then verify every table by row count and sha256.

    Resumable: run it again after an interruption and it continues after the last committed
    batch. A database holding another archive is refused, never merged. Stop `tgmirror run`
    first. Media files are not moved: point the new config's storage at the same media.
    """
    config = get_config(ctx)
    target = open_engine(to, setting="--to")  # checks the URL first
    if _same_database(config.database_url, to):
        raise DatabaseError(f"--to: {display_url(to)} is the archive's own database")
    bars = _Bars()
    started = time.monotonic()

    async def go() -> CopyReport:
        try:
            async with migrated_engine(config) as source:
                with bars.progress:
                    return await copy_archive(source, target, bars)
        finally:
            await target.dispose()

    report = run(go())
    elapsed = time.monotonic() - started
    console.print(_summary(report))
    where = display_url(to)
    if report.already_done:
        console.print(f"{where} already held a finished copy of this archive; verified it again.")
    else:
        resumed = " (resumed an interrupted copy)" if report.resumed else ""
        console.print(f"Copied {report.copied_now} rows into {where} in {elapsed:.1f} s{resumed}.")
    if report.indexed_messages is not None:
        console.print(f"Search index rebuilt from {report.indexed_messages} messages.")
    bad = report.mismatches
    if bad:
        names = ", ".join(t.name for t in bad)
        raise DatabaseError(
            f"verification failed: {names} differ between the source and {where}; was the "
            "archive written during the copy? stop `tgmirror run` and copy into an empty database"
        )
    console.print(
        "Verified: every table has the same rows and sha256 in both databases. Media files were "
        "not moved: point storage.database at the new database and keep the same media."
    )
