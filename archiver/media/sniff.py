"""What bytes are: MIME types proven by a file's first bytes, and safe file extensions.

Telegram's declared type is trusted unless the bytes prove another of the same family; the
extension of a stored file comes from that type or from a safe suffix of the original name.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

_EXTRA_TYPES = {
    "application/x-tgsticker": ".tgs",
    "image/webp": ".webp",
    "video/webm": ".webm",
    "audio/ogg": ".ogg",
    "video/mp4": ".mp4",
    "image/jpeg": ".jpg",
    "audio/mpeg": ".mp3",
}


_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"OggS", "audio/ogg"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
    (b"ID3", "audio/mpeg"),
    (b"\x1f\x8b", "application/gzip"),
)


def sniff_mime(head: bytes) -> str | None:
    """The MIME type that a file's first bytes prove, or None."""
    for magic, mime in _MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def choose_mime(declared: str | None, sniffed: str | None) -> str:
    """Telegram's declared type, unless the bytes prove another type of the same family."""
    if sniffed and (not declared or declared == "application/octet-stream"):
        return sniffed
    if sniffed and declared and sniffed.split("/")[0] == declared.split("/")[0] == "image":
        return sniffed
    return declared or "application/octet-stream"


def extension_for(mime: str | None, file_name: str | None = None) -> str:
    """A short, safe file extension from a MIME type or a file name ('' if unknown)."""
    if mime in _EXTRA_TYPES:
        return _EXTRA_TYPES[mime]
    if file_name:
        suffix = Path(file_name).suffix.lower()
        if 1 < len(suffix) <= 8 and suffix[1:].isalnum():
            return suffix
    guessed = mimetypes.guess_extension(mime or "") or ""
    return guessed if guessed[1:].isalnum() else ""
