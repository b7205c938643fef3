"""Row count and checksum of one table, computed identically on SQLite and PostgreSQL.

Rows are read in primary-key order, strings compared byte by byte on both databases (the
``C`` collation on PostgreSQL, SQLite's ``BINARY``), and every value is normalised to the
Python value its column type gives (bool, int, float, str, bytes, JSON lists and dicts) before
hashing, so a table copied between the two databases has the same checksum exactly when every
row came across unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True, slots=True)
class TableSum:
    """How many rows a table holds and the sha256 over them."""

    rows: int
    sha256: str


def key_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """The primary-key columns of ``table``, in their declared order."""
    return list(table.primary_key.columns)


def byte_ordered(column: sa.Column[Any], dialect_name: str) -> sa.ColumnElement[Any]:
    """``column`` as an ORDER BY term that sorts strings by their bytes on every database."""
    if dialect_name == "postgresql" and isinstance(column.type, sa.String):
        return column.collate("C")
    return column


def normalise(value: Any) -> Any:
    """A JSON-encodable value that is equal on both databases for equal stored values."""
    if value is None or isinstance(value, bool | int | str | list | dict):
        return value
    if isinstance(value, float):
        return {"float": value.hex()}  # exact, and the same for 1.0 and 1e0
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": bytes(value).hex()}
    if isinstance(value, datetime | date):
        return {"time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value.normalize())}
    raise TypeError(f"no checksum form for a {type(value).__name__} value")


def row_bytes(row: sa.Row[Any]) -> bytes:
    """One row as canonical JSON (sorted keys, no spaces) followed by a newline."""
    text = json.dumps(
        [normalise(v) for v in row], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return text.encode() + b"\n"


async def table_sum(conn: AsyncConnection, table: sa.Table, batch_rows: int = 2000) -> TableSum:
    """Count and hash every row of ``table``, streamed in primary-key order."""
    order = [byte_ordered(c, conn.dialect.name) for c in key_columns(table)]
    digest = hashlib.sha256()
    rows = 0
    result = await conn.stream(
        sa.select(table).order_by(*order).execution_options(yield_per=batch_rows)
    )
    async for partition in result.partitions():
        for row in partition:
            digest.update(row_bytes(row))
        rows += len(partition)
    return TableSum(rows, digest.hexdigest())
