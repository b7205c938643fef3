"""``tgmirror witness URL``: check another mirror's signed head against the last one seen
from it, countersign it with this archive's key, and post the cosignature back."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.evidence.witness import Witnessed, WitnessError
from archiver.evidence.witness_run import witness


@app.command("witness")
def witness_command(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The other mirror's address.")],
) -> None:
    """Witness another mirror: its head must extend the last one this archive cosigned."""
    config = get_config(ctx)

    async def go() -> Witnessed:
        async with migrated_engine(config) as engine:
            return await witness(engine, config.storage.data_dir, url, int(time.time()))

    try:
        done = run(go())
    except WitnessError as exc:
        console.print(f"[red]problem:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    since = (
        "first head seen"
        if done.previous is None
        else f"consistent with the head of {done.previous} captures"
    )
    console.print(
        f"Witnessed {url}: head of {done.head.tree_size} captures, {since}; cosigned.",
        highlight=False,
        soft_wrap=True,
    )
