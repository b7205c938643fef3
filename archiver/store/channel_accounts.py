"""Which Telegram account archives each channel, and which accounts lost access to it.

Rows of ``channel_accounts`` are written by a worker with several accounts
(``[[telegram.accounts]]``) when it gives a channel to an account, learns the channel's access
hash for an account, or finds that an account can no longer read a channel other accounts
read; ``tgmirror status`` reads them, and a restarted worker keeps each channel's account and
addresses it with the stored hash.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import channel_accounts
from archiver.store.dialect import dialect_of

_c = channel_accounts.c


@dataclass(frozen=True, slots=True)
class ChannelAccount:
    """One row: ``state`` is "archiving", "idle" or "lost" (with why in ``detail``)."""

    channel_id: int
    account: str
    state: str
    detail: str | None
    updated_at: int
    access_hash: int | None = None


async def _put(
    conn: AsyncConnection, channel_id: int, account: str, state: str, detail: str | None, now: int
) -> None:
    values = {"state": state, "detail": detail, "updated_at": now}
    insert = (
        dialect_of(conn)
        .insert(channel_accounts)
        .values(channel_id=channel_id, account=account, **values)
    )
    await conn.execute(
        insert.on_conflict_do_update(index_elements=["channel_id", "account"], set_=values)
    )


async def set_archiving(
    conn: AsyncConnection, channel_id: int, account: str, now: int, detail: str | None = None
) -> str | None:
    """Record that ``account`` archives the channel now; the account that did before (if
    another) becomes idle and is returned."""
    before = await conn.execute(
        sa.select(_c.account).where(
            _c.channel_id == channel_id, _c.state == "archiving", _c.account != account
        )
    )
    previous = before.scalars().first()
    await conn.execute(
        channel_accounts.update()
        .where(_c.channel_id == channel_id, _c.state == "archiving", _c.account != account)
        .values(state="idle", updated_at=now)
    )
    await _put(conn, channel_id, account, "archiving", detail, now)
    return previous


async def set_lost(
    conn: AsyncConnection, channel_id: int, account: str, detail: str, now: int
) -> None:
    """Record that ``account`` cannot read the channel (banned from it, say) while another
    account can: the channel is not erased, this account is."""
    await _put(conn, channel_id, account, "lost", detail, now)


async def set_access_hash(
    conn: AsyncConnection, channel_id: int, account: str, access_hash: int, now: int
) -> None:
    """Remember the channel's access hash for ``account`` (a new row is "idle")."""
    insert = (
        dialect_of(conn)
        .insert(channel_accounts)
        .values(
            channel_id=channel_id,
            account=account,
            state="idle",
            detail=None,
            updated_at=now,
            access_hash=access_hash,
        )
    )
    await conn.execute(
        insert.on_conflict_do_update(
            index_elements=["channel_id", "account"], set_={"access_hash": access_hash}
        )
    )


async def channel_account_rows(conn: AsyncConnection, channel_id: int) -> list[ChannelAccount]:
    """The rows of one channel, in account order."""
    rows = await conn.execute(
        sa.select(channel_accounts).where(_c.channel_id == channel_id).order_by(_c.account)
    )
    return [ChannelAccount(**row._mapping) for row in rows]


async def list_channel_accounts(conn: AsyncConnection) -> dict[int, list[ChannelAccount]]:
    """Every row, by channel, in account order."""
    rows = await conn.execute(sa.select(channel_accounts).order_by(_c.channel_id, _c.account))
    out: dict[int, list[ChannelAccount]] = {}
    for row in rows:
        out.setdefault(row.channel_id, []).append(ChannelAccount(**row._mapping))
    return out
