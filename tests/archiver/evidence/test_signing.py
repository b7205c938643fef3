"""Heads are signed over the whole log, only when it grew, with a key made on first use."""

from __future__ import annotations

import asyncio

from archiver.evidence import merkle
from archiver.evidence.captures import event_capture
from archiver.evidence.heads import head_valid
from archiver.evidence.keys import load_or_create_key
from archiver.evidence.signing import keep_signing, sign_new_head
from archiver.store.evidence_log import all_heads, append_captures, leaf_hashes


async def _append(engine, n: int, first: int) -> None:
    async with engine.begin() as conn:
        captures = [
            event_capture(channel_id=1, event_id=first + i, kind="renamed", at=5, detail=None)
            for i in range(n)
        ]
        await append_captures(conn, captures)


async def test_daemon_signs_on_start_and_stop_only_when_the_log_grew(config, engine) -> None:
    data_dir = config.storage.data_dir
    await _append(engine, 3, 0)
    stopping = asyncio.Event()
    stopping.set()
    await keep_signing(engine, data_dir, 3600, stopping, lambda: 1_750_000_000)
    await _append(engine, 2, 3)
    assert await sign_new_head(engine, data_dir, 1_750_000_500) is not None
    assert await sign_new_head(engine, data_dir, 1_750_000_600) is None
    async with engine.connect() as conn:
        heads = await all_heads(conn)
        hashes = await leaf_hashes(conn)
    assert [h.tree_size for h in heads] == [3, 5]
    key = load_or_create_key(data_dir).public_key()
    assert all(head_valid(key, h) for h in heads)
    assert heads[1].root_hash == merkle.root(hashes)
    assert (data_dir / "evidence-key.pem").stat().st_mode & 0o777 == 0o600


async def test_a_head_stores_every_subtree_under_it(config, engine) -> None:
    """After each head the stored subtrees are exactly the perfect subtrees of its tree."""
    import sqlalchemy as sa

    for n, first in ((5, 0), (12, 5), (1, 17)):
        await _append(engine, n, first)
        head = await sign_new_head(engine, config.storage.data_dir, 1_750_000_000 + first)
        assert head is not None
        async with engine.connect() as conn:
            hashes = await leaf_hashes(conn)
            rows = (
                await conn.execute(sa.text("SELECT level, idx, hash FROM evidence_subtrees"))
            ).all()
        levels = merkle.Tree(hashes).levels
        expected = {(lv, i, h) for lv in range(1, len(levels)) for i, h in enumerate(levels[lv])}
        assert {(lv, i, bytes(h)) for lv, i, h in rows} == expected
