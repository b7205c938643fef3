"""Check the time-stamp tokens and witness cosignatures of an evidence bundle's head, offline.

A token must be a valid RFC 3161 time-stamp of ``head.msg`` by a TSA that chains to a trusted
root: the roots given on the command line (``--tsa-root``), else those in ``tsa-roots.pem``.
A bundled root must be in canonical PEM form, carry a valid self-signature when it is
self-issued, and be the root of at least one token, so that changing it fails the check. A
cosignature must be in the form ``bundle.cosignature_file`` writes, cosign this very head
(its signed message and signature), and carry a valid signature by the witness key it holds.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from rfc3161_client import decode_timestamp_response

from archiver.errors import EvidenceError
from archiver.evidence.bundle import cosignature_file, cosignature_name, token_name
from archiver.evidence.timestamps import token_problem
from archiver.evidence.witness import cosignature_valid

TOKEN = re.compile(r"timestamps/[1-9][0-9]*\.tsr")
COSIGNATURE = re.compile(r"cosignatures/[1-9][0-9]*\.json")
ROOTS = "tsa-roots.pem"


@dataclass
class Attestations:
    """What the tokens and cosignatures of a bundle say, and what is wrong with them."""

    timestamps: list[str] = field(default_factory=list)  # "genTime by TSA (root subject)"
    witnesses: list[str] = field(default_factory=list)  # witness key ids, in file order
    problems: list[str] = field(default_factory=list)


def _number(name: str) -> int:
    return int(name.rsplit("/", 1)[1].split(".", 1)[0])


def attestation_names(members: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """The token and cosignature files of a bundle, in number order."""
    tokens = sorted((n for n in members if TOKEN.fullmatch(n)), key=_number)
    cosigs = sorted((n for n in members if COSIGNATURE.fullmatch(n)), key=_number)
    return tokens, cosigs


def check_attestations(
    members: dict[str, bytes],
    message: bytes,
    signature: bytes,
    trusted: list[x509.Certificate] | None,
) -> Attestations:
    """Check the tokens and cosignatures of the head whose signed bytes are ``message`` and
    Ed25519 signature ``signature``; ``trusted`` overrides the bundled TSA roots."""
    found = Attestations()
    token_names, cosig_names = attestation_names(members)
    for names, name_of in ((token_names, token_name), (cosig_names, cosignature_name)):
        if names != [name_of(n) for n in range(len(names))]:
            found.problems.append(f"{', '.join(names)}: not numbered from 1 without gaps")
    bundled = _bundled_roots(members, [members[n] for n in token_names], message, found)
    roots = trusted if trusted is not None else bundled
    for name in token_names:
        problem = token_problem(members[name], message, roots)
        if problem is not None:
            found.problems.append(f"{name}: {problem}")
            continue
        info = decode_timestamp_response(members[name]).tst_info
        found.timestamps.append(f"{info.gen_time.isoformat()} (token serial {info.serial_number})")
    for name in cosig_names:
        kid, problem = _cosignature(members[name], message, signature)
        found.witnesses.append(kid)
        if problem is not None:
            found.problems.append(f"{name}: {problem}")
    return found


def _bundled_roots(
    members: dict[str, bytes], tokens: list[bytes], message: bytes, found: Attestations
) -> list[x509.Certificate]:
    data = members.get(ROOTS)
    if data is None:
        return []
    try:
        roots = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        found.problems.append(f"{ROOTS}: cannot be read ({exc})")
        return []
    if b"".join(r.public_bytes(serialization.Encoding.PEM) for r in roots) != data:
        found.problems.append(f"{ROOTS}: not in its canonical PEM form")
    for root in roots:
        subject = root.subject.rfc4514_string()
        if root.issuer == root.subject:
            try:
                root.verify_directly_issued_by(root)
            except (InvalidSignature, ValueError, TypeError):
                found.problems.append(f"{ROOTS}: the self-signature of {subject} does not verify")
        if not any(token_problem(t, message, [root]) is None for t in tokens):
            found.problems.append(f"{ROOTS}: no time-stamp token of the bundle chains to {subject}")
    return roots


def _cosignature(data: bytes, message: bytes, signature: bytes) -> tuple[str, str | None]:
    try:
        body: Any = json.loads(data)
    except ValueError:
        return "?", "not a cosignature (JSON)"
    if not isinstance(body, dict) or body.get("type") != "cosignature":
        return "?", "not a cosignature"
    kid = str(body.get("witness_key_id"))
    if cosignature_file(body) != data:
        return kid, "not in its canonical form"
    if body.get("head") != message.decode("utf-8") or body.get("head_signature") != (
        base64.b64encode(signature).decode("ascii")
    ):
        return kid, "it cosigns another head than head.msg and head.sig"
    try:
        valid = cosignature_valid(body)
    except EvidenceError as exc:
        return kid, f"its witness key cannot be read ({exc})"
    if not valid:
        return kid, "its signature does not verify with the witness key it holds"
    return kid, None
