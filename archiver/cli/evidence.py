"""``tgmirror verify``: check the archive against its tamper-evident capture log."""

from __future__ import annotations

from contextlib import aclosing
from typing import Annotated

import typer

from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.verify import VerifyReport, verify_archive
from archiver.media import open_media_store


@app.command()
def verify(
    ctx: typer.Context,
    quick: Annotated[bool, typer.Option("--quick", help="Do not hash the media files.")] = False,
) -> None:
    """Recompute the capture log from the database and media files; check the signed heads."""
    config = get_config(ctx)

    async def go() -> VerifyReport:
        key = existing_public_key(config.storage.data_dir)
        async with aclosing(open_media_store(config)) as media, migrated_engine(config) as engine:
            return await verify_archive(engine, media, key, hash_files=not quick)

    report = run(go())
    for line in report.problems:
        console.print(f"[red]problem:[/red] {line}", highlight=False)
    for line in report.notes:
        console.print(f"note: {line}", highlight=False)
    console.print(
        f"Verified {report.captures} captures, {report.heads} signed heads, "
        f"{report.files} media files: {len(report.problems)} problems."
    )
    if not report.ok:
        raise typer.Exit(1)
