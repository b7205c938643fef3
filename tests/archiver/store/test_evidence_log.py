"""The capture log stays dense and in order when several connections append in turn."""

from __future__ import annotations

import json

import rfc8785

from archiver.evidence.canonical import jcs_value, leaf_hash
from archiver.evidence.captures import event_capture, post_capture
from archiver.store.evidence_log import append_captures, iter_log, log_size


def _captures(n: int, first: int) -> list:
    return [
        event_capture(channel_id=1, event_id=first + i, kind="renamed", at=1, detail=None)
        for i in range(n)
    ]


async def test_appends_from_two_connections_keep_positions_dense(engine) -> None:
    async with engine.connect() as a, engine.connect() as b:
        for conn, n, first in ((a, 3, 0), (b, 2, 3), (a, 4, 5), (a, 1, 9), (b, 2, 10)):
            async with conn.begin():
                await append_captures(conn, _captures(n, first))
        assert await log_size(a) == 12
        logged = [c async for chunk in iter_log(a, chunk=5) for c in chunk]
    assert [c.seq for c in logged] == list(range(12))
    for c in logged:
        body = json.loads(c.leaf)
        assert body["seq"] == c.seq and body["event_id"] == c.seq
        assert c.leaf_hash == leaf_hash(c.leaf.encode())


async def test_rolled_back_append_leaves_no_gap(engine) -> None:
    async with engine.connect() as conn:
        async with conn.begin() as tx:
            await append_captures(conn, _captures(2, 0))
            await tx.rollback()
        async with conn.begin():
            await append_captures(conn, _captures(1, 0))
        assert await log_size(conn) == 1


async def test_switched_off_connection_appends_nothing(engine) -> None:
    async with engine.connect() as conn:
        await conn.execution_options(evidence=False)
        async with conn.begin():
            assert await append_captures(conn, _captures(2, 0)) == -1
        assert await log_size(conn) == 0


async def test_logged_post_leaves_are_the_rfc8785_text(engine) -> None:
    emoji = [{"type": "custom_emoji", "offset": 0, "length": 2, "document_id": 2**62}]
    posts = [
        post_capture(
            channel_id=1,
            msg_id=i,
            date=1_700_000_000,
            edit_date=edit,
            text=text,
            entities=ents,
            media_kind=kind,
            captured_at=1_700_000_009,
            source=source,
            export_sha256="ab" * 32 if source == "import" else None,
        )
        for i, (edit, text, ents, kind, source) in enumerate(
            [
                (None, 'привет\n"мир"\u2028', None, None, "telegram"),
                (1_700_000_100, "", emoji, "photo", "telegram"),
                (None, "x", [{"type": "bold", "offset": 0, "length": 1}], None, "import"),
            ]
        )
    ]
    async with engine.begin() as conn:
        await append_captures(conn, posts)
        logged = [c async for chunk in iter_log(conn) for c in chunk]
    for capture, c in zip(posts, logged, strict=True):
        body = {**jcs_value(capture.body), "seq": c.seq}
        assert c.leaf.encode() == rfc8785.dumps(body)
