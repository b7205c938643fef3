"""Desktop's media keys of a message, and the stored files an export copies beside it.

A photo is ``photo`` (+ size, ``width``, ``height``); every other file is ``file`` with
``media_type``, ``mime_type``, ``duration_seconds``, a ``thumbnail`` and so on; polls,
places and contacts have keys of their own. Files go in Desktop's folders (``photos/``,
``video_files/`` ...); a path an imported export gave is kept, and a file not exported is
Desktop's sentence in parentheses instead of a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archiver.exporters.tdesktop_fields import PRIVATE_PREFIX, safe_relative
from archiver.store.posts import Post

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"

MEDIA_TYPES = {
    "video": "video_file",
    "gif": "animation",
    "round": "video_message",
    "voice": "voice_message",
    "audio": "audio_file",
    "sticker": "sticker",
}
FOLDERS = {
    "photo": "photos",
    "video": "video_files",
    "gif": "video_files",
    "round": "round_video_messages",
    "voice": "voice_messages",
    "audio": "files",
    "sticker": "stickers",
    "document": "files",
}


@dataclass(frozen=True, slots=True)
class MediaCopy:
    """A stored file to copy into the export: from the store to ``target`` (relative)."""

    store_path: str
    target: str


def _folder(kind: str, media: dict[str, Any]) -> str:
    # Desktop's DocumentFolder tests the video attribute first: video stickers go with videos.
    if kind == "sticker" and media.get("format") == "webm":
        return "video_files"
    return FOLDERS.get(kind, "files")


def _file_target(post: Post, kind: str, ext: str) -> str:
    main = post.main_file
    name = (main.file_name if main and main.file_name else None) or f"{kind}_{post.msg_id}{ext}"
    safe = "".join(ch for ch in name if ch not in "/\\:\x00") or f"file_{post.msg_id}"
    return f"{_folder(kind, post.media or {})}/{post.msg_id}_{safe}"


def _original_paths(post: Post) -> dict[str, Any]:
    """The paths (or Desktop's sentence for a file left out) an imported export gave."""
    paths = (
        (post.extra or {}).get(PRIVATE_PREFIX + "paths") if isinstance(post.extra, dict) else None
    )
    return paths if isinstance(paths, dict) else {}


def _absent(original: Any) -> str:
    """Desktop's sentence for a file not in the export: the imported one, else ours."""
    return original if isinstance(original, str) and original.startswith("(") else NOT_INCLUDED


def _thumb_keys(post: Post, path: str, with_media: bool) -> tuple[dict[str, Any], list[MediaCopy]]:
    """Desktop's ``thumbnail``: the document's path + ``_thumb.jpg``, or why it is missing.

    Desktop writes the thumbnail of a document even when it leaves the document out (a video
    over the size limit still has its poster), so the two are independent here too.
    """
    thumb = post.thumb_file
    if thumb is None:
        return {}, []
    original = _original_paths(post).get("thumb")
    out: dict[str, Any] = {"thumbnail": _absent(original)}
    copies: list[MediaCopy] = []
    if with_media and thumb.status == "stored" and thumb.path:
        beside = (
            f"{path}_thumb.jpg"
            if path != NOT_INCLUDED and not path.startswith("(")
            else f"{_file_target(post, post.media_kind or 'document', '')}_thumb.jpg"
        )
        out["thumbnail"] = safe_relative(original) or beside
        copies.append(MediaCopy(thumb.path, out["thumbnail"]))
    if thumb.size is not None:
        out["thumbnail_file_size"] = thumb.size
    return out, copies


def _main_path(post: Post, with_media: bool, ext: str) -> tuple[str, list[MediaCopy]]:
    main, kind = post.main_file, post.media_kind or "document"
    original = _original_paths(post).get("main")
    if with_media and main is not None and main.status == "stored" and main.path:
        path = safe_relative(original) or _file_target(post, kind, ext)
        return path, [MediaCopy(main.path, path)]
    return _absent(original), []


def _shape_keys(post: Post, media: dict[str, Any]) -> dict[str, Any]:
    """``width`` and ``height`` (Desktop writes them only both known), ``media_spoiler``."""
    main = post.main_file
    out: dict[str, Any] = {}
    width = (main.width if main else None) or media.get("width")
    height = (main.height if main else None) or media.get("height")
    if width and height:
        out.update(width=width, height=height)
    if media.get("spoiler"):
        out["media_spoiler"] = True
    return out


def photo_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    """Desktop's pushPhoto: ``photo``, ``photo_file_size``, ``width`` and ``height``."""
    main, media = post.main_file, post.media if isinstance(post.media, dict) else {}
    path, copies = _main_path(post, with_media, ext)
    out: dict[str, Any] = {"photo": path}
    if main is not None and main.size is not None:
        out["photo_file_size"] = main.size
    out.update(_shape_keys(post, media))
    return out, copies


def _file_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    kind, media, main = post.media_kind or "document", post.media or {}, post.main_file
    if kind == "photo":
        return photo_keys(post, with_media, ext)
    path, copies = _main_path(post, with_media, ext)
    out: dict[str, Any] = {"file": path}
    if main is not None and main.file_name:
        out["file_name"] = main.file_name
    if main is not None and main.size is not None:
        out["file_size"] = main.size
    thumb_keys, thumb_copies = _thumb_keys(post, path, with_media)
    out.update(thumb_keys)
    copies.extend(thumb_copies)
    if kind in MEDIA_TYPES:
        out["media_type"] = MEDIA_TYPES[kind]
    if kind == "sticker" and media.get("emoji"):
        out["sticker_emoji"] = media["emoji"]
    if kind == "audio":
        out.update({k: media[k] for k in ("performer", "title") if media.get(k)})
    mime = (main.mime if main else None) or media.get("mime")
    if mime:
        out["mime_type"] = mime
    duration = (
        media.get("duration")
        if media.get("duration") is not None
        else (main.duration if main else None)
    )
    if duration:
        out["duration_seconds"] = int(duration)
    out.update(_shape_keys(post, media))
    return out, copies


def _other_keys(kind: str | None, media: dict[str, Any]) -> dict[str, Any]:
    if kind == "poll":
        votes = {r["option"]: r.get("voters", 0) for r in media.get("results") or []}
        # A formatted question or answer (newer Desktop writes text arrays) keeps its parts.
        return {
            "poll": {
                "question": media.get("question_parts", media.get("question", "")),
                "closed": bool(media.get("closed")),
                "total_voters": media.get("total_voters", 0),
                "answers": [
                    {
                        "text": a.get("text_parts", a.get("text", "")),
                        "voters": votes.get(a.get("option"), 0),
                        "chosen": bool(a.get("chosen")),
                    }
                    for a in media.get("answers", [])
                ],
            }
        }
    if kind in ("geo", "geolive", "venue"):
        place = {"latitude": media.get("lat"), "longitude": media.get("long")}
        out: dict[str, Any] = {"location_information": place}
        if kind == "venue":
            out["place_name"] = media.get("title", "")
            out["address"] = media.get("address", "")
        return out
    if kind == "contact":
        return {
            "contact_information": {
                "first_name": media.get("first_name") or "",
                "last_name": media.get("last_name") or "",
                "phone_number": media.get("phone") or "",
            }
        }
    return {}


def media_keys(post: Post, with_media: bool, ext: str) -> tuple[dict[str, Any], list[MediaCopy]]:
    """The media keys of a (non-service) message and the files they name."""
    if post.media_kind in FOLDERS:
        return _file_keys(post, with_media, ext)
    return _other_keys(post.media_kind, post.media or {}), []
