"""The archive's public key as a reader of the data directory finds it (no key is made)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from archiver.evidence.keys import key_path, load_or_create_key


def existing_public_key(data_dir: Path) -> Ed25519PublicKey | None:
    """The public half of the data directory's archive key, or None when it has none yet."""
    if not key_path(data_dir).exists():
        return None
    return load_or_create_key(data_dir).public_key()
