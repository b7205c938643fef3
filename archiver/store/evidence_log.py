"""The capture log's rows: append captures, read them back in order, and the signed heads.

Appends happen in the caller's transaction (the one that writes the rows the captures
describe), so a capture is logged exactly when its rows are committed. Positions (``seq``)
are dense from 0: on PostgreSQL appenders take a transaction-level advisory lock first, so
concurrent writers commit their captures in position order; SQLite has one writer anyway.
A connection opened with the execution option ``evidence=False`` appends nothing
(``[evidence] enabled = false``); ``evidence_export_sha256`` tags captures as from an import.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.db.schema import evidence_heads, evidence_log, media_files
from archiver.evidence.canonical import canonical_json
from archiver.evidence.captures import Capture
from archiver.evidence.post_leaf import post_leaf
from archiver.store.bulk_read import RowSource, fetch_all, keyset_pages, utf8
from archiver.store.dialect import dialect_of

_APPEND_LOCK = 0x7467_6D69_7272  # pg_advisory_xact_lock key of the capture log ("tgmirr")


def _options(conn: AsyncConnection) -> Mapping[str, Any]:
    sync = conn.sync_connection
    return sync.get_execution_options() if sync is not None else {}


def logging_on(conn: AsyncConnection) -> bool:
    """Whether writes on ``conn`` append captures."""
    return bool(_options(conn).get("evidence", True))


def export_sha256(conn: AsyncConnection) -> str | None:
    """The sha256 of the export file an import on ``conn`` reads, if it is an import."""
    value = _options(conn).get("evidence_export_sha256")
    return str(value) if value else None


async def append_captures(conn: AsyncConnection, captures: Sequence[Capture]) -> int:
    """Append captures at the end of the log; returns the new log size.

    One read of the log's size and one plain insert per batch (no per-row guard): the
    caller's transaction has written the rows the captures describe first, so it holds
    SQLite's write lock and no other connection appends in between (were its read older than
    another's commit, SQLite would refuse the insert; ``seq`` is unique either way).
    PostgreSQL appenders take the append lock first.
    """
    if not captures or not logging_on(conn):
        return -1
    if dialect_of(conn).name == "postgresql":
        await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_APPEND_LOCK)))
        start = await log_size(conn)
        rows = _rows(captures, start)
        await conn.execute(
            evidence_log.insert(), [dict(zip(_COLUMNS, r, strict=True)) for r in rows]
        )
    else:  # sqlite3 directly, with plain tuples: SQLAlchemy's per-row parameter handling
        last = (await conn.exec_driver_sql(_SIZE_SQLITE)).scalar()  # cost as much as the insert
        start = 0 if last is None else int(last) + 1
        await conn.exec_driver_sql(_INSERT_SQLITE, _rows(captures, start))
    return start + len(captures)


_COLUMNS = ("seq", "type", "channel_id", "msg_id", "captured_at", "leaf", "leaf_hash")
_SIZE_SQLITE = "SELECT max(seq) FROM evidence_log"
_INSERT_SQLITE = (
    "INSERT INTO evidence_log (seq, type, channel_id, msg_id, captured_at, leaf, leaf_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _rows(captures: Sequence[Capture], start: int) -> list[tuple[Any, ...]]:
    """The log rows of ``captures`` from position ``start``, as ``_COLUMNS`` tuples."""
    rows = []
    sha256 = hashlib.sha256
    for seq, c in enumerate(captures, start):
        text = _leaf_text(c, seq)
        leaf = text.encode("utf-8")
        digest = sha256(b"\x00" + leaf).digest()
        rows.append((seq, c.type, c.channel_id, c.msg_id, c.captured_at, text, digest))
    return rows


def _leaf_text(c: Capture, seq: int) -> str:
    """The capture's RFC 8785 text at position ``seq``: a post goes through ``post_leaf``
    (one format string), anything else, or a post it cannot write, through ``canonical_json``."""
    b = c.body
    if c.type == "post" and "export_sha256" not in b:
        entities = b["entities"]  # most posts have none: no encoder call for them
        text = post_leaf(
            seq=seq,
            channel_id=b["channel_id"],
            msg_id=b["msg_id"],
            date=b["date"],
            edit_date=b["edit_date"],
            text=b["text"],
            entities_json="null" if entities is None else canonical_json(entities).decode(),
            media_kind=b["media_kind"],
            captured_at=b["captured_at"],
            source=b["source"],
        )
        if text is not None:
            return text
    return canonical_json({**b, "seq": seq}).decode("utf-8")


async def log_size(conn: AsyncConnection) -> int:
    """How many captures the log holds."""
    last = (await conn.execute(sa.select(sa.func.max(evidence_log.c.seq)))).scalar()
    return 0 if last is None else int(last) + 1


@dataclass(frozen=True, slots=True)
class LoggedCapture:
    """One row of the log."""

    seq: int
    type: str
    channel_id: int
    msg_id: int | None
    leaf: str
    leaf_hash: bytes
    captured_at: int = 0


async def iter_log_rows(
    source: RowSource, *, chunk: int = 50_000, leaf_utf8: bool = False
) -> AsyncIterator[Sequence[Any]]:
    """The whole log in position order as plain rows ``(seq, type, channel_id, msg_id, leaf,
    leaf_hash, captured_at)``, ``chunk`` at a time (for ``verify``: no object per row);
    ``leaf_utf8``: the leaf as its UTF-8 bytes."""
    cols = (
        evidence_log.c.seq,
        evidence_log.c.type,
        evidence_log.c.channel_id,
        evidence_log.c.msg_id,
        utf8(source, evidence_log.c.leaf) if leaf_utf8 else evidence_log.c.leaf,
        evidence_log.c.leaf_hash,
        evidence_log.c.captured_at,
    )

    def page(after: int) -> sa.Select[Any]:
        query = sa.select(*cols).where(evidence_log.c.seq > after).order_by(evidence_log.c.seq)
        return query.limit(chunk)

    async for rows in keyset_pages(source, page, -1, lambda rows: rows[-1][0]):
        yield rows


async def iter_log(
    conn: AsyncConnection, *, chunk: int = 20_000
) -> AsyncIterator[list[LoggedCapture]]:
    """The whole log in position order, ``chunk`` captures at a time."""
    async for rows in iter_log_rows(conn, chunk=chunk):
        yield [
            LoggedCapture(seq, kind, ch, msg, leaf, bytes(digest), at)
            for seq, kind, ch, msg, leaf, digest, at in rows
        ]


async def leaf_hashes(conn: AsyncConnection, size: int | None = None) -> list[bytes]:
    """The leaf hashes of the first ``size`` captures (all when None), in order."""
    query = sa.select(evidence_log.c.leaf_hash).order_by(evidence_log.c.seq)
    if size is not None:
        query = query.where(evidence_log.c.seq < size)
    return [bytes(h) for h in (await conn.execute(query)).scalars()]


async def captures_of(conn: AsyncConnection, channel_id: int, msg_id: int) -> list[LoggedCapture]:
    """Every capture about one message (versions, files, deletions), in log order."""
    rows = await conn.execute(
        sa.select(
            evidence_log.c.seq,
            evidence_log.c.type,
            evidence_log.c.channel_id,
            evidence_log.c.msg_id,
            evidence_log.c.leaf,
            evidence_log.c.leaf_hash,
        )
        .where(evidence_log.c.channel_id == channel_id, evidence_log.c.msg_id == msg_id)
        .order_by(evidence_log.c.seq)
    )
    return [LoggedCapture(r[0], r[1], r[2], r[3], r[4], bytes(r[5])) for r in rows]


@dataclass(frozen=True, slots=True)
class HeadRow:
    """A signed tree head as stored."""

    tree_size: int
    root_hash: bytes
    signed_at: int
    key_id: str
    signature: bytes


async def add_head(conn: AsyncConnection, head: HeadRow) -> None:
    """Store a signed head (one per tree size; a second head of the same size is ignored)."""
    insert = dialect_of(conn).insert(evidence_heads)
    await conn.execute(
        insert.values(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            signed_at=head.signed_at,
            key_id=head.key_id,
            signature=head.signature,
        ).on_conflict_do_nothing()
    )


def _head(r: Any) -> HeadRow:
    return HeadRow(int(r[0]), bytes(r[1]), int(r[2]), str(r[3]), bytes(r[4]))


_HEAD_COLS = (
    evidence_heads.c.tree_size,
    evidence_heads.c.root_hash,
    evidence_heads.c.signed_at,
    evidence_heads.c.key_id,
    evidence_heads.c.signature,
)


async def latest_head(conn: AsyncConnection) -> HeadRow | None:
    """The head of the largest tree, or None before the first head."""
    row = (
        await conn.execute(
            sa.select(*_HEAD_COLS).order_by(evidence_heads.c.tree_size.desc()).limit(1)
        )
    ).first()
    return _head(row) if row is not None else None


async def all_heads(source: RowSource) -> list[HeadRow]:
    """Every signed head, smallest tree first."""
    query = sa.select(*_HEAD_COLS).order_by(evidence_heads.c.tree_size)
    return [_head(r) for r in await fetch_all(source, query)]


async def leaf_hashes_from(
    conn: AsyncConnection, start: int, limit: int | None = None
) -> list[bytes]:
    """The leaf hashes from position ``start`` on (``limit`` of them at most), in order (to
    extend a tree)."""
    query = (
        sa.select(evidence_log.c.leaf_hash)
        .where(evidence_log.c.seq >= start)
        .order_by(evidence_log.c.seq)
        .limit(limit)
    )
    return [bytes(h) for h in (await conn.execute(query)).scalars()]


async def file_key(conn: AsyncConnection, sha256: str) -> str | None:
    """The media store key of stored content, or None."""
    row = await conn.execute(sa.select(media_files.c.path).where(media_files.c.sha256 == sha256))
    return row.scalar()
