"""Parse ids typed by people or read from files: plain ASCII decimal numbers only.

``str.isdigit`` also accepts superscripts and other scripts' digits (``"²"``, ``"٣"``), which
``int`` then refuses or reads differently, and an id longer than SQLite's 64-bit integers
cannot be stored; both must be "not an id", not a crash.
"""

from __future__ import annotations

import re

_DECIMAL = re.compile(r"-?[0-9]{1,19}")
_INT64_MAX = 2**63 - 1


def parse_decimal_id(text: str) -> int | None:
    """The integer ``text`` spells in ASCII digits (optionally negative), if it fits in a
    signed 64-bit integer; otherwise None."""
    if not _DECIMAL.fullmatch(text):
        return None
    value = int(text)
    return value if -_INT64_MAX <= value <= _INT64_MAX else None
