"""Witnessing another mirror: fetch its signed head, check it extends the last head seen from
it (RFC 9162 consistency proof from ``/.well-known/tgmirror/consistency``), countersign it.

A cosignature is this archive's Ed25519 signature over the RFC 8785 JSON of
``{"v": 1, "type": "cosignature", "origin", "head" (the head's signed message),
"head_signature" (base64), "witness_key_id", "witnessed_at"}``. It is kept here, posted to
the witnessed mirror (``POST /.well-known/tgmirror/cosignatures``), and a mirror serves the
ones it received. A mirror that rewrites a capture it had already shown a witness can no
longer give a consistency proof to that witness's last head, nor a second head of the same
size with another root, without the witness reporting it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archiver.evidence.canonical import canonical_json
from archiver.evidence.heads import head_from_json, head_message, head_valid
from archiver.evidence.keys import key_id, load_public_pem, public_pem, signature_ok
from archiver.evidence.merkle import ProofError, verify_consistency
from archiver.store.evidence_log import HeadRow

WELL_KNOWN = "/.well-known/tgmirror"


class WitnessError(Exception):
    """The mirror's head cannot be accepted; the message is the one line to report."""


@dataclass(frozen=True)
class Witnessed:
    """A head that was checked and countersigned."""

    head: HeadRow
    previous: int | None  # tree size of the last head seen before, if any
    cosignature: dict[str, Any]


def cosign_message(body: dict[str, Any]) -> bytes:
    """The bytes a cosignature's signature covers (everything but ``signature``/``key``)."""
    return canonical_json({k: v for k, v in body.items() if k not in ("signature", "key")})


def cosign(key: Ed25519PrivateKey, origin: str, head: HeadRow, now: int) -> dict[str, Any]:
    """This archive's cosignature of ``head`` of the mirror at ``origin``."""
    body: dict[str, Any] = {
        "v": 1,
        "type": "cosignature",
        "origin": origin,
        "head": head_message(head.tree_size, head.root_hash, head.signed_at, head.key_id).decode(
            "utf-8"
        ),
        "head_signature": base64.b64encode(head.signature).decode("ascii"),
        "witness_key_id": key_id(key.public_key()),
        "witnessed_at": now,
    }
    body["signature"] = base64.b64encode(key.sign(cosign_message(body))).decode("ascii")
    body["key"] = public_pem(key.public_key()).decode("ascii")
    return body


def cosignature_valid(body: dict[str, Any]) -> bool:
    """Whether ``body`` carries a valid signature by the key it names (and that key's id)."""
    try:
        witness = load_public_pem(str(body["key"]).encode("ascii"))
        signature = base64.b64decode(str(body["signature"]), validate=True)
    except (KeyError, ValueError):
        return False
    if key_id(witness) != body.get("witness_key_id"):
        return False
    return signature_ok(witness, signature, cosign_message(body))


def _head_of(body: dict[str, Any]) -> HeadRow:
    fields = json.loads(body["head"])
    return head_from_json({**fields, "signature": body["head_signature"]})


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        raise WitnessError(f"{url}: cannot reach the mirror: {exc}") from exc
    if response.status_code != 200:
        raise WitnessError(f"{url}: the mirror answered {response.status_code}")
    return (
        response.json() if "json" in response.headers.get("content-type", "") else response.content
    )


async def check_head(
    client: httpx.AsyncClient, origin: str, previous: dict[str, Any] | None
) -> tuple[HeadRow, int | None]:
    """The mirror's current head, checked against its key and the last cosigned head."""
    pem = await _get_json(client, f"{origin}{WELL_KNOWN}/key")
    try:
        mirror_key = load_public_pem(bytes(pem))
        head = head_from_json(await _get_json(client, f"{origin}{WELL_KNOWN}/head"))
    except ValueError as exc:
        raise WitnessError(f"{origin}: the served key or head cannot be read: {exc}") from exc
    if not head_valid(mirror_key, head):
        raise WitnessError(
            f"{origin}: the head of {head.tree_size} captures is not signed by the mirror's key"
        )
    if previous is None:
        return head, None
    old = _head_of(previous)
    if old.key_id != head.key_id:
        raise WitnessError(
            f"{origin}: the mirror's key changed since the head of "
            f"{old.tree_size} captures was witnessed"
        )
    if head.tree_size < old.tree_size:
        raise WitnessError(
            f"{origin}: history rewritten: the head shrank from "
            f"{old.tree_size} to {head.tree_size} captures"
        )
    if head.tree_size == old.tree_size:
        if head.root_hash != old.root_hash:
            raise WitnessError(
                f"{origin}: history rewritten: a second head of {head.tree_size}"
                " captures with another root"
            )
        return head, old.tree_size
    url = f"{origin}{WELL_KNOWN}/consistency?from={old.tree_size}&to={head.tree_size}"
    try:
        answer = await client.get(url)
        proof = (
            [bytes.fromhex(p) for p in answer.json()["proof"]]
            if answer.status_code == 200
            else None
        )
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        proof = None
    if proof is None:
        raise WitnessError(
            f"{origin}: no consistency proof from {old.tree_size} to {head.tree_size} captures"
        )
    try:
        verify_consistency(old.tree_size, head.tree_size, old.root_hash, head.root_hash, proof)
    except ProofError:
        raise WitnessError(
            f"{origin}: history rewritten: the head of {head.tree_size} captures does not "
            f"extend the witnessed head of {old.tree_size} (a capture before "
            f"#{old.tree_size} was changed)"
        ) from None
    return head, old.tree_size
