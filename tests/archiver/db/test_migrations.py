"""Alembic migrations run up and down on a real database (SQLite file, PostgreSQL server) and
match the schema module."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from archiver.db.engine import current_revision, downgrade, head_revision, open_engine, upgrade
from archiver.db.schema import FTS_TABLE, include_in_autogenerate, metadata


def _diff(sync_conn: sa.Connection) -> list:
    ctx = MigrationContext.configure(
        sync_conn, opts={"compare_type": True, "include_object": include_in_autogenerate}
    )
    return compare_metadata(ctx, metadata)


async def test_upgrade_down_up_matches_schema_module(make_config) -> None:
    engine = open_engine(make_config(migrated=False).database_url)
    assert await upgrade(engine) == (None, head_revision())
    await downgrade(engine, "base")
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert tables == ["alembic_version"]
    await upgrade(engine)
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert FTS_TABLE in names
    await engine.dispose()


async def test_second_upgrade_changes_nothing(make_config) -> None:
    engine = open_engine(make_config(migrated=False).database_url)
    await upgrade(engine)
    assert await upgrade(engine) == (head_revision(), head_revision())
    assert await current_revision(engine) == head_revision()
    await engine.dispose()


@pytest.mark.sqlite_only
async def test_connections_use_wal_foreign_keys_and_busy_timeout(engine) -> None:
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() >= 5000


def test_new_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "x.db"
    open_engine(f"sqlite+aiosqlite:///{path}")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
