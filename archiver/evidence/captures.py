"""What a capture says: the JSON objects the log hashes, built from plain values (pure).

Four types, each with ``"v": 1``:

- ``post``: one version of a message as captured (text, entities, media kind, Telegram's
  ``date`` and ``edit_date``, ``captured_at``, ``source`` telegram|import and, for an import,
  ``export_sha256`` of the export file);
- ``media``: a file of a message stored (role main|thumb, content ``sha256``);
- ``deletion``: a message seen deleted (``deleted_at``, ``how``);
- ``event``: a channel event (``events`` row: renamed, erased, restored, ...).

``verify`` rebuilds these objects from the database rows with the same functions, so the
recomputation and the capture cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERSION = 1


@dataclass(frozen=True, slots=True)
class Capture:
    """One capture to append: its type, what it is about, and its JSON object."""

    type: str
    channel_id: int
    msg_id: int | None
    captured_at: int
    body: dict[str, Any]


def post_capture(
    *,
    channel_id: int,
    msg_id: int,
    date: int,
    edit_date: int | None,
    text: str,
    entities: Any,
    media_kind: str | None,
    captured_at: int,
    source: str,
    export_sha256: str | None = None,
) -> Capture:
    """A version of a post."""
    body: dict[str, Any] = {
        "v": VERSION,
        "type": "post",
        "channel_id": channel_id,
        "msg_id": msg_id,
        "date": date,
        "edit_date": edit_date,
        "text": text or "",
        "entities": entities or [],
        "media_kind": media_kind,
        "captured_at": captured_at,
        "source": source,
    }
    if export_sha256 is not None:
        body["export_sha256"] = export_sha256
    return Capture("post", channel_id, msg_id, captured_at, body)


def media_capture(
    *, channel_id: int, msg_id: int, role: str, sha256: str, captured_at: int
) -> Capture:
    """A file of a message stored, by content hash."""
    body = {
        "v": VERSION,
        "type": "media",
        "channel_id": channel_id,
        "msg_id": msg_id,
        "role": role,
        "sha256": sha256,
        "captured_at": captured_at,
    }
    return Capture("media", channel_id, msg_id, captured_at, body)


def deletion_capture(*, channel_id: int, msg_id: int, deleted_at: int, how: str) -> Capture:
    """A message seen deleted on Telegram (or marked deleted in an export)."""
    body = {
        "v": VERSION,
        "type": "deletion",
        "channel_id": channel_id,
        "msg_id": msg_id,
        "deleted_at": deleted_at,
        "how": how,
    }
    return Capture("deletion", channel_id, msg_id, deleted_at, body)


def event_capture(*, channel_id: int, event_id: int, kind: str, at: int, detail: Any) -> Capture:
    """A channel event (one ``events`` row)."""
    body = {
        "v": VERSION,
        "type": "event",
        "channel_id": channel_id,
        "event_id": event_id,
        "kind": kind,
        "at": at,
        "detail": detail,
    }
    return Capture("event", channel_id, None, at, body)
