"""Numbers read from URLs, bounded to what the archive can hold (64-bit ids).

A post number past 64 bits cannot be in the archive; the database driver would refuse to
bind it (a server error), so such values are a 404 or a friendly 400/422 before any query.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query

from archiver.decimal_ids import parse_decimal_id

INT64_MAX = 2**63 - 1
Cursor = Annotated[int | None, Query(ge=-INT64_MAX, le=INT64_MAX)]
"""``before``/``after`` of the JSON API: out of range is a 422 like any invalid parameter."""


def page_cursor(name: str, value: str | None) -> int | None:
    """``before``/``after`` of an HTML page; anything but a post number is a friendly 400."""
    if value is None or value == "":
        return None
    number = parse_decimal_id(value)
    if number is None:
        raise HTTPException(400, f"{name}= takes a post number, for example ?{name}=120.")
    return number


def stored_msg_id(msg_id: int) -> int:
    """A post number from a URL path, or 404 when no post can have it."""
    if not -INT64_MAX <= msg_id <= INT64_MAX:
        raise HTTPException(404, "This post is not in the archive.")
    return msg_id
