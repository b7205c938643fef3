"""Our media kind, media details and file rows from Desktop's media keys of a message.

The inverse of ``archiver.exporters.tdesktop_media``: ``photo``, or ``file`` with its
``media_type``, ``poll``, ``location_information`` and ``contact_information``. When the
``tgmirror`` key is present (our own exports) its exact values win. A path Desktop did not
export is a sentence in parentheses, which ``is_placeholder`` recognises.
"""

from __future__ import annotations

from typing import Any

from archiver.exporters.tdesktop_media import MEDIA_TYPES
from archiver.importers.tdesktop_fields import read_int
from archiver.importers.tdesktop_text import plain_text
from archiver.rows import FileRow

_KIND_OF_MEDIA_TYPE = {v: k for k, v in MEDIA_TYPES.items()}


def is_placeholder(path: Any) -> bool:
    """Desktop writes a sentence in parentheses instead of a path for files not exported."""
    return not isinstance(path, str) or not path or path.startswith("(")


def _poll_answer(answer: dict[str, Any], index: int, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"text": plain_text(answer.get("text"), where), "option": f"{index:02x}"}
    if isinstance(answer.get("text"), list):
        out["text_parts"] = answer["text"]
    if answer.get("chosen") is True:
        out["chosen"] = True
    return out


def read_media(
    msg: dict[str, Any], where: str
) -> tuple[str | None, Any, tuple[FileRow, ...], str | None]:
    """The media kind, its details, its file rows and the main file's path in the export
    (None when Desktop did not export the file)."""
    ours: dict[str, Any] = msg["tgmirror"] if isinstance(msg.get("tgmirror"), dict) else {}
    kind: str | None = None
    info: dict[str, Any] | None = {}
    source = None
    if "photo" in msg:
        kind, source = "photo", msg["photo"]
        info = {
            "width": msg.get("width"),
            "height": msg.get("height"),
            "spoiler": msg.get("media_spoiler") is True,
        }
    elif "file" in msg:
        kind = _KIND_OF_MEDIA_TYPE.get(str(msg.get("media_type")), "document")
        source = msg["file"]
        info = {
            k: v
            for k, v in {
                "mime": msg.get("mime_type"),
                "size": msg.get("file_size"),
                "file_name": msg.get("file_name"),
                "duration": msg.get("duration_seconds"),
                "width": msg.get("width"),
                "height": msg.get("height"),
                "emoji": msg.get("sticker_emoji"),
                "title": msg.get("title"),
                "performer": msg.get("performer"),
                "spoiler": msg.get("media_spoiler") or None,
            }.items()
            if v is not None
        }
    elif isinstance(msg.get("poll"), dict):
        poll = msg["poll"]
        answers = poll.get("answers") or []
        kind = "poll"
        info = {
            "question": plain_text(poll.get("question"), where),
            "closed": bool(poll.get("closed")),
            "total_voters": poll.get("total_voters", 0),
            "answers": [_poll_answer(a, i, where) for i, a in enumerate(answers)],
            "results": [
                {"option": f"{i:02x}", "voters": a.get("voters", 0)} for i, a in enumerate(answers)
            ],
        }
        if isinstance(poll.get("question"), list):  # formatted: the parts, to write back
            info["question_parts"] = poll["question"]
    elif isinstance(msg.get("location_information"), dict):
        loc = msg["location_information"]
        kind = "venue" if "place_name" in msg else "geo"
        info = {"lat": loc.get("latitude"), "long": loc.get("longitude")}
        if kind == "venue":
            info.update(title=msg.get("place_name", ""), address=msg.get("address", ""))
    elif isinstance(msg.get("contact_information"), dict):
        c = msg["contact_information"]
        kind = "contact"
        info = {
            "first_name": c.get("first_name"),
            "last_name": c.get("last_name"),
            "phone": c.get("phone_number"),
        }
    if ours.get("media_kind") is not None or "media" in ours:
        kind, info = ours.get("media_kind"), ours.get("media") or {}
    files: tuple[FileRow, ...] = ()
    if ours.get("files"):
        files = tuple(
            FileRow(
                **{
                    k: f.get(k)
                    for k in (  # type: ignore[arg-type]
                        "role",
                        "kind",
                        "mime",
                        "size",
                        "file_name",
                        "width",
                        "height",
                        "duration",
                    )
                }
            )
            for f in ours["files"]
            if isinstance(f, dict)
        )
    elif kind in ("photo", "video", "gif", "round", "voice", "audio", "sticker", "document"):
        files = (
            FileRow(
                kind=kind,
                mime=msg.get("mime_type") or ("image/jpeg" if kind == "photo" else None),
                size=read_int(
                    msg.get("file_size") or msg.get("photo_file_size"), where, "file_size"
                ),
                file_name=msg.get("file_name"),
                width=msg.get("width"),
                height=msg.get("height"),
                duration=msg.get("duration_seconds"),
            ),
        )
    if "thumbnail" in msg and not ours.get("files") and len(files) == 1:
        size = read_int(msg.get("thumbnail_file_size"), where, "thumbnail_file_size")
        files += (FileRow(kind="photo", role="thumb", mime="image/jpeg", size=size),)
    return kind, info or None, files, None if is_placeholder(source) else source
