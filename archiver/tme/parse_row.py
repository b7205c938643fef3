"""Build the parser's `MessageRow`s without the frozen dataclass's `__init__`.

A frozen dataclass sets each of its 25 fields through `object.__setattr__`, which made row
construction a fifth of the parse of a t.me/s page (bench/web_preview.py). `web_row` is a
plain (unfrozen) dataclass with the same fields in the same slots, whose instances become
`MessageRow`s as soon as they are built (`__class__` assignment, allowed between classes of
identical slot layout): the result is an ordinary `MessageRow`, equal to one built by
`MessageRow(**fields, source="web")`, at about a third of the cost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from archiver.rows import MessageRow


def _become_row(draft: Any) -> None:
    draft.__class__ = MessageRow


def _web_row_class() -> Callable[..., MessageRow]:
    """A dataclass with MessageRow's fields and slots, `source` defaulting to "web"."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for f in dataclasses.fields(MessageRow):
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"MessageRow.{f.name}: a default factory needs MessageRow()")
        default = "web" if f.name == "source" else f.default
        fields.append(
            (f.name, f.type) if default is dataclasses.MISSING else (f.name, f.type, default)
        )
    draft = dataclasses.make_dataclass(
        "WebRow", fields, slots=True, eq=False, namespace={"__post_init__": _become_row}
    )
    slots = getattr(draft, "__slots__", None)
    if slots != MessageRow.__slots__:  # pragma: no cover - a guard for later changes
        raise TypeError("WebRow and MessageRow differ in their slots")
    return draft


if hasattr(MessageRow, "__post_init__"):  # pragma: no cover - a guard for later changes
    raise TypeError("MessageRow validates in __post_init__: build rows with MessageRow()")

web_row = _web_row_class()
"""`web_row(channel_id=…, msg_id=…, date=…, **fields)`: a `MessageRow` with `source="web"`
and `fields`; the rest at their defaults."""
