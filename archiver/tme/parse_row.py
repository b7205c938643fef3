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


def _slots() -> tuple[dict[str, int], list[Any], list[Callable[[Any, Any], None]]]:
    """Each field's position, the default values in field order, and each slot's setter."""
    positions: dict[str, int] = {}
    defaults: list[Any] = []
    setters: list[Callable[[Any, Any], None]] = []
    for f in dataclasses.fields(MessageRow):
        if f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"MessageRow.{f.name}: a default factory needs MessageRow()")
        positions[f.name] = len(defaults)
        defaults.append(f.default)  # MISSING for the required fields
        setters.append(getattr(MessageRow, f.name).__set__)
    return positions, defaults, setters


if hasattr(MessageRow, "__post_init__"):  # pragma: no cover - a guard for later changes
    raise TypeError("MessageRow validates in __post_init__: build rows with MessageRow()")
_POSITIONS, _DEFAULTS, _SETTERS = _slots()
_DEFAULTS[_POSITIONS["source"]] = "web"
_new = object.__new__


def web_row(**fields: Any) -> MessageRow:
    """A `MessageRow` with `source="web"` and `fields`; the rest at their defaults."""
    values = _DEFAULTS.copy()
    for name, value in fields.items():
        values[_POSITIONS[name]] = value  # KeyError: not a MessageRow field
    row: MessageRow = _new(MessageRow)
    for set_slot, value in zip(_SETTERS, values, strict=True):
        if value is dataclasses.MISSING:
            raise TypeError("web_row() needs channel_id, msg_id and date")
        set_slot(row, value)
    return row
