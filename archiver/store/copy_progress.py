"""How far ``tgmirror migrate-db`` got on the database it copies into (``copy_progress``).

One row per copied table, plus one for the search index, written in the same transaction as
the rows of each batch: after an interruption, the rows present are exactly those the marker
says, so the copy resumes after ``last_key`` without duplicates or gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import copy_progress
from archiver.store.dialect import dialect_of


@dataclass(frozen=True, slots=True)
class TableProgress:
    """The copy of one table: the archive it comes from and the last primary key committed."""

    table_name: str
    source: str
    last_key: list[Any] | None
    rows_copied: int
    done: bool


async def read_progress(conn: AsyncConnection) -> dict[str, TableProgress]:
    """Every progress row, by table name (empty when no copy ever wrote into this database)."""
    rows = await conn.execute(
        sa.select(
            copy_progress.c.table_name,
            copy_progress.c.source,
            copy_progress.c.last_key,
            copy_progress.c.rows_copied,
            copy_progress.c.done,
        )
    )
    return {row.table_name: TableProgress(*row) for row in rows}


async def save_progress(conn: AsyncConnection, progress: TableProgress, now: int) -> None:
    """Insert or replace the progress row of ``progress.table_name``."""
    values = {
        "source": progress.source,
        "last_key": progress.last_key,
        "rows_copied": progress.rows_copied,
        "done": progress.done,
        "updated_at": now,
    }
    stmt = dialect_of(conn).insert(copy_progress).values(table_name=progress.table_name, **values)
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=[copy_progress.c.table_name], set_=values)
    )
