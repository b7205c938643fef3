"""Text as both databases can hold it: NUL (U+0000) becomes U+FFFD before a row is written.

PostgreSQL's text cannot store NUL at all (and its JSON functions refuse ``\\u0000``), SQLite's
can, and Telegram lets NUL through in posts, titles, file names and URLs. The store replaces it
on both backends, so that one archive reads the same on either (search, pages, exports,
``migrate-db``) and a re-sync compares equal to what is stored instead of seeing an edit each
time. U+FFFD is one UTF-16 unit, like NUL, so entity offsets stay right; messages and channels
keep Telegram's original in their ``raw`` TL bytes.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, TypeVar

NUL = "\x00"
REPLACEMENT = "\ufffd"
T = TypeVar("T")
_SCALARS = (type(None), int, float, bool, bytes)
_fields: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _fields.get(cls)
    if names is None:
        names = _fields[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _as_json(value: Any) -> Any:
    """What the NUL check sees of a value JSON cannot encode: a row's fields; not bytes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, name) for name in _field_names(type(value))]
    return None if isinstance(value, bytes) else repr(value)


def has_nul(value: Any) -> bool:
    """Whether a string, or any string inside lists, dicts or row dataclasses, holds NUL.

    One JSON encoding in C answers "no" for a whole batch of rows; NUL shows there as
    ``\\u0000``, and only then (or for text that merely contains those six characters) are the
    values walked one by one."""
    try:
        if "\\u0000" not in json.dumps(value, default=_as_json):
            return False
    except (TypeError, ValueError):  # keys JSON cannot hold: walk
        pass
    return _walk_has_nul(value)


def _walk_has_nul(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return NUL in value
    if kind in _SCALARS:
        return False
    if isinstance(value, dict):
        return any(_walk_has_nul(k) or _walk_has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_walk_has_nul(v) for v in value)
    if dataclasses.is_dataclass(kind):
        return any(_walk_has_nul(getattr(value, name)) for name in _field_names(kind))
    return False


def nul_free(value: T) -> T:
    """``value`` with NUL replaced by U+FFFD in every string it holds (dict keys too); bytes,
    numbers and values without NUL are returned as they are, not copied."""
    return _replace(value) if has_nul(value) else value


def _replace(value: Any) -> Any:
    if not _walk_has_nul(value):
        return value
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT)
    if isinstance(value, dict):
        return {_replace(k): _replace(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_replace(v) for v in value)
    changes = {name: _replace(getattr(value, name)) for name in _field_names(type(value))}
    return dataclasses.replace(value, **changes)
