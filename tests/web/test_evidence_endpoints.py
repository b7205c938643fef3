"""``/.well-known/tgmirror/``: the key and the signed head verify, and the proofs served
link two signed heads and a capture to a head."""

from __future__ import annotations

import base64

from archiver.db.engine import open_engine
from archiver.evidence import merkle
from archiver.evidence.keys import load_public_pem
from archiver.evidence.signing import sign_new_head
from archiver.store.events import add_event
from tests.web.conftest import make_client


async def _sign(config, now: int) -> None:
    engine = open_engine(config.database_url)
    try:
        assert await sign_new_head(engine, config.storage.data_dir, now) is not None
    finally:
        await engine.dispose()


async def _grow(config, channel_id: int) -> None:
    engine = open_engine(config.database_url)
    try:
        async with engine.begin() as conn:
            for i in range(5):
                await add_event(conn, channel_id, "renamed", 1_750_000_000 + i, {"n": i})
    finally:
        await engine.dispose()


async def test_head_key_and_proofs_verify(archive_copy) -> None:
    config = archive_copy["config"]
    async with make_client(config) as client:
        assert (await client.get("/.well-known/tgmirror/head")).status_code == 404
    await _sign(config, 1_750_000_000)
    await _grow(config, archive_copy["en"])
    async with make_client(config) as client:
        first = (await client.get("/.well-known/tgmirror/head")).json()
    await _sign(config, 1_750_000_100)
    async with make_client(config) as client:
        pem = (await client.get("/.well-known/tgmirror/key")).content
        second = (await client.get("/.well-known/tgmirror/head")).json()
        old, new = first["tree_size"], second["tree_size"]
        consistency = await client.get(f"/.well-known/tgmirror/consistency?from={old}&to={new}")
        inclusion = await client.get(f"/.well-known/tgmirror/inclusion?seq=3&size={new}")
        bad = await client.get(f"/.well-known/tgmirror/consistency?from={new}&to={new + 9}")
    key = load_public_pem(pem)
    for head in (first, second):
        key.verify(base64.b64decode(head["signature"]), head["signed"].encode())
    assert new == old + 5
    proof = [bytes.fromhex(p) for p in consistency.json()["proof"]]
    roots = bytes.fromhex(first["root_hash"]), bytes.fromhex(second["root_hash"])
    merkle.verify_consistency(old, new, *roots, proof)
    body = inclusion.json()
    path = [bytes.fromhex(p) for p in body["proof"]]
    leaf = bytes.fromhex(body["leaf_hash"])
    assert merkle.root_from_inclusion(3, new, leaf, path) == roots[1]
    assert bad.status_code == 400 and "the log holds" in bad.json()["detail"]
