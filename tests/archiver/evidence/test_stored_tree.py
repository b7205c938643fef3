"""Proofs read from the stored subtrees: the same as from every leaf, without the leaves under
the signed head, for sizes past it, and two concurrent requests agree."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from archiver.evidence import merkle
from archiver.evidence.captures import event_capture
from archiver.evidence.signing import sign_new_head
from archiver.evidence.stored_tree import StoredTree
from archiver.store.evidence_log import append_captures, leaf_hashes


async def _append(engine, n: int, first: int) -> None:
    async with engine.begin() as conn:
        captures = [
            event_capture(channel_id=1, event_id=first + i, kind="renamed", at=5, detail=None)
            for i in range(n)
        ]
        await append_captures(conn, captures)


async def test_proofs_match_those_from_every_leaf(config, engine) -> None:
    await _append(engine, 21, 0)
    await sign_new_head(engine, config.storage.data_dir, 1_750_000_000)
    await _append(engine, 6, 21)  # past the head: no stored subtrees yet
    async with engine.connect() as conn:
        hashes = await leaf_hashes(conn)
        full = merkle.Tree(hashes)
        stored = StoredTree()
        for size in (1, 2, 7, 16, 21, 22, 27):
            for index in range(size):
                assert await stored.inclusion(conn, index, size) == full.inclusion(index, size)
            for old in range(1, size + 1):
                assert await stored.consistency(conn, old, size) == full.consistency(old, size)
        assert await StoredTree().leaf_hash(conn, 26) == hashes[26]


async def test_a_proof_under_the_head_reads_no_other_leaf(config, engine) -> None:
    """Every leaf hash but the proven capture's and its neighbour's is wiped after signing:
    the proof still leads to the signed root, so it was built from the stored subtrees."""
    await _append(engine, 1000, 0)
    head = await sign_new_head(engine, config.storage.data_dir, 1_750_000_000)
    assert head is not None
    async with engine.begin() as conn:
        hashes = await leaf_hashes(conn)
        await conn.execute(
            sa.text("UPDATE evidence_log SET leaf_hash = :z WHERE seq NOT IN (612, 613)"),
            {"z": bytes(32)},
        )
        proof = await StoredTree().inclusion(conn, 613, 1000)
        root = merkle.root_from_inclusion(613, 1000, hashes[613], proof)
        assert len(proof) == 10
    assert root == head.root_hash


async def test_concurrent_requests_agree_and_sizes_past_the_log_fail(config, engine) -> None:
    await _append(engine, 40, 0)
    await sign_new_head(engine, config.storage.data_dir, 1_750_000_000)
    await _append(engine, 3, 40)
    tree = StoredTree()
    async with engine.connect() as a, engine.connect() as b:
        hashes = await leaf_hashes(a)
        proofs = await asyncio.gather(
            tree.inclusion(a, 41, 43), tree.inclusion(b, 41, 43), tree.consistency(a, 17, 43)
        )
        with pytest.raises(merkle.ProofError, match="no tree of 44 captures: the log holds 43"):
            await tree.inclusion(b, 3, 44)
    full = merkle.Tree(hashes)
    assert proofs == [full.inclusion(41, 43), full.inclusion(41, 43), full.consistency(17, 43)]
