"""Pure conversion of a message's media to ``(media_kind, media JSON, files to download)``.

Shapes are documented in docs/message-json.md. File-backed kinds describe their files as
``FileRow``s (role ``main``; a document's thumbnail as role ``thumb`` when Telegram has one);
everything else lives in the JSON. An unknown media class gives kind ``unsupported``.
"""

from __future__ import annotations

from typing import Any

from telethon.tl import types

from archiver.rows import FileRow
from archiver.telegram.convert_text import peer_id, snake, text_with_entities

MediaParts = tuple[str | None, dict[str, Any] | None, tuple[FileRow, ...]]

_THUMB_TYPES = (types.PhotoSize, types.PhotoSizeProgressive, types.PhotoCachedSize)


def size_of(size: Any) -> int:
    """Bytes of a PhotoSize as Telegram declares them (the full size of a progressive one)."""
    if isinstance(size, types.PhotoSizeProgressive):
        return int(max(size.sizes or [0]))
    if isinstance(size, types.PhotoCachedSize):
        return len(size.bytes or b"")
    return int(getattr(size, "size", 0) or 0)


def largest_size(sizes: Any) -> Any:
    """The biggest downloadable size of a photo or thumbnail list (the one we archive)."""
    usable = [s for s in (sizes or []) if isinstance(s, _THUMB_TYPES)]
    return max(
        usable, key=lambda s: (getattr(s, "w", 0) * getattr(s, "h", 0), size_of(s)), default=None
    )


def photo_parts(photo: Any, spoiler: bool = False, role: str = "main") -> MediaParts:
    """A photo (also a web page's picture) and its file."""
    if not isinstance(photo, types.Photo):
        return "photo", {"unavailable": True}, ()
    best = largest_size(photo.sizes)
    width, height = getattr(best, "w", None), getattr(best, "h", None)
    info = {"width": width, "height": height, "spoiler": bool(spoiler)}
    file = FileRow(
        kind="photo",
        role=role,
        tg_file_id=photo.id,
        mime="image/jpeg",
        size=size_of(best) if best else None,
        width=width,
        height=height,
    )
    return "photo", info, (file,)


def _document_kind(doc: types.Document, media: Any) -> tuple[str, dict[str, Any]]:
    """The kind of a document from its attributes (sticker > gif > round/video > voice/audio)."""
    info: dict[str, Any] = {}
    kinds: set[str] = set()
    for attr in doc.attributes or []:
        if isinstance(attr, types.DocumentAttributeFilename):
            info["file_name"] = attr.file_name
        elif isinstance(attr, types.DocumentAttributeSticker):
            kinds.add("sticker")
            info["emoji"] = attr.alt
        elif isinstance(attr, types.DocumentAttributeAnimated):
            kinds.add("gif")
        elif isinstance(attr, types.DocumentAttributeVideo):
            kinds.add("round" if attr.round_message else "video")
            info.update(duration=attr.duration, width=attr.w, height=attr.h)
        elif isinstance(attr, types.DocumentAttributeAudio):
            kinds.add("voice" if attr.voice else "audio")
            info.update(duration=attr.duration, title=attr.title, performer=attr.performer)
        elif isinstance(attr, types.DocumentAttributeImageSize):
            info.setdefault("width", attr.w)
            info.setdefault("height", attr.h)
    order = ("sticker", "gif", "round", "video", "voice", "audio")
    kind = next((k for k in order if k in kinds), "document")
    if kind == "sticker":
        formats = {"application/x-tgsticker": "tgs", "video/webm": "webm"}
        info["format"] = formats.get(doc.mime_type, "static")
    if getattr(media, "spoiler", False):
        info["spoiler"] = True
    return kind, {k: v for k, v in info.items() if v is not None}


def document_parts(doc: Any, media: Any = None) -> MediaParts:
    """Any file but a photo: video, GIF, round video, voice, audio, sticker or document."""
    if not isinstance(doc, types.Document):
        return "document", {"unavailable": True}, ()
    kind, info = _document_kind(doc, media)
    info.update(mime=doc.mime_type, size=doc.size)
    main = FileRow(
        kind=kind,
        role="main",
        tg_file_id=doc.id,
        file_name=info.get("file_name"),
        mime=doc.mime_type,
        size=doc.size,
        width=info.get("width"),
        height=info.get("height"),
        duration=info.get("duration"),
    )
    files = [main]
    thumb = largest_size(doc.thumbs)
    if thumb is not None and (kind != "sticker" or info["format"] != "static"):
        files.append(
            FileRow(
                kind=kind,
                role="thumb",
                tg_file_id=doc.id,
                mime="image/jpeg",
                size=size_of(thumb),
                width=getattr(thumb, "w", None),
                height=getattr(thumb, "h", None),
            )
        )
    return kind, info, tuple(files)


def poll_parts(media: types.MessageMediaPoll) -> MediaParts:
    """A poll: question and answers are content; results (votes) are volatile."""
    poll = media.poll
    question, q_entities = text_with_entities(poll.question)
    answers = []
    for answer in poll.answers or []:
        text, entities = text_with_entities(answer.text)
        answers.append(
            {
                "text": text,
                "option": bytes(answer.option).hex(),
                **({"entities": entities} if entities else {}),
            }
        )
    info: dict[str, Any] = {
        "question": question,
        "answers": answers,
        "closed": bool(poll.closed),
        "quiz": bool(poll.quiz),
        "multiple_choice": bool(poll.multiple_choice),
        "public_voters": bool(poll.public_voters),
    }
    if q_entities:
        info["question_entities"] = q_entities
    results = media.results
    if results is not None:
        info["total_voters"] = results.total_voters
        info["results"] = [
            {
                "option": bytes(r.option).hex(),
                "voters": r.voters,
                **({"correct": True} if r.correct else {}),
            }
            for r in (results.results or [])
        ]
        if results.solution:
            info["solution"] = results.solution
    return "poll", info, ()


def _geo(point: Any) -> dict[str, Any]:
    if isinstance(point, types.GeoPoint):
        return {"lat": point.lat, "long": point.long, "accuracy": point.accuracy_radius}
    return {"lat": None, "long": None}


def webpage_parts(media: types.MessageMediaWebPage) -> MediaParts:
    """A link preview; its picture (if any) is downloaded as a photo."""
    page = media.webpage
    if not isinstance(page, types.WebPage):
        url = getattr(page, "url", None)
        return "webpage", {"url": url, "pending": True} if url else {"pending": True}, ()
    info = {
        key: getattr(page, key)
        for key in ("url", "display_url", "type", "site_name", "title", "description", "author")
        if getattr(page, key, None)
    }
    if isinstance(page.photo, types.Photo):
        _, photo_info, files = photo_parts(page.photo)
        shown = photo_info or {}
        info["photo"] = {"width": shown.get("width"), "height": shown.get("height")}
        return "webpage", info, files
    return "webpage", info, ()


def media_parts(media: Any) -> MediaParts:  # noqa: C901 - one branch per Telegram media class
    """Convert ``message.media``; None media gives ``(None, None, ())``."""
    if media is None or isinstance(media, types.MessageMediaEmpty):
        return None, None, ()
    if isinstance(media, types.MessageMediaPhoto):
        return photo_parts(media.photo, bool(media.spoiler))
    if isinstance(media, types.MessageMediaDocument):
        return document_parts(media.document, media)
    if isinstance(media, types.MessageMediaPoll):
        return poll_parts(media)
    if isinstance(media, types.MessageMediaGeoLive):
        info = {**_geo(media.geo), "period": media.period, "heading": media.heading}
        return "geolive", info, ()
    if isinstance(media, types.MessageMediaGeo):
        return "geo", _geo(media.geo), ()
    if isinstance(media, types.MessageMediaVenue):
        info = {
            **_geo(media.geo),
            "title": media.title,
            "address": media.address,
            "provider": media.provider,
            "venue_id": media.venue_id,
        }
        return "venue", info, ()
    if isinstance(media, types.MessageMediaContact):
        info = {
            "first_name": media.first_name,
            "last_name": media.last_name,
            "phone": media.phone_number,
            "vcard": media.vcard or None,
        }
        return "contact", info, ()
    if isinstance(media, types.MessageMediaWebPage):
        return webpage_parts(media)
    if isinstance(media, types.MessageMediaDice):
        return "dice", {"emoji": media.emoticon, "value": media.value}, ()
    if isinstance(media, types.MessageMediaGame):
        game = media.game
        info = {key: getattr(game, key, "") for key in ("title", "description", "short_name")}
        return "game", info, ()
    if isinstance(media, types.MessageMediaInvoice):
        info = {
            "title": media.title,
            "description": media.description,
            "currency": media.currency,
            "total_amount": media.total_amount,
        }
        return "invoice", info, ()
    if isinstance(media, types.MessageMediaStory):
        _, peer = peer_id(media.peer)
        return "story", {"story_id": media.id, "peer_id": peer}, ()
    name = type(media).__name__.removeprefix("MessageMedia")
    return "unsupported", {"type": snake(name) or "unknown"}, ()
