"""A bulk scan (``tgmirror verify``'s reads) gives the rows the connection gives, in pages,
and on a SQLite file sees one snapshot of the archive while others append."""

from __future__ import annotations

from archiver.evidence.captures import event_capture
from archiver.store.bulk_read import bulk_reader
from archiver.store.evidence_log import append_captures, iter_log_rows


def _captures(n: int, first: int) -> list:
    return [
        event_capture(channel_id=1, event_id=first + i, kind="renamed", at=1, detail=None)
        for i in range(n)
    ]


async def test_a_bulk_scan_pages_the_rows_the_connection_reads(engine) -> None:
    async with engine.begin() as conn:
        await append_captures(conn, _captures(7, 0))
    async with engine.connect() as conn:
        direct = [tuple(r) async for page in iter_log_rows(conn, chunk=3) for r in page]
        async with bulk_reader(conn) as reader:
            pages = [page async for page in iter_log_rows(reader, chunk=3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [tuple(r) for p in pages for r in p] == direct
    assert [r[0] for r in direct] == list(range(7))


async def test_a_bulk_scan_of_a_sqlite_file_reads_one_snapshot(engine) -> None:
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL is read through the caller's connection
    async with engine.begin() as conn:
        await append_captures(conn, _captures(2, 0))
    async with engine.connect() as conn, bulk_reader(conn) as reader:
        assert reader.threaded
        first = [r async for page in iter_log_rows(reader) for r in page]
        async with engine.begin() as other:
            await append_captures(other, _captures(3, 2))
        again = [r async for page in iter_log_rows(reader) for r in page]
    assert len(first) == len(again) == 2
