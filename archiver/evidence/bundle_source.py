"""Gather a post's bundle from the archive: its captures under the latest signed head, their
inclusion proofs, its stored files, the public key, and the head's time-stamp tokens (with the
configured TSA roots they chain to) and the witnesses' cosignatures of it."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.errors import EvidenceError
from archiver.evidence.archive_key import existing_public_key
from archiver.evidence.bundle import BundleParts
from archiver.evidence.keys import public_pem
from archiver.evidence.merkle import root_from_inclusion
from archiver.evidence.stored_tree import StoredTree
from archiver.evidence.timestamps import signed_message, token_problem
from archiver.media import MediaStore
from archiver.store.evidence_cosignatures import received_for
from archiver.store.evidence_log import captures_of, file_key, latest_head
from archiver.store.evidence_timestamps import timestamps_of


async def bundle_parts(
    conn: AsyncConnection,
    media: MediaStore,
    data_dir: Path,
    channel_id: int,
    msg_id: int,
    tree: StoredTree | None = None,
    tsa_roots: list[x509.Certificate] | None = None,
) -> BundleParts:
    """The parts of the bundle of one post; ``tree`` is the process's tree of the log, if any;
    ``tsa_roots`` the trusted TSA roots (``evidence.tsa_roots``), bundled when a token
    chains to them."""
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
    seqs = [c.seq for c in captures]
    proofs = await (tree or StoredTree()).inclusions(conn, seqs, head.tree_size)
    for c in captures:
        if root_from_inclusion(c.seq, head.tree_size, c.leaf_hash, proofs[c.seq]) != head.root_hash:
            raise EvidenceError(
                f"the inclusion proof of capture #{c.seq} does not lead to the signed head: "
                "the log or its stored subtrees changed; run `tgmirror verify`"
            )
    files: dict[str, bytes] = {}
    for c in captures:
        if c.type != "media":
            continue
        sha = json.loads(c.leaf)["sha256"]
        stored = await file_key(conn, sha)
        if stored is None:
            raise EvidenceError(f"the file {sha} of post {msg_id} is no longer stored")
        files[sha] = b"".join([chunk async for chunk in media.read(stored)])
    tokens = [row.token for row in await timestamps_of(conn, head.tree_size)]
    message = signed_message(head)
    used = [
        root
        for root in tsa_roots or []
        if any(token_problem(token, message, [root]) is None for token in tokens)
    ]
    pem = b"".join(root.public_bytes(serialization.Encoding.PEM) for root in used)
    cosignatures = [json.loads(body) for body in await received_for(conn, head.tree_size)]
    return BundleParts(captures, proofs, head, public_pem(key), files, tokens, pem, cosignatures)
