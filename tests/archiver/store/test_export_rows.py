"""iter_export_batches: every post once, in id order, with files and revisions, bounds honoured."""

from __future__ import annotations

import json

from archiver.rows import ChannelRow, FileRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.export_rows import count_export_posts, iter_export_batches, iter_raw_batches
from archiver.store.messages import save_messages, set_post_hidden

CH = 2002


async def _archive(conn, n: int = 25) -> None:
    await upsert_channel(conn, ChannelRow(id=CH, access_hash=1, title="T"), 1)
    await upsert_channel(conn, ChannelRow(id=CH + 1, access_hash=1, title="Other"), 1)
    rows = [
        MessageRow(
            channel_id=CH,
            msg_id=i,
            date=1000 + i,
            text=f"post {i}",
            media_kind="photo" if i % 5 == 0 else None,
            files=(FileRow(kind="photo", mime="image/jpeg", size=10 * i),) if i % 5 == 0 else (),
        )
        for i in range(1, n + 1)
    ]
    await save_messages(conn, rows, now=10)
    await save_messages(conn, [MessageRow(channel_id=CH + 1, msg_id=3, date=5, text="x")], now=10)
    await save_messages(conn, [MessageRow(channel_id=CH, msg_id=7, date=1007, text="v2")], now=20)
    await save_messages(conn, [MessageRow(channel_id=CH, msg_id=7, date=1007, text="v3")], now=30)


async def _collect(conn, **kwargs) -> list:
    return [
        (p, b.revisions.get(p.pk, []))
        async for b in iter_export_batches(conn, CH, **kwargs)
        for p in b.posts
    ]


async def test_every_post_of_the_channel_comes_once_in_id_order(engine) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        got = await _collect(conn, batch=4)
    assert [p.msg_id for p, _ in got] == list(range(1, 26))


async def test_files_and_revisions_are_attached_per_post(engine) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        got = {p.msg_id: (p, r) for p, r in await _collect(conn, batch=4)}
    post, revisions = got[7]
    assert [r.text for r in revisions] == ["post 7", "v2"]
    assert post.text == "v3" and post.revision_count == 2
    assert [f.size for f in got[10][0].files] == [100]
    assert got[11][0].files == [] and got[11][1] == []


async def test_date_bounds_and_hidden_posts_are_honoured(engine) -> None:
    async with engine.begin() as conn:
        await _archive(conn)
        await set_post_hidden(conn, CH, 12, True)
        got = await _collect(conn, since=1010, until=1015, include_hidden=False, batch=2)
        count = await count_export_posts(conn, CH, since=1010, until=1015, include_hidden=False)
    assert [p.msg_id for p, _ in got] == [10, 11, 13, 14]
    assert count == 4
    assert [f.size for f in got[0][0].files] == [100]


async def test_raw_rows_are_json_objects_of_the_stored_columns(engine) -> None:
    entities = [{"type": "bold", "offset": 0, "length": 4}]
    async with engine.begin() as conn:
        await upsert_channel(conn, ChannelRow(id=CH, access_hash=1, title="T"), 1)
        row = MessageRow(channel_id=CH, msg_id=1, date=5, text='Ёлка "x"', entities=entities)
        await save_messages(conn, [row], now=10)
        batches = [b async for b in iter_raw_batches(conn, CH)]
    ((msg_id, document, _pk),) = batches[0].rows
    record = json.loads(document)
    assert (msg_id, record["id"], record["text"], record["entities"]) == (
        1,
        1,
        'Ёлка "x"',
        entities,
    )
    assert record["media"] is None and record["deleted_at"] is None
