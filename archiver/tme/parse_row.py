"""Build the parser's `MessageRow`s without the frozen dataclass's `__init__`.

A frozen dataclass sets each of its 25 fields through `object.__setattr__`, which made row
construction a fifth of the parse of a t.me/s page (bench/web_preview.py). `web_row` fills
the same slots directly: the result is an ordinary `MessageRow`, equal to one built by
`MessageRow(**fields, source="web")`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from archiver.rows import MessageRow


def _slots() -> tuple[tuple[str, Callable[[Any, Any], None], Any], ...]:
    out = []
    for f in dataclasses.fields(MessageRow):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"MessageRow.{f.name}: a default factory needs MessageRow()")
        else:
            default = dataclasses.MISSING
        out.append((f.name, getattr(MessageRow, f.name).__set__, default))
    return tuple(out)


if hasattr(MessageRow, "__post_init__"):  # pragma: no cover - a guard for later changes
    raise TypeError("MessageRow validates in __post_init__: build rows with MessageRow()")
_SLOTS = _slots()
_new = object.__new__


def web_row(**fields: Any) -> MessageRow:
    """A `MessageRow` with `source="web"` and `fields`; the rest at their defaults."""
    fields.setdefault("source", "web")
    row: MessageRow = _new(MessageRow)
    for name, set_slot, default in _SLOTS:
        value = fields.pop(name, default)
        if value is dataclasses.MISSING:
            raise TypeError(f"web_row() needs {name}")
        set_slot(row, value)
    if fields:
        raise TypeError(f"web_row() got unknown fields: {', '.join(fields)}")
    return row
