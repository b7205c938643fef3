"""The former home of the media store, kept so older imports go on working.

New code imports from ``archiver.media``; here ``MediaStore`` is the local directory store.
"""

from __future__ import annotations

from archiver.media.local import LocalMediaStore
from archiver.media.local import LocalMediaStore as MediaStore
from archiver.media.local import LocalWriter as MediaWriter
from archiver.media.sniff import choose_mime, extension_for, sniff_mime
from archiver.media.store import StoredFile

__all__ = [
    "LocalMediaStore",
    "MediaStore",
    "MediaWriter",
    "StoredFile",
    "choose_mime",
    "extension_for",
    "sniff_mime",
]
