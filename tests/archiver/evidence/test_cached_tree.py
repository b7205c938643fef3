"""The cached log tree reads each capture once, even when two requests find it short at once."""

from __future__ import annotations

import asyncio

from archiver.evidence import merkle
from archiver.evidence.cached_tree import CachedTree
from archiver.evidence.captures import event_capture
from archiver.store.evidence_log import append_captures, leaf_hashes


async def test_concurrent_requests_extend_the_tree_once(engine) -> None:
    async with engine.begin() as conn:
        await append_captures(
            conn,
            [
                event_capture(channel_id=1, event_id=i, kind="renamed", at=5, detail=None)
                for i in range(5)
            ],
        )
    cached = CachedTree()
    async with engine.connect() as a, engine.connect() as b:
        trees = await asyncio.gather(cached.at_least(a, 5), cached.at_least(b, 3))
        hashes = await leaf_hashes(a)
    assert trees[0] is trees[1] is cached.tree
    assert cached.tree.size == 5
    assert cached.tree.root() == merkle.root(hashes)
