"""Signed tree heads: what is signed, signing a new head, and the head as JSON.

The signed message is the RFC 8785 JSON of
``{"v": 1, "type": "tree_head", "key_id", "tree_size", "root_hash" (hex), "signed_at"}``;
the signature is plain Ed25519 over those bytes, so ``openssl pkeyutl -verify -rawin``
checks it (docs/evidence.md).
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from archiver.evidence.canonical import canonical_json
from archiver.evidence.keys import key_id, signature_ok
from archiver.store.evidence_log import HeadRow


def head_message(tree_size: int, root_hash: bytes, signed_at: int, kid: str) -> bytes:
    """The exact bytes a tree head's signature covers."""
    return canonical_json(
        {
            "v": 1,
            "type": "tree_head",
            "key_id": kid,
            "tree_size": tree_size,
            "root_hash": root_hash.hex(),
            "signed_at": signed_at,
        }
    )


def sign_head(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, now: int) -> HeadRow:
    """A new head for the tree of ``tree_size`` captures whose root is ``root_hash``."""
    kid = key_id(key.public_key())
    signature = key.sign(head_message(tree_size, root_hash, now, kid))
    return HeadRow(tree_size, root_hash, now, kid, signature)


def head_valid(key: Ed25519PublicKey, head: HeadRow) -> bool:
    """Whether ``head`` carries ``key``'s valid signature."""
    if head.key_id != key_id(key):
        return False
    message = head_message(head.tree_size, head.root_hash, head.signed_at, head.key_id)
    return signature_ok(key, head.signature, message)


def head_json(head: HeadRow) -> dict[str, Any]:
    """A head as served and bundled: the signed message's fields plus the signature."""
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash.hex(),
        "signed_at": head.signed_at,
        "key_id": head.key_id,
        "signature": base64.b64encode(head.signature).decode("ascii"),
        "signed": head_message(head.tree_size, head.root_hash, head.signed_at, head.key_id).decode(
            "utf-8"
        ),
    }


def head_from_json(data: dict[str, Any]) -> HeadRow:
    """Read a head back from ``head_json`` form; ``ValueError`` when a field is wrong."""
    try:
        return HeadRow(
            int(data["tree_size"]),
            bytes.fromhex(str(data["root_hash"])),
            int(data["signed_at"]),
            str(data["key_id"]),
            base64.b64decode(str(data["signature"]), validate=True),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a tree head: {exc}") from exc
