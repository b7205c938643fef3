"""Evidence bundles: a post's captures, files, inclusion proofs, signed head and key in a zip.

Every file in a bundle is either checked against the signed head (captures through their
inclusion proofs, media through the sha256 in their capture, the head through the key's
signature) or rebuilt from checked files and compared byte for byte (``post.json``,
``README.txt``, ``head.msg``, ``head.sig``), so that changing any file makes the check fail.
docs/evidence.md specifies the layout::

    README.txt              how to check the bundle (rebuilt by the checker)
    post.json               the post's captures in order, as one JSON document (rebuilt)
    captures/<seq>.json     each capture's exact RFC 8785 bytes (the Merkle leaf)
    proofs/<seq>.json       {"seq", "tree_size", "leaf_hash", "proof": [hex...]}
    media/<sha256>          each stored file of the post, named by its content hash
    head.json               the signed tree head (fields, "signed" message, base64 signature)
    head.msg, head.sig      the signed bytes and the raw 64-byte signature (for openssl)
    key.pem                 the archive's Ed25519 public key
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from archiver.evidence.heads import head_json
from archiver.store.evidence_log import HeadRow, LoggedCapture

FORMAT = "tgmirror-evidence-bundle/1"
_DATE = (2000, 1, 1, 0, 0, 0)  # fixed zip member dates: the same bundle gives the same bytes


@dataclass(frozen=True)
class BundleParts:
    """What a bundle is made of, read from the archive."""

    captures: list[LoggedCapture]
    proofs: dict[int, list[bytes]]
    head: HeadRow
    key_pem: bytes
    files: dict[str, bytes]  # sha256 -> bytes


def seq_name(seq: int) -> str:
    """The zero-padded file stem of a capture's position."""
    return f"{seq:012d}"


def post_document(head: dict[str, Any], bodies: list[dict[str, Any]]) -> bytes:
    """``post.json``: the post's captures in log order, under the head that covers them."""
    first = bodies[0]
    doc = {
        "format": FORMAT,
        "channel_id": first["channel_id"],
        "msg_id": first["msg_id"],
        "tree_size": head["tree_size"],
        "root_hash": head["root_hash"],
        "key_id": head["key_id"],
        "captures": bodies,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def readme(head: dict[str, Any], channel_id: int, msg_id: int, seqs: list[int]) -> bytes:
    """``README.txt``: what the bundle is and how to check it by hand."""
    listed = ", ".join(f"#{s}" for s in seqs)
    text = f"""Evidence bundle ({FORMAT}) for post {msg_id} of Telegram channel {channel_id}.

It holds {len(seqs)} captures of this post ({listed}) from the archive's capture log,
each with a proof that it is in the log's tree of {head["tree_size"]} captures, whose root
{head["root_hash"]} the archive signed at {head["signed_at"]} (Unix time) with the
Ed25519 key {head["key_id"]} (sha256 of the raw public key, in key.pem).

Check it with `tgmirror verify-bundle THIS.zip`, or by hand (docs/evidence.md):
  1. openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in head.msg -sigfile head.sig
  2. sha256sum media/*   (each file's hash must be its own name)
  3. python3 check_bundle.py (the script in docs/evidence.md) recomputes every leaf hash
     and inclusion proof up to the signed root.
Compare the key id with the one the mirror serves at /.well-known/tgmirror/key and with
what its witnesses saw: a bundle proves what the holder of that key logged, and when.
"""
    return text.encode()


def build_bundle(parts: BundleParts) -> bytes:
    """The zip bytes of a bundle."""
    head = head_json(parts.head)
    bodies = [json.loads(c.leaf) for c in parts.captures]
    first = bodies[0]
    seqs = [c.seq for c in parts.captures]
    members: dict[str, bytes] = {
        "README.txt": readme(head, first["channel_id"], first["msg_id"], seqs),
        "post.json": post_document(head, bodies),
        "head.json": (json.dumps(head, indent=2, sort_keys=True) + "\n").encode(),
        "head.msg": head["signed"].encode(),
        "head.sig": base64.b64decode(head["signature"]),
        "key.pem": parts.key_pem,
    }
    for c in parts.captures:
        members[f"captures/{seq_name(c.seq)}.json"] = c.leaf.encode()
        proof = {
            "seq": c.seq,
            "tree_size": parts.head.tree_size,
            "leaf_hash": c.leaf_hash.hex(),
            "proof": [p.hex() for p in parts.proofs[c.seq]],
        }
        members[f"proofs/{seq_name(c.seq)}.json"] = (json.dumps(proof, indent=2) + "\n").encode()
    for sha, data in parts.files.items():
        members[f"media/{sha}"] = data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            zf.writestr(zipfile.ZipInfo(name, _DATE), members[name])
    return out.getvalue()
