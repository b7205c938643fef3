"""Alembic environment: runs on the connection tgmirror hands over (``archiver.db.engine``)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from archiver.db.schema import include_in_autogenerate, metadata

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_in_autogenerate,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return

    async def run_standalone() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url"))
        async with engine.begin() as conn:
            await conn.run_sync(_run)
        await engine.dispose()

    asyncio.run(run_standalone())


if context.is_offline_mode():
    raise SystemExit("tgmirror migrations run online only: use `tgmirror db upgrade`")
run_migrations_online()
