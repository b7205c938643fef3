"""``tgmirror verify-bundle``: check an evidence bundle offline, without the archive.

The checks: the head's Ed25519 signature with the bundled key; each capture's bytes are
canonical JSON of a capture of the bundle's post at the position its name says, and its
inclusion proof leads to the signed root; each media file hashes to its name and is named by
a capture; the head's time-stamp tokens and witness cosignatures verify
(``bundle_attestations``); the rebuilt files equal theirs; and the zip holds nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from archiver.errors import EvidenceError
from archiver.evidence.bundle import post_document, readme, seq_name
from archiver.evidence.bundle_attestations import ROOTS, attestation_names, check_attestations
from archiver.evidence.canonical import canonical_json, leaf_hash
from archiver.evidence.heads import head_from_json, head_json, head_valid
from archiver.evidence.keys import key_id, load_public_pem
from archiver.evidence.merkle import ProofError, root_from_inclusion

FIXED = ("README.txt", "post.json", "head.json", "head.msg", "head.sig", "key.pem")


@dataclass
class BundleReport:
    """What ``check_bundle`` found; ``problems`` empty means the bundle verifies."""

    channel_id: int | None = None
    msg_id: int | None = None
    captures: int = 0
    files: int = 0
    key_id: str = ""
    tree_size: int = 0
    timestamps: list[str] = field(default_factory=list)
    witnesses: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_bundle(path: Path, tsa_roots: list[x509.Certificate] | None = None) -> BundleReport:
    """Check the bundle at ``path``; ``EvidenceError`` if it is not a readable zip.
    ``tsa_roots``, when given, are the TSA roots trusted instead of the bundled ones."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    except (OSError, zipfile.BadZipFile) as exc:
        raise EvidenceError(f"{path}: not a readable evidence bundle (zip): {exc}") from exc
    report = BundleReport()
    missing = [n for n in FIXED if n not in members]
    if missing:
        report.problems.append(f"missing files: {', '.join(missing)}")
        return report
    try:
        head_data = json.loads(members["head.json"])
        head = head_from_json(head_data)
        key = load_public_pem(members["key.pem"])
    except (ValueError, EvidenceError, binascii.Error) as exc:
        report.problems.append(f"head.json or key.pem cannot be read: {exc}")
        return report
    report.key_id, report.tree_size = key_id(key), head.tree_size
    if not head_valid(key, head):
        report.problems.append("head.json: the signature does not verify with key.pem")
    rebuilt = head_json(head)
    if members["head.json"] != (json.dumps(rebuilt, indent=2, sort_keys=True) + "\n").encode():
        report.problems.append("head.json is not in its canonical form")
    if members["head.msg"] != rebuilt["signed"].encode():
        report.problems.append("head.msg is not the message head.json signs")
    if members["head.sig"] != base64.b64decode(rebuilt["signature"]):
        report.problems.append("head.sig is not the signature in head.json")
    attested = check_attestations(members, members["head.msg"], members["head.sig"], tsa_roots)
    report.timestamps, report.witnesses = attested.timestamps, attested.witnesses
    report.problems.extend(attested.problems)
    bodies = _check_captures(members, head.root_hash, head.tree_size, report)
    _check_media(members, bodies, report)
    if bodies:
        first = bodies[0]
        report.channel_id, report.msg_id = first["channel_id"], first["msg_id"]
        if members["post.json"] != post_document(rebuilt, bodies):
            report.problems.append("post.json differs from the captures it lists")
        seqs = [b["seq"] for b in bodies]
        tokens, _ = attestation_names(members)
        expected = readme(
            rebuilt, first["channel_id"], first["msg_id"], seqs, len(tokens), attested.witnesses
        )
        if members["README.txt"] != expected:
            report.problems.append("README.txt was changed")
    else:
        report.problems.append("the bundle holds no captures")
    return report


def _check_captures(
    members: dict[str, bytes], root: bytes, size: int, report: BundleReport
) -> list[dict[str, Any]]:
    names = sorted(n for n in members if n.startswith("captures/"))
    bodies: list[dict[str, Any]] = []
    for name in names:
        leaf = members[name]
        try:
            body = json.loads(leaf)
            seq = int(body["seq"])
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"{name}: not a capture")
            continue
        if name != f"captures/{seq_name(seq)}.json" or canonical_json(body) != leaf:
            report.problems.append(f"{name}: not the canonical capture its name says")
            continue
        if bodies and (body["channel_id"], body["msg_id"]) != (
            bodies[0]["channel_id"],
            bodies[0]["msg_id"],
        ):
            report.problems.append(f"{name}: a capture of another post")
        problem = _check_proof(members.get(f"proofs/{seq_name(seq)}.json"), seq, leaf, root, size)
        if problem:
            report.problems.append(f"capture #{seq}: {problem}")
        bodies.append(body)
    report.captures = len(bodies)
    proofs = {n for n in members if n.startswith("proofs/")}
    expected = {f"proofs/{seq_name(b['seq'])}.json" for b in bodies}
    for extra in sorted(proofs - expected):
        report.problems.append(f"{extra}: a proof of no capture in the bundle")
    return bodies


def _check_proof(data: bytes | None, seq: int, leaf: bytes, root: bytes, size: int) -> str:
    if data is None:
        return "its inclusion proof is missing"
    try:
        proof = json.loads(data)
        path = [bytes.fromhex(p) for p in proof["proof"]]
        claimed = bytes.fromhex(proof["leaf_hash"])
        if (proof["seq"], proof["tree_size"]) != (seq, size):
            return "its inclusion proof is for another position or tree"
        if data != (json.dumps(proof, indent=2) + "\n").encode():
            return "its inclusion proof is not in its canonical form"
        if claimed != leaf_hash(leaf):
            return "its inclusion proof names another leaf hash"
        if root_from_inclusion(seq, size, claimed, path) != root:
            return "its inclusion proof does not lead to the signed root"
    except (ValueError, KeyError, TypeError, ProofError) as exc:
        return f"its inclusion proof cannot be read: {exc}"
    return ""


def _check_media(
    members: dict[str, bytes], bodies: list[dict[str, Any]], report: BundleReport
) -> None:
    named = {b["sha256"] for b in bodies if b.get("type") == "media"}
    for sha in sorted(named):
        if f"media/{sha}" not in members:
            report.problems.append(f"media/{sha}: a capture names this file but it is missing")
    known = set(FIXED) | {ROOTS}
    tokens, cosignatures = attestation_names(members)
    known.update(tokens, cosignatures)
    for name, data in members.items():
        if name.startswith("media/"):
            sha = name.removeprefix("media/")
            if hashlib.sha256(data).hexdigest() != sha:
                report.problems.append(f"{name}: its bytes do not hash to its name")
            elif sha not in named:
                report.problems.append(f"{name}: no capture of the bundle names this file")
            report.files += 1
        elif name not in known and not name.startswith(("captures/", "proofs/")):
            report.problems.append(f"{name}: not part of an evidence bundle")
