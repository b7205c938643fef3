"""The archive's Ed25519 signing key: made on first use in the data directory, mode 600.

The key file is PKCS#8 PEM (``evidence-key.pem``), so that openssl reads it too. The key id
is the hex sha256 of the 32 raw public key bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from archiver.errors import EvidenceError

KEY_FILE = "evidence-key.pem"
PUBLIC_FILE = "evidence-key.pub.pem"


def key_path(data_dir: Path) -> Path:
    """Where the archive key of a data directory lives."""
    return data_dir / KEY_FILE


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """The archive key, created (0600, never overwritten) when the data directory has none."""
    path = key_path(data_dir)
    if not path.exists():
        new = Ed25519PrivateKey.generate()
        pem = new.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError as exc:
            raise EvidenceError(f"{path}: cannot create the archive key: {exc.strerror}") from exc
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise EvidenceError(
            f"{path}: cannot read the archive key ({exc}); restore it from a backup"
        ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise EvidenceError(f"{path}: not an Ed25519 key; restore the archive key from a backup")
    public = data_dir / PUBLIC_FILE
    if not public.exists():  # for readers (the mirror) that must not hold the private key
        try:
            public.write_bytes(public_pem(loaded.public_key()))
        except OSError as exc:
            raise EvidenceError(f"{public}: cannot write the public key: {exc.strerror}") from exc
    return loaded


def raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The SubjectPublicKeyInfo PEM of a public key (``openssl pkeyutl -pubin`` reads it)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(key: Ed25519PublicKey) -> str:
    """The key id: hex sha256 of the raw public key."""
    return hashlib.sha256(raw_public(key)).hexdigest()


def load_public_pem(pem: bytes) -> Ed25519PublicKey:
    """Read a public key from PEM; ``EvidenceError`` when it is not an Ed25519 key."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise EvidenceError(f"not a public key in PEM form: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise EvidenceError("the public key is not an Ed25519 key")
    return key


def signature_ok(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``key``'s Ed25519 signature of ``message``."""
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def copy_key_files(data_dir: Path, folder: Path) -> int:
    """Copy the archive key files into ``folder`` (mode 600); returns how many were copied."""
    copied = 0
    for name in (KEY_FILE, PUBLIC_FILE):
        source = data_dir / name
        if not source.exists():
            continue
        target = folder / name
        try:
            fd = os.open(target, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(source.read_bytes())
            os.chmod(target, 0o600)
        except OSError as exc:
            raise EvidenceError(f"{target}: cannot copy the archive key: {exc.strerror}") from exc
        copied += 1
    return copied
