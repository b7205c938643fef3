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
    timestamps/<n>.tsr      RFC 3161 time-stamp tokens of head.msg (DER TimeStampResp), if any
    tsa-roots.pem           the TSA root certificates those tokens chain to (configured roots)
    cosignatures/<n>.json   the witnesses' cosignatures of the head that the mirror received

Tokens and cosignatures are checked with their own keys (the TSA root, the witness key in
the cosignature) and listed in ``README.txt``, so removing one fails the check too.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    tokens: list[bytes] = field(default_factory=list)  # DER TimeStampResp of the head
    tsa_roots: bytes = b""  # PEM of the TSA roots the tokens chain to
    cosignatures: list[dict[str, Any]] = field(default_factory=list)


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


def token_name(n: int) -> str:
    """The name of the ``n``-th (from 0) time-stamp token in a bundle."""
    return f"timestamps/{n + 1}.tsr"


def cosignature_name(n: int) -> str:
    """The name of the ``n``-th (from 0) cosignature in a bundle."""
    return f"cosignatures/{n + 1}.json"


def cosignature_file(body: dict[str, Any]) -> bytes:
    """A cosignature as a bundle holds it (the checker requires this exact form)."""
    return (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _attested(tokens: int, witnesses: Sequence[str]) -> str:
    lines = [
        f"  {token_name(n)}: RFC 3161 time-stamp of head.msg; check it with\n"
        f"    openssl ts -verify -data head.msg -in {token_name(n)} -CAfile tsa-roots.pem"
        for n in range(tokens)
    ]
    lines += [
        f"  {cosignature_name(n)}: cosignature of the head by the witness key {kid}"
        for n, kid in enumerate(witnesses)
    ]
    if not lines:
        return "It holds no time-stamp token or witness cosignature of the head.\n"
    return "Time-stamps and witnesses of the head:\n" + "\n".join(lines) + "\n"


def readme(
    head: dict[str, Any],
    channel_id: int,
    msg_id: int,
    seqs: list[int],
    tokens: int = 0,
    witnesses: Sequence[str] = (),
) -> bytes:
    """``README.txt``: what the bundle is and how to check it by hand; it lists the tokens
    and cosignatures (by witness key id), so that removing one is seen."""
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
    return (text + _attested(tokens, witnesses)).encode()


def build_bundle(parts: BundleParts) -> bytes:
    """The zip bytes of a bundle."""
    head = head_json(parts.head)
    bodies = [json.loads(c.leaf) for c in parts.captures]
    first = bodies[0]
    seqs = [c.seq for c in parts.captures]
    members: dict[str, bytes] = {
        "README.txt": readme(
            head,
            first["channel_id"],
            first["msg_id"],
            seqs,
            len(parts.tokens),
            [str(c.get("witness_key_id")) for c in parts.cosignatures],
        ),
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
    for n, token in enumerate(parts.tokens):
        members[token_name(n)] = token
    if parts.tokens and parts.tsa_roots:
        members["tsa-roots.pem"] = parts.tsa_roots
    for n, body in enumerate(parts.cosignatures):
        members[cosignature_name(n)] = cosignature_file(body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            zf.writestr(zipfile.ZipInfo(name, _DATE), members[name])
    return out.getvalue()
