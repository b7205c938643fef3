"""The archive's public key as a reader of the data directory finds it (no key is made)."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from archiver.errors import EvidenceError
from archiver.evidence.keys import PUBLIC_FILE, key_path, load_or_create_key, load_public_pem


def existing_public_key(data_dir: Path) -> Ed25519PublicKey | None:
    """The data directory's archive public key, or None when no key was made yet."""
    public = data_dir / PUBLIC_FILE
    if public.exists():
        try:
            return load_public_pem(public.read_bytes())
        except (OSError, EvidenceError) as exc:
            raise EvidenceError(
                f"{public}: {exc}; delete it, the next sync writes it again"
            ) from exc
    if not key_path(data_dir).exists():
        return None
    return load_or_create_key(data_dir).public_key()
