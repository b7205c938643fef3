"""Limits that keep importing a damaged or hostile export bounded in memory and disk.

A zip is judged by its central directory before anything is read from it: too many entries
(each costs memory to list), or contents that expand far beyond the zip's size (a zip bomb),
are refused. The JSON is read through ``BoundedReader``, which refuses a single JSON value or
message larger than any Telegram writes before the parser has to hold it in memory.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO

from archiver.errors import ImportFormatError

# A Telegram message is at most 4096 characters of text (plus as many entities), a few
# hundred KB of JSON with its tgmirror history; a value or message this big is not one.
MAX_JSON_BYTES = 8 << 20
# Listing a zip costs about 600 bytes of memory per entry; a Desktop export of a very large
# channel is imported from its unzipped folder instead.
MAX_ZIP_ENTRIES = 300_000
# Exports compress about 10:1 (JSON) down to 1:1 (photos, videos); past this ratio, and this
# size, a zip is a bomb.
MAX_ZIP_RATIO = 100
RATIO_CHECKED_ABOVE = 256 << 20
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


class JsonTooLarge(Exception):
    """Raised inside the JSON parser's read; ``iter_export`` names the message it was in."""


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MB"


def zip_entry_count(path: Path) -> int | None:
    """The entry count from a zip's end-of-central-directory record, read without listing it."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - (1 << 16) - 22))
        tail = handle.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) < at + 22:
            return None
        count = int(struct.unpack_from("<H", tail, at + 10)[0])
        if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != _ZIP64_LOCATOR:
            return count
        handle.seek(struct.unpack_from("<Q", tail, at - 12)[0])
        record = handle.read(56)
        if len(record) < 40 or not record.startswith(_ZIP64_EOCD):
            return None
        return int(struct.unpack_from("<Q", record, 32)[0])


def check_zip_listing(path: Path) -> None:
    """Refuse a zip with more entries than can be listed in bounded memory."""
    count = zip_entry_count(path)
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise ImportFormatError(
            f"{path}: this zip has {count:,} entries, more than the {MAX_ZIP_ENTRIES:,} "
            "tgmirror reads from a zip; unzip it and import the folder"
        )


def check_zip_sizes(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb: contents that expand far beyond the zip's own size."""
    expanded = sum(info.file_size for info in archive.infolist())
    on_disk = max(1, path.stat().st_size)
    if expanded > RATIO_CHECKED_ABOVE and expanded > MAX_ZIP_RATIO * on_disk:
        raise ImportFormatError(
            f"{path}: this zip of {_size(on_disk)} would expand to {_size(expanded)} "
            f"({expanded // on_disk:,} times its size), which no Telegram export does; "
            "it looks like a zip bomb and was not read"
        )
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise ImportFormatError(
            f"{path}: this zip is encrypted; unzip it with its password and import the folder"
        )


class BoundedReader:
    """A binary reader that refuses too much JSON without a parser event, or in one message.

    The import loop sets ``quiet_from`` at every parser event and ``message_from`` when a
    message starts (None between messages); ``read`` raises ``JsonTooLarge`` past the limit,
    so the parser never buffers a huge string, whitespace run or message. Errors of a damaged
    zip member become ``ImportFormatError``.
    """

    def __init__(self, raw: IO[bytes], where: str) -> None:
        self.raw = raw
        self.where = where
        self.position = 0
        self.quiet_from = 0
        self.message_from: int | None = None

    def read(self, size: int = -1) -> bytes:
        if self.position - self.quiet_from > MAX_JSON_BYTES or (
            self.message_from is not None and self.position - self.message_from > MAX_JSON_BYTES
        ):
            raise JsonTooLarge
        data = read_member(self.raw, size, self.where)
        self.position += len(data)
        return data


def read_member(raw: IO[bytes], size: int, where: str) -> bytes:
    """``raw.read(size)``, with a damaged or unreadable zip member as one clear error."""
    try:
        return raw.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ImportFormatError(f"{where}: the zip is damaged or unreadable ({exc})") from exc


class MemberReader:
    """A file of the export, read with damaged zip members reported as ``ImportFormatError``."""

    def __init__(self, raw: IO[bytes], where: str) -> None:
        self.raw = raw
        self.where = where

    def read(self, size: int = -1) -> bytes:
        return read_member(self.raw, size, self.where)

    def __enter__(self) -> MemberReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()
