"""Pure: where a message's file is on Telegram — location, datacenter and size in bytes.

The file chosen is the one `convert_media` recorded: a photo's largest size, a document itself
(role ``main``) or its largest thumbnail (role ``thumb``). A thumbnail Telegram sends inline
(PhotoCachedSize) needs no download: its bytes come with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telethon.tl import types

from archiver.telegram.convert_media import largest_size, size_of


@dataclass(frozen=True, slots=True)
class FileSource:
    """A file to download: ``location`` for upload.getFile on DC ``dc_id``, ``size`` bytes
    (None when Telegram did not say), or its ``inline`` bytes."""

    file_id: int
    location: Any
    dc_id: int
    size: int | None
    inline: bytes | None = None


def file_source(message: Any, role: str) -> FileSource | None:
    """The file of ``message`` with ``role`` (main | thumb), or None if it has none now."""
    media = getattr(message, "media", None)
    if isinstance(media, types.MessageMediaDocument):
        return _document_source(media.document, role)
    photo = None
    if isinstance(media, types.MessageMediaPhoto):
        photo = media.photo
    elif isinstance(media, types.MessageMediaWebPage):
        photo = getattr(media.webpage, "photo", None)
    if role == "main" and isinstance(photo, types.Photo):
        return _sized(photo, photo.sizes, types.InputPhotoFileLocation)
    return None


def _document_source(doc: Any, role: str) -> FileSource | None:
    if not isinstance(doc, types.Document):
        return None
    if role == "thumb":
        return _sized(doc, doc.thumbs, types.InputDocumentFileLocation)
    location = types.InputDocumentFileLocation(doc.id, doc.access_hash, doc.file_reference, "")
    return FileSource(doc.id, location, doc.dc_id, doc.size or None)


def _sized(owner: Any, sizes: Any, location_class: Any) -> FileSource | None:
    """The largest of ``sizes`` of a photo or document, as a source."""
    best = largest_size(sizes)
    if best is None:
        return None
    location = location_class(owner.id, owner.access_hash, owner.file_reference, best.type)
    inline = bytes(best.bytes) if isinstance(best, types.PhotoCachedSize) else None
    return FileSource(owner.id, location, owner.dc_id, size_of(best) or None, inline)
