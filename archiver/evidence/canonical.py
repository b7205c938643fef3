"""Canonical JSON (RFC 8785, JCS) of a capture, and its RFC 9162 leaf hash.

A capture holds only strings, integers, booleans, None, lists and dicts with ASCII keys.
Integers outside JSON's exact range (|n| >= 2**53: Telegram's 64-bit file and emoji ids) are
written as decimal strings, as JCS cannot carry them. On that domain ``json.dumps`` with
sorted keys and no spaces writes exactly the JCS bytes (tests compare with ``rfc8785`` on
random values), and it is several times faster; anything else (a float, a non-ASCII key) goes
through ``rfc8785`` itself.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

_SAFE = 2**53 - 1
_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def jcs_value(value: Any) -> Any:
    """``value`` with every integer beyond JSON's exact range turned into its decimal string."""
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int):
        return value if -_SAFE <= value <= _SAFE else str(value)
    if isinstance(value, dict):
        return {str(k): jcs_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jcs_value(v) for v in value]
    raise TypeError(f"a capture cannot hold {type(value).__name__}")


class _NeedsJcs(Exception):
    """A value outside the fast path's domain (a float, a non-ASCII key)."""


def _fast(value: Any) -> Any:
    """``jcs_value`` in one pass, raising ``_NeedsJcs`` where json.dumps could differ.

    Scalars inside containers are handled inline: a capture is mostly a flat dict of strings
    and integers, and a call per value would cost more than the encoding itself.
    """
    t = type(value)
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str or not k.isascii():
                raise _NeedsJcs
            tv = type(v)
            if tv is str or v is None or tv is bool:
                out[k] = v
            elif tv is int:
                out[k] = v if -_SAFE <= v <= _SAFE else str(v)
            else:
                out[k] = _fast(v)
        return out
    if t is list or t is tuple:
        return [_fast(v) for v in value]
    if t is str or value is None or t is bool:
        return value
    if t is int:
        return value if -_SAFE <= value <= _SAFE else str(value)
    raise _NeedsJcs


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value`` (after ``jcs_value``)."""
    try:
        return _dumps(_fast(value)).encode("utf-8")
    except (_NeedsJcs, UnicodeEncodeError):
        return rfc8785.dumps(jcs_value(value))  # floats, non-ASCII keys, lone surrogates


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()
