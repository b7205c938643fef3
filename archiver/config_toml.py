"""TOML tables to frozen dataclasses, strictly: unknown keys (with a "did you mean"), missing
required keys and values of the wrong type are each one ConfigError naming the file and the key.
Nested tables become nested dataclasses, arrays tuples, strings Paths where the hint says so.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any, Literal

from archiver.errors import ConfigError


def build_dataclass(
    cls: type,
    data: Any,
    where: str,
    prefix: str = "",
    skip: frozenset[str] | set[str] = frozenset(),
) -> Any:
    """An instance of the dataclass `cls` from parsed TOML `data`, every value checked against
    its type hint; fields named in `skip` are never read from the file."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: {prefix.rstrip('.')}: expected a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(key, fields, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(fields)}"
            )
            raise ConfigError(f"{where}: {prefix}{key}: unknown key ({hint})")
    values = {}
    for name, f in fields.items():
        key = f"{prefix}{name}"
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{where}: {key}: missing (this key is required)")
            continue
        values[name] = _convert(hints[name], data[name], where, key)
    return cls(**values)


def _convert(hint: Any, value: Any, where: str, key: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, where, key)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return build_dataclass(hint, value, where, f"{key}.")
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"{where}: {key}: expected one of {choices}, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: {key}: expected a list, got {value!r}")
        if isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
            return tuple(
                build_dataclass(args[0], v, where, f"{key}[{i}].") for i, v in enumerate(value)
            )
        return tuple(_convert(args[0], v, where, f"{key}[{i}]") for i, v in enumerate(value))
    expected = {
        bool: ("a boolean (true or false)", (bool,)),
        int: ("an integer", (int,)),
        float: ("a number", (int, float)),
        str: ("a string", (str,)),
        Path: ("a path string", (str,)),
    }
    label, accepted = expected[hint]
    if not isinstance(value, accepted) or (hint is not bool and isinstance(value, bool)):
        raise ConfigError(f"{where}: {key}: expected {label}, got {value!r}")
    if hint is Path:
        return Path(typing.cast(str, value))
    return float(typing.cast(float, value)) if hint is float else value
