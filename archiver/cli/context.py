"""What every command needs: the loaded config, an engine, consoles, running a coroutine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.config import Config, load_config
from archiver.db.engine import current_revision, head_revision, open_engine
from archiver.errors import DatabaseError

console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")


def get_config(ctx: typer.Context) -> Config:
    """Load the config named by ``--config`` (or found by the lookup order)."""
    path: Path | None = ctx.find_root().obj
    return load_config(path)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from a synchronous command."""
    return asyncio.run(coro)


@asynccontextmanager
async def migrated_engine(config: Config) -> AsyncIterator[AsyncEngine]:
    """An engine on a database that is at the newest migration; says how to fix it if not."""
    engine = open_engine(config.database_url, create=False)
    try:
        if await current_revision(engine) != head_revision():
            raise DatabaseError(
                f"{config.database_url}: the database is missing or not up to date; "
                "run `tgmirror db upgrade` first"
            )
        yield engine
    finally:
        await engine.dispose()
