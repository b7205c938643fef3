"""Build the parser's `MessageRow`s without the frozen dataclass's `__init__`.

A frozen dataclass sets each of its 25 fields through `object.__setattr__`, which made row
construction a fifth of the parse of a t.me/s page (bench/web_preview.py). Rows are built as a
plain (unfrozen) dataclass with the same fields in the same slots, which becomes a `MessageRow`
as soon as it is built (`__class__` assignment, allowed between classes of identical slot
layout): the result is an ordinary `MessageRow`, equal to one built by
`MessageRow(**fields, source="web")`, at a fraction of the cost. `post_row` takes a post's
fields by position into a draft that sets the other 12 itself: matching 13 keywords against
25 parameters cost as much as the rest, and passing 12 constants a fifth of a row.
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


class _PostDraft:
    """A post's row under construction: MessageRow's slots, set from the 13 fields a t.me/s
    post has (the other 12 are constants). Passing 13 arguments instead of 25 saved a fifth
    of a row's cost."""

    __slots__ = MessageRow.__slots__

    def __init__(
        self,
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
    ) -> None:
        self.channel_id = channel_id
        self.msg_id = msg_id
        self.date = date
        self.text = text
        self.edit_date = None
        self.entities = entities
        self.media_kind = media_kind
        self.media = media
        self.grouped_id = None
        self.reply_to_msg_id = reply_to_msg_id
        self.reply_to = {"msg_id": reply_to_msg_id} if reply_to_msg_id else None
        self.fwd_from = fwd_from
        self.views = views
        self.forwards = None
        self.replies = None
        self.reactions = None
        self.post_author = post_author
        self.from_id = None
        self.action = None
        self.thread_channel_id = None
        self.thread_msg_id = None
        self.raw = None
        self.files = files
        self.source = "web"
        self.extra = extra


def _check_post_draft() -> None:
    """A post's draft must set every slot, the constants to MessageRow's defaults."""
    probe: Any = _PostDraft(1, 2, 3, "", None, None, None, None, None, None, None, (), {})
    probe.__class__ = MessageRow
    try:
        same = probe == MessageRow(1, 2, 3, extra={}, source="web")
    except AttributeError:  # a slot left unset
        same = False
    if not same:
        raise TypeError("MessageRow's fields changed: update _PostDraft in parse_row.py")


_check_post_draft()


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
    row: Any = _PostDraft(
        channel_id,
        msg_id,
        date,
        text,
        entities,
        media_kind,
        media,
        reply_to_msg_id,
        fwd_from,
        views,
        post_author,
        files,
        extra,
    )
    row.__class__ = MessageRow
    return row  # type: ignore[no-any-return]
