"""Synthetic file content: bytes made from a seed on demand, so a world holds large files
without storing them.

The bytes of seed `s` are the AES-128-CTR keystream under a key derived from `s`, counter
starting at zero: incompressible like real media, the same in every process and on every
machine (AES is a standard, not a library's PRNG), and readable from any offset without
generating what comes before (the counter of byte `o` is `o // 16`). On this project's machine
it runs at about 5 GB/s, far above any simulated bandwidth; a file's sha256 costs one pass
(about 1.5 GB/s with SHA-NI).
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

GENERATOR = "aes128-ctr-v1"
"""Names the recipe above; stored with each synthetic file so a world file says how its bytes
are made."""

BLOCK = 16
CHUNK = 1 << 20
"""Bytes generated per call while a whole file is hashed."""


def _key(seed: int) -> bytes:
    return hashlib.sha256(b"tgmirror synthetic file %d" % seed).digest()[:16]


def read(seed: int, size: int, offset: int, length: int) -> bytes:
    """Up to `length` bytes from `offset` of the `size`-byte synthetic file of `seed` (fewer at
    its end, none past it)."""
    start = max(0, min(offset, size))
    end = min(size, start + max(0, length))
    if end <= start:
        return b""
    first_block, skip = divmod(start, BLOCK)
    cipher = Cipher(algorithms.AES(_key(seed)), modes.CTR(first_block.to_bytes(16, "big")))
    stream = cipher.encryptor().update(bytes(skip + end - start))
    return stream[skip:]


def sha256(seed: int, size: int) -> str:
    """Hex sha256 of the whole synthetic file, generated a chunk at a time."""
    digest = hashlib.sha256()
    encryptor = Cipher(algorithms.AES(_key(seed)), modes.CTR(bytes(16))).encryptor()
    zeros = bytes(CHUNK)
    for offset in range(0, size, CHUNK):
        length = min(CHUNK, size - offset)
        digest.update(encryptor.update(zeros if length == CHUNK else bytes(length)))
    return digest.hexdigest()
