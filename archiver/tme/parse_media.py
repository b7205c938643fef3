"""The media block of a t.me/s post as `(media_kind, media JSON, file URLs)`.

Pure. Kinds and JSON keys are those of `archiver.telegram.convert_media`, restricted to what the
preview shows; the URLs are where t.me's CDN serves the files (documents and audio have none).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from selectolax.lexbor import LexborNode

from .parse_index import Index, attr, child_tag, first_class

MediaParts = tuple[str | None, dict[str, Any] | None, list[str]]
_BG = re.compile(r"background-image:url\('([^']*)'\)")
_WIDTH = re.compile(r"width:(\d+)px")
_PAD = re.compile(r"padding-top:([\d.]+)%")
_LATLONG = re.compile(r"[?&]q=(-?[\d.]+),(-?[\d.]+)")
_ROUND_TIME = "tgme_widget_message_roundvideo_duration"


def background_url(node: LexborNode | None) -> str | None:
    """The URL of an inline `background-image:url('…')` style."""
    return _background(attr(node, "style") or "") if node is not None else None


def _background(style: str) -> str | None:
    match = _BG.search(style)
    return match.group(1) if match else None


def duration_seconds(text: str) -> float:
    """ "1:05" -> 65.0."""
    total = 0
    for part in text.strip().split(":"):
        total = total * 60 + int(part or 0)
    return float(total)


def _text(idx: Index, cls: str) -> str | None:
    found = idx.get(cls)
    return found.text(deep=True) if found is not None else None


def _src(node: LexborNode | None, name: str = "src") -> list[str]:
    url = attr(node, name) if node is not None else None
    return [url] if url else []


def photo(node: LexborNode, idx: Index) -> MediaParts:
    """A `tgme_widget_message_photo_wrap`: its width is shown, its height as a ratio."""
    style = attr(node, "style") or ""
    width = int(m.group(1)) if (m := _WIDTH.search(style)) else None
    inner = idx.get("tgme_widget_message_photo")
    pad = _PAD.search(attr(inner, "style") or "") if inner is not None else None
    height = round(width * float(pad.group(1)) / 100) if width and pad else None
    url = _background(style)
    return "photo", {"width": width, "height": height}, [url] if url else []


def _part(node: LexborNode, idx: Index, cls: str, tag: str) -> LexborNode | None:
    """The `tag` element of a media block: by the class t.me gives it, else by a query."""
    found = idx.get(cls)
    return found if found is not None else node.css_first(tag)


def _video(node: LexborNode, idx: Index, kind: str, video: str, duration: str) -> MediaParts:
    """A video, round video or voice player; `video` and `duration` are its parts' classes."""
    player = None if kind == "voice" else _part(node, idx, video, "video")
    info: dict[str, Any] = {}
    if player is not None:
        for key in ("width", "height"):
            value = attr(player, key)
            if value and value.isdigit():
                info[key] = int(value)
    shown_node = _part(node, idx, duration, "time")
    shown = shown_node.text(deep=True) if shown_node is not None else None
    if shown:
        info["duration"] = duration_seconds(shown)
    return kind, info, _src(player)


def _sticker(idx: Index) -> MediaParts:
    for cls, fmt in (
        ("tgme_widget_message_tgsticker", "tgs"),
        ("tgme_widget_message_videosticker", "webm"),
        ("tgme_widget_message_sticker", "static"),
    ):
        found = idx.get(cls)
        if found is None:
            continue
        info = {"emoji": attr(found, "data-emoji"), "format": fmt}
        if fmt == "tgs":
            urls = _src(child_tag(child_tag(found, "picture"), "source"), "srcset")
        elif fmt == "webm":
            urls = _src(child_tag(found, "video"))
        else:
            url = attr(found, "data-webp") or background_url(found)
            urls = [url] if url else []
        return "sticker", {k: v for k, v in info.items() if v}, urls
    return "sticker", {}, []


def _document(node: LexborNode, idx: Index) -> MediaParts:
    title = _text(idx, "tgme_widget_message_document_title") or ""
    extra = _text(idx, "tgme_widget_message_document_extra") or ""
    if "audio" in (attr(node, "class") or ""):
        info = {"title": title or None, "performer": extra or None}
        return "audio", {k: v for k, v in info.items() if v}, []
    return "document", {"file_name": title, "size_shown": extra}, []


def _poll(node: LexborNode, idx: Index) -> MediaParts:
    answers = [
        {"text": o.text(deep=True)} for o in node.css(".tgme_widget_message_poll_option_text")
    ]
    percents = [
        int(p.text(deep=True).strip().rstrip("%") or "0")
        for p in node.css(".tgme_widget_message_poll_option_percent")
    ]
    kind = _text(idx, "tgme_widget_message_poll_type") or ""
    info: dict[str, Any] = {
        "question": _text(idx, "tgme_widget_message_poll_question") or "",
        "answers": answers,
        "closed": kind == "Final results",
        "quiz": "quiz" in kind.lower(),
        "results": [{"percent": p} for p in percents],
    }
    voters = _text(idx, "tgme_widget_message_voters")
    if voters:
        shown = voters.strip()  # "1.2K": a lower bound, like views
        scale = {"K": 1_000, "M": 1_000_000}.get(shown[-1:], 1)
        number = shown[:-1] if scale > 1 else shown
        info["total_voters"] = int(float(number or 0) * scale)
        info["results"].append({"voters_shown": shown})
    return "poll", info, []


def _location(node: LexborNode, idx: Index) -> MediaParts:
    match = _LATLONG.search(attr(node, "href") or "")
    lat, long = (float(match.group(1)), float(match.group(2))) if match else (None, None)
    if "tgme_widget_message_venue_wrap" not in idx:
        return "geo", {"lat": lat, "long": long}, []
    info = {
        "lat": lat,
        "long": long,
        "title": _text(idx, "tgme_widget_message_venue_title"),
        "address": _text(idx, "tgme_widget_message_venue_address"),
    }
    return "venue", info, []


def _contact(node: LexborNode, idx: Index) -> MediaParts:
    """A shared contact: t.me shows the name as one line (kept as `first_name`) and the
    phone number."""
    info = {
        "first_name": (_text(idx, "tgme_widget_message_contact_name") or "").strip(),
        "phone": (_text(idx, "tgme_widget_message_contact_phone") or "").strip(),
    }
    return "contact", info, []


def webpage(node: LexborNode, idx: Index) -> MediaParts:
    """A `tgme_widget_message_link_preview`."""
    info: dict[str, Any] = {"url": attr(node, "href")}
    for key, cls in (
        ("site_name", "link_preview_site_name"),
        ("title", "link_preview_title"),
        ("description", "link_preview_description"),
    ):
        value = _text(idx, cls)
        if value:
            info[key] = value
    url = background_url(idx.get("link_preview_image"))
    return "webpage", info, [url] if url else []


def _round(node: LexborNode, idx: Index) -> MediaParts:
    return _video(node, idx, "round", "tgme_widget_message_roundvideo", _ROUND_TIME)


def _player(node: LexborNode, idx: Index) -> MediaParts:
    kind = "gif" if "gif" in (attr(node, "class") or "") else "video"
    return _video(node, idx, kind, "tgme_widget_message_video", "message_video_duration")


def _voice(node: LexborNode, idx: Index) -> MediaParts:
    _, info, _ = _video(node, idx, "voice", "", "tgme_widget_message_voice_duration")
    return "voice", info, _src(_part(node, idx, "tgme_widget_message_voice", "audio"))


_KINDS: dict[str, Callable[[LexborNode, Index], MediaParts]] = {
    "tgme_widget_message_photo_wrap": photo,
    "tgme_widget_message_roundvideo_player": _round,
    "tgme_widget_message_video_player": _player,
    "tgme_widget_message_voice_player": _voice,
    "tgme_widget_message_sticker_wrap": lambda node, idx: _sticker(idx),
    "tgme_widget_message_document_wrap": _document,
    "tgme_widget_message_poll": _poll,
    "tgme_widget_message_location_wrap": _location,
    "tgme_widget_message_link_preview": webpage,
    "tgme_widget_message_contact_wrap": _contact,
}


def media(idx: Index) -> MediaParts:
    """The single media block of a post (or album item), from its `Index`: the first node
    with a media class (`parse_index.MEDIA`) says which kind it is."""
    node = idx.get("media")
    if node is None:
        return None, None, []
    kind = _KINDS.get(first_class(node))
    return kind(node, idx) if kind is not None else (None, None, [])
