"""SQL of the RFC 3161 time-stamp tokens kept with the signed tree heads."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import evidence_heads, evidence_timestamps


@dataclass(frozen=True)
class TimestampRow:
    """One token: which head, which authority, the DER response and its genTime."""

    tree_size: int
    tsa_url: str
    token: bytes
    gen_time: int


async def add_timestamp(conn: AsyncConnection, row: TimestampRow) -> None:
    """Keep a token (one per head and authority)."""
    await conn.execute(
        sa.insert(evidence_timestamps).values(
            tree_size=row.tree_size, tsa_url=row.tsa_url, token=row.token, gen_time=row.gen_time
        )
    )


async def heads_without_timestamp(conn: AsyncConnection, tsa_url: str) -> list[int]:
    """Tree sizes of the signed heads that have no token from ``tsa_url`` yet."""
    stamped = sa.select(evidence_timestamps.c.tree_size).where(
        evidence_timestamps.c.tsa_url == tsa_url
    )
    rows = await conn.execute(
        sa.select(evidence_heads.c.tree_size)
        .where(evidence_heads.c.tree_size.not_in(stamped))
        .order_by(evidence_heads.c.tree_size)
    )
    return [int(r[0]) for r in rows]


async def all_timestamps(conn: AsyncConnection) -> list[TimestampRow]:
    """Every token, by head then authority."""
    c = evidence_timestamps.c
    rows = await conn.execute(
        sa.select(c.tree_size, c.tsa_url, c.token, c.gen_time).order_by(c.tree_size, c.tsa_url)
    )
    return [TimestampRow(int(r[0]), str(r[1]), bytes(r[2]), int(r[3])) for r in rows]


async def timestamps_of(conn: AsyncConnection, tree_size: int) -> list[TimestampRow]:
    """The tokens of the head of ``tree_size`` captures, by authority (for evidence bundles)."""
    c = evidence_timestamps.c
    rows = await conn.execute(
        sa.select(c.tree_size, c.tsa_url, c.token, c.gen_time)
        .where(c.tree_size == tree_size)
        .order_by(c.tsa_url)
    )
    return [TimestampRow(int(r[0]), str(r[1]), bytes(r[2]), int(r[3])) for r in rows]
