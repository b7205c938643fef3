"""SQL of witness cosignatures: those this archive made of other mirrors' heads, and those
witnesses sent for this archive's heads."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import evidence_cosignatures as t


async def add_cosignature(
    conn: AsyncConnection,
    direction: str,
    origin: str,
    tree_size: int,
    witness: str,
    body: str,
    at: int,
) -> None:
    """Keep a cosignature; a repeat of the same (head, witness) replaces the earlier one."""
    key = (
        (t.c.direction == direction)
        & (t.c.origin == origin)
        & (t.c.tree_size == tree_size)
        & (t.c.witness_key_id == witness)
    )
    await conn.execute(sa.delete(t).where(key))
    await conn.execute(
        sa.insert(t).values(
            direction=direction,
            origin=origin,
            tree_size=tree_size,
            witness_key_id=witness,
            body=body,
            witnessed_at=at,
        )
    )


async def last_made(conn: AsyncConnection, origin: str) -> str | None:
    """The body of the latest cosignature this archive made for the mirror at ``origin``."""
    row = (
        await conn.execute(
            sa.select(t.c.body)
            .where((t.c.direction == "made") & (t.c.origin == origin))
            .order_by(t.c.tree_size.desc(), t.c.witnessed_at.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else str(row[0])


async def received(conn: AsyncConnection) -> list[str]:
    """Bodies of the cosignatures witnesses sent for this archive's heads, newest head first."""
    rows = await conn.execute(
        sa.select(t.c.body)
        .where(t.c.direction == "received")
        .order_by(t.c.tree_size.desc(), t.c.witness_key_id)
    )
    return [str(r[0]) for r in rows]


async def received_for(conn: AsyncConnection, tree_size: int) -> list[str]:
    """Bodies of the cosignatures witnesses sent for this archive's head of ``tree_size``
    captures, by witness key (for evidence bundles)."""
    rows = await conn.execute(
        sa.select(t.c.body)
        .where((t.c.direction == "received") & (t.c.tree_size == tree_size))
        .order_by(t.c.witness_key_id, t.c.origin)
    )
    return [str(r[0]) for r in rows]
