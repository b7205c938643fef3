"""Gather a post's bundle from the archive: its captures under the latest signed head, their
inclusion proofs, its stored files and the public key."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.errors import EvidenceError
from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.bundle import BundleParts
from archiver.evidence.keys import public_pem
from archiver.evidence.merkle import Tree
from archiver.media import MediaStore
from archiver.store.evidence_log import captures_of, file_key, latest_head, leaf_hashes_from


async def bundle_parts(
    conn: AsyncConnection,
    media: MediaStore,
    data_dir: Path,
    channel_id: int,
    msg_id: int,
    tree: Tree | None = None,
) -> BundleParts:
    """The parts of the bundle of one post; ``tree`` is a cached tree of the log, if any."""
    key = existing_public_key(data_dir)
    head = await latest_head(conn)
    if key is None or head is None:
        raise EvidenceError("the archive has no signed tree head yet; run `tgmirror sync`")
    captures = [c for c in await captures_of(conn, channel_id, msg_id) if c.seq < head.tree_size]
    if not captures:
        raise EvidenceError(
            f"post {msg_id} of channel {channel_id} has no capture under the latest signed "
            "head; run `tgmirror sync` to sign a new one"
        )
    if tree is None:
        tree = Tree()
    if tree.size < head.tree_size:
        tree.extend(await leaf_hashes_from(conn, tree.size))
    proofs = {c.seq: tree.inclusion(c.seq, head.tree_size) for c in captures}
    files: dict[str, bytes] = {}
    for c in captures:
        if c.type != "media":
            continue
        sha = json.loads(c.leaf)["sha256"]
        stored = await file_key(conn, sha)
        if stored is None:
            raise EvidenceError(f"the file {sha} of post {msg_id} is no longer stored")
        files[sha] = b"".join([chunk async for chunk in media.read(stored)])
    return BundleParts(captures, proofs, head, public_pem(key), files)
