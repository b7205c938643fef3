"""Build the parser's `MessageRow`s without the frozen dataclass's `__init__`.

A frozen dataclass sets each of its 25 fields through `object.__setattr__`, which made row
construction a fifth of the parse of a t.me/s page (bench/web_preview.py). Rows are built as a
plain (unfrozen) dataclass with the same fields in the same slots, which becomes a `MessageRow`
as soon as it is built (`__class__` assignment, allowed between classes of identical slot
layout): the result is an ordinary `MessageRow`, equal to one built by
`MessageRow(**fields, source="web")`, at a fraction of the cost. `post_row` takes a post's
fields by position: matching 13 keywords against 25 parameters cost as much as the rest.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from archiver.rows import FileRow, MessageRow

_FIELDS = (
    "channel_id",
    "msg_id",
    "date",
    "text",
    "edit_date",
    "entities",
    "media_kind",
    "media",
    "grouped_id",
    "reply_to_msg_id",
    "reply_to",
    "fwd_from",
    "views",
    "forwards",
    "replies",
    "reactions",
    "post_author",
    "from_id",
    "action",
    "thread_channel_id",
    "thread_msg_id",
    "raw",
    "files",
    "source",
    "extra",
)
"""MessageRow's fields in order, as `post_row` passes them."""


def _draft_class() -> Any:
    """A dataclass with MessageRow's fields and slots, `source` defaulting to "web"."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for f in dataclasses.fields(MessageRow):
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"MessageRow.{f.name}: a default factory needs MessageRow()")
        default = "web" if f.name == "source" else f.default
        fields.append(
            (f.name, f.type) if default is dataclasses.MISSING else (f.name, f.type, default)
        )
    draft = dataclasses.make_dataclass("WebRow", fields, slots=True, eq=False)
    if (
        tuple(f[0] for f in fields) != _FIELDS
        or getattr(draft, "__slots__", ()) != MessageRow.__slots__
    ):
        raise TypeError("MessageRow's fields changed: update archiver/tme/parse_row.py")
    if hasattr(MessageRow, "__post_init__"):
        raise TypeError("MessageRow validates in __post_init__: build rows with MessageRow()")
    return draft


_Draft = _draft_class()


def web_row(**fields: Any) -> MessageRow:
    """A `MessageRow` with `source="web"` and `fields`; the rest at their defaults."""
    row = _Draft(**fields)
    row.__class__ = MessageRow
    return row  # type: ignore[no-any-return]


def post_row(
    channel_id: int,
    msg_id: int,
    date: int,
    text: str,
    entities: list[dict[str, Any]] | None,
    media_kind: str | None,
    media: dict[str, Any] | None,
    reply_to_msg_id: int | None,
    fwd_from: dict[str, Any] | None,
    views: int | None,
    post_author: str | None,
    files: tuple[FileRow, ...],
    extra: dict[str, Any],
) -> MessageRow:
    """A post's `MessageRow`, from the fields a t.me/s post has (`reply_to` follows from
    `reply_to_msg_id`)."""
    reply_to = {"msg_id": reply_to_msg_id} if reply_to_msg_id else None
    row = _Draft(
        channel_id,
        msg_id,
        date,
        text,
        None,
        entities,
        media_kind,
        media,
        None,
        reply_to_msg_id,
        reply_to,
        fwd_from,
        views,
        None,
        None,
        None,
        post_author,
        None,
        None,
        None,
        None,
        None,
        files,
        "web",
        extra,
    )
    row.__class__ = MessageRow
    return row  # type: ignore[no-any-return]
