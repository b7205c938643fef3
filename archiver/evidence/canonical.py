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


def _fast_domain(value: Any) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_SAFE <= value <= _SAFE
    if isinstance(value, dict):
        return all(k.isascii() and _fast_domain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_fast_domain(v) for v in value)
    return False


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value`` (after ``jcs_value``)."""
    value = jcs_value(value)
    if _fast_domain(value):
        try:
            return _dumps(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 say what is wrong
    return rfc8785.dumps(value)


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()
