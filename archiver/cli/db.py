"""``tgmirror db``: create and migrate the database."""

from __future__ import annotations

import typer

from archiver.cli import app
from archiver.cli.context import console, get_config, run
from archiver.db.engine import display_url, open_engine, upgrade

db_app = typer.Typer(help="Create or migrate the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database or migrate it to the newest schema (safe to run again)."""
    config = get_config(ctx)

    async def go() -> tuple[str | None, str]:
        engine = open_engine(config.database_url)
        try:
            return await upgrade(engine)
        finally:
            await engine.dispose()

    before, after = run(go())
    where = display_url(config.database_url)
    if before == after:
        console.print(f"Database {where} is up to date (schema {after}); nothing changed.")
    elif before is None:
        console.print(f"Created database {where} (schema {after}).")
    else:
        console.print(f"Migrated database {where} from schema {before} to {after}.")
