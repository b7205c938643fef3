"""Check that a message read from an export holds the types the store and renderers expect.

Desktop's own keys are read with care, but our ``tgmirror`` key carries stored values as
they are, so a damaged or hand-made file could put a list where a number goes. Such a
message is refused with ``ImportFormatError`` naming it, never stored half-typed.
"""

from __future__ import annotations

from typing import Any

from archiver.errors import ImportFormatError
from archiver.rows import FileRow, MessageRow

_INTS = (
    "msg_id",
    "date",
    "edit_date",
    "grouped_id",
    "reply_to_msg_id",
    "views",
    "forwards",
    "replies",
    "from_id",
)
_STRS = ("text", "media_kind", "post_author")
_DICTS = ("media", "reply_to", "fwd_from", "action")
_LISTS_OF_DICTS = ("entities", "reactions")
_FILE_INTS = ("size", "width", "height")
_FILE_STRS = ("kind", "role", "file_name", "mime")


def _is_int(value: Any) -> bool:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < 1 << 63
    )


def _wrong(row: MessageRow) -> str | None:
    for name in _INTS:
        if not _is_int(getattr(row, name)):
            return f"{name} must be a number"
    for name in _STRS:
        if not isinstance(getattr(row, name), str | None):
            return f"{name} must be text"
    for name in _DICTS:
        if not isinstance(getattr(row, name), dict | None):
            return f"{name} must be an object"
    for name in _LISTS_OF_DICTS:
        value = getattr(row, name)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            return f"{name} must be a list of objects"
    return next((w for w in map(_wrong_file, row.files) if w), None)


def _wrong_file(file: FileRow) -> str | None:
    if any(not _is_int(getattr(file, name)) for name in _FILE_INTS):
        return "file sizes and dimensions must be numbers"
    if any(not isinstance(getattr(file, name), str | None) for name in _FILE_STRS):
        return "file kinds, names and types must be text"
    if not isinstance(file.duration, int | float | None) or isinstance(file.duration, bool):
        return "file durations must be numbers"
    return None


def check_row(row: MessageRow, revisions: Any, deleted: tuple[Any, Any], where: str) -> None:
    """Raise ``ImportFormatError`` if a value of an imported message has the wrong type."""
    problem = _wrong(row)
    if problem is None and not (
        isinstance(revisions, list) and all(isinstance(r, dict) for r in revisions)
    ):
        problem = "revisions must be a list of objects"
    if problem is None and not (_is_int(deleted[0]) and isinstance(deleted[1], str | None)):
        problem = "deleted_at must be a number and deleted_how text"
    if problem is not None:
        raise ImportFormatError(f"{where}: {problem}")
