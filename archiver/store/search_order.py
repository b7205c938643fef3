"""The order of search results, newest first, as one integer: the key of a result.

``order_key(date, pk) = date * 2**31 + pk`` sorts exactly like (date, pk): a post's pk is
below 2**31, so the date decides and the pk breaks ties. On SQLite the key is the FTS5 rowid,
so ``ORDER BY rowid DESC LIMIT n`` reads the newest matches straight from the index and stops
after n, instead of sorting every match. Both databases use the key as the ``?before=``
cursor of the next page, so a cursor means the same on either. A post's date never changes
after it is stored (edits change text and media only), so its key is stable.
"""

from __future__ import annotations

from archiver.errors import DatabaseError

PK_BITS = 31
PK_MASK = (1 << PK_BITS) - 1
DATE_LIMIT = 1 << 32
"""Dates are Unix seconds; beyond ±2**32 (year 2106) the key would not fit in 64 bits."""


def order_key(date: int, pk: int) -> int:
    """The search key of the post with this date and pk (the FTS5 rowid on SQLite)."""
    if not 0 < pk <= PK_MASK:
        raise DatabaseError(
            f"post {pk} is past the 2**31 posts the search index can key; "
            "please report this archive's size"
        )
    return (max(-DATE_LIMIT, min(date, DATE_LIMIT - 1)) << PK_BITS) | pk


def key_pk(key: int) -> int:
    """The post pk inside a key."""
    return key & PK_MASK


def key_date(key: int) -> int:
    """The post date inside a key (a date past ``DATE_LIMIT`` comes back clamped)."""
    return key >> PK_BITS
