"""The media block of a t.me/s post as `(media_kind, media JSON, file URLs)`.

Pure. Kinds and JSON keys are those of `archiver.telegram.convert_media`, restricted to what the
preview shows; the URLs are where t.me's CDN serves the files (documents and audio have none).
"""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborNode

MediaParts = tuple[str | None, dict[str, Any] | None, list[str]]
_BG = re.compile(r"background-image:url\('([^']*)'\)")
_WIDTH = re.compile(r"width:(\d+)px")
_PAD = re.compile(r"padding-top:([\d.]+)%")
_LATLONG = re.compile(r"[?&]q=(-?[\d.]+),(-?[\d.]+)")


def background_url(node: LexborNode | None) -> str | None:
    """The URL of an inline `background-image:url('…')` style."""
    if node is None:
        return None
    match = _BG.search(node.attributes.get("style") or "")
    return match.group(1) if match else None


def duration_seconds(text: str) -> float:
    """ "1:05" -> 65.0."""
    total = 0
    for part in text.strip().split(":"):
        total = total * 60 + int(part or 0)
    return float(total)


def _text(node: LexborNode, selector: str) -> str | None:
    found = node.css_first(selector)
    return found.text(deep=True) if found is not None else None


def photo(node: LexborNode) -> MediaParts:
    """A `tgme_widget_message_photo_wrap`: its width is shown, its height as a ratio."""
    style = node.attributes.get("style") or ""
    width = int(m.group(1)) if (m := _WIDTH.search(style)) else None
    inner = node.css_first(".tgme_widget_message_photo")
    pad = _PAD.search(inner.attributes.get("style") or "") if inner is not None else None
    height = round(width * float(pad.group(1)) / 100) if width and pad else None
    url = background_url(node)
    return "photo", {"width": width, "height": height}, [url] if url else []


def _video(node: LexborNode, kind: str) -> MediaParts:
    video = node.css_first("video")
    info: dict[str, Any] = {}
    if video is not None:
        for key in ("width", "height"):
            value = video.attributes.get(key)
            if value and value.isdigit():
                info[key] = int(value)
    shown = _text(node, "time")
    if shown:
        info["duration"] = duration_seconds(shown)
    url = video.attributes.get("src") if video is not None else None
    return kind, info, [url] if url else []


def _sticker(node: LexborNode) -> MediaParts:
    for selector, fmt in (
        (".tgme_widget_message_tgsticker", "tgs"),
        (".tgme_widget_message_videosticker", "webm"),
        (".tgme_widget_message_sticker", "static"),
    ):
        found = node.css_first(selector)
        if found is None:
            continue
        info = {"emoji": found.attributes.get("data-emoji"), "format": fmt}
        if fmt == "tgs":
            source = found.css_first("source")
            url = source.attributes.get("srcset") if source is not None else None
        elif fmt == "webm":
            video = found.css_first("video")
            url = video.attributes.get("src") if video is not None else None
        else:
            url = found.attributes.get("data-webp") or background_url(found)
        return "sticker", {k: v for k, v in info.items() if v}, [url] if url else []
    return "sticker", {}, []


def _document(node: LexborNode) -> MediaParts:
    title = _text(node, ".tgme_widget_message_document_title") or ""
    extra = _text(node, ".tgme_widget_message_document_extra") or ""
    if "audio" in (node.attributes.get("class") or ""):
        info = {"title": title or None, "performer": extra or None}
        return "audio", {k: v for k, v in info.items() if v}, []
    return "document", {"file_name": title, "size_shown": extra}, []


def _poll(node: LexborNode, voters_node: LexborNode | None) -> MediaParts:
    answers = [
        {"text": o.text(deep=True)} for o in node.css(".tgme_widget_message_poll_option_text")
    ]
    percents = [
        int(p.text(deep=True).strip().rstrip("%") or "0")
        for p in node.css(".tgme_widget_message_poll_option_percent")
    ]
    kind = _text(node, ".tgme_widget_message_poll_type") or ""
    info: dict[str, Any] = {
        "question": _text(node, ".tgme_widget_message_poll_question") or "",
        "answers": answers,
        "closed": kind == "Final results",
        "quiz": "quiz" in kind.lower(),
        "results": [{"percent": p} for p in percents],
    }
    voters = voters_node.text(deep=True) if voters_node is not None else None
    if voters:
        shown = voters.strip()  # "1.2K": a lower bound, like views
        scale = {"K": 1_000, "M": 1_000_000}.get(shown[-1:], 1)
        number = shown[:-1] if scale > 1 else shown
        info["total_voters"] = int(float(number or 0) * scale)
        info["results"].append({"voters_shown": shown})
    return "poll", info, []


def _location(node: LexborNode, venue: LexborNode | None) -> MediaParts:
    match = _LATLONG.search(node.attributes.get("href") or "")
    lat, long = (float(match.group(1)), float(match.group(2))) if match else (None, None)
    if venue is None:
        return "geo", {"lat": lat, "long": long}, []
    info = {
        "lat": lat,
        "long": long,
        "title": _text(venue, ".tgme_widget_message_venue_title"),
        "address": _text(venue, ".tgme_widget_message_venue_address"),
    }
    return "venue", info, []


def webpage(node: LexborNode) -> MediaParts:
    """A `tgme_widget_message_link_preview`."""
    info: dict[str, Any] = {"url": node.attributes.get("href")}
    for key, selector in (
        ("site_name", ".link_preview_site_name"),
        ("title", ".link_preview_title"),
        ("description", ".link_preview_description"),
    ):
        value = _text(node, selector)
        if value:
            info[key] = value
    url = background_url(node.css_first(".link_preview_image"))
    return "webpage", info, [url] if url else []


Index = dict[str, LexborNode]
INDEXED = (
    "tgme_widget_message_photo_wrap",
    "tgme_widget_message_roundvideo_player",
    "tgme_widget_message_video_player",
    "tgme_widget_message_voice_player",
    "tgme_widget_message_sticker_wrap",
    "tgme_widget_message_document_wrap",
    "tgme_widget_message_poll",
    "tgme_widget_message_location_wrap",
    "tgme_widget_message_link_preview",
    "tgme_widget_message_venue_wrap",
    "tgme_widget_message_voters",
)


def index(node: LexborNode, classes: tuple[str, ...]) -> Index:
    """The first descendant with each of `classes`, found in one traversal (one group
    selector) instead of one query per class: the parse's hot path."""
    out: Index = {}
    wanted = set(classes)
    for found in node.css(", ".join(f".{c}" for c in classes)):
        for cls in (found.attributes.get("class") or "").split():
            if cls in wanted and cls not in out:
                out[cls] = found
    return out


def media(bubble: LexborNode, idx: Index | None = None) -> MediaParts:
    """The single media block of a (non-album) post bubble (`idx`: its `index`, if made)."""
    got = (index(bubble, INDEXED) if idx is None else idx).get
    if (node := got("tgme_widget_message_photo_wrap")) is not None:
        return photo(node)
    if (node := got("tgme_widget_message_roundvideo_player")) is not None:
        return _video(node, "round")
    if (node := got("tgme_widget_message_video_player")) is not None:
        return _video(node, "gif" if "gif" in (node.attributes.get("class") or "") else "video")
    if (node := got("tgme_widget_message_voice_player")) is not None:
        _, info, _ = _video(node, "voice")
        audio = node.css_first("audio")
        url = audio.attributes.get("src") if audio is not None else None
        return "voice", info, [url] if url else []
    if (node := got("tgme_widget_message_sticker_wrap")) is not None:
        return _sticker(node)
    if (node := got("tgme_widget_message_document_wrap")) is not None:
        return _document(node)
    if (node := got("tgme_widget_message_poll")) is not None:
        return _poll(node, got("tgme_widget_message_voters"))
    if (node := got("tgme_widget_message_location_wrap")) is not None:
        return _location(node, got("tgme_widget_message_venue_wrap"))
    if (node := got("tgme_widget_message_link_preview")) is not None:
        return webpage(node)
    return None, None, []
