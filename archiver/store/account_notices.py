"""What Telegram asked of an account's user (``account_notices``), for ``tgmirror status``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import account_notices
from archiver.store.dialect import dialect_of

_c = account_notices.c


@dataclass(frozen=True, slots=True)
class AccountNotice:
    """One notice: ``kind`` says what it is about, ``until`` when it stops applying (or None)."""

    account: str
    kind: str
    message: str
    until: int | None
    updated_at: int


async def set_notice(
    conn: AsyncConnection, account: str, kind: str, message: str, until: int | None, now: int
) -> None:
    """Record (or replace) the notice ``kind`` of ``account``."""
    values = {"message": message, "until": until, "updated_at": now}
    insert = dialect_of(conn).insert(account_notices).values(account=account, kind=kind, **values)
    await conn.execute(
        insert.on_conflict_do_update(index_elements=["account", "kind"], set_=values)
    )


async def clear_notice(conn: AsyncConnection, account: str, kind: str) -> None:
    """The notice no longer applies."""
    await conn.execute(account_notices.delete().where(_c.account == account, _c.kind == kind))


async def list_notices(conn: AsyncConnection) -> list[AccountNotice]:
    """Every notice, by account and kind."""
    rows = await conn.execute(sa.select(account_notices).order_by(_c.account, _c.kind))
    return [AccountNotice(**row._mapping) for row in rows]
