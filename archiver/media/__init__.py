"""Media files by content: the store interface, its two backends, and what bytes are.

``open_media_store(config)`` gives the store the config names: ``LocalMediaStore`` (a
directory, the default) or ``S3MediaStore`` (an S3-compatible bucket). Callers use the
``MediaStore`` protocol; only the web app looks at which one it has, to choose how to serve.
"""

from __future__ import annotations

from archiver.config import Config, aws_credentials
from archiver.media.local import LocalMediaStore
from archiver.media.s3 import S3MediaStore
from archiver.media.sniff import choose_mime, extension_for, sniff_mime
from archiver.media.store import MediaStore, MediaWriter, StoredFile, StoredObject, sha256_of

__all__ = [
    "LocalMediaStore",
    "MediaStore",
    "MediaWriter",
    "S3MediaStore",
    "StoredFile",
    "StoredObject",
    "choose_mime",
    "extension_for",
    "open_media_store",
    "sha256_of",
    "sniff_mime",
]


def open_media_store(config: Config) -> MediaStore:
    """The store ``[storage]`` names; no I/O yet, but a missing S3 credential or client
    library is reported here, before any work starts."""
    if config.storage.media_backend == "s3":
        spool = config.storage.data_dir / "spool"
        return S3MediaStore(config.storage.s3, aws_credentials(), spool)
    return LocalMediaStore(config.media_dir)
