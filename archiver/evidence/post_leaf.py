"""The RFC 8785 text of a ``post`` capture, written straight from its fields.

``tgmirror verify`` rebuilds every post capture from its rows; going through a dict,
``canonical_json`` and a byte comparison costs several times the hashing. A post capture has a
fixed set of keys, so its JCS text is one format string: keys in sorted order, integers in
decimal, strings escaped as ``json`` escapes them with ``ensure_ascii=False`` (the same as
RFC 8785 for every string that encodes to UTF-8), ``entities`` already canonical. Values
outside that domain (an integer beyond 2**53, a non-integer where one is expected) give None,
and the caller takes the general path; tests compare the result with ``rfc8785``.
"""

from __future__ import annotations

import json
from typing import Any

from archiver.evidence.canonical import canonical_json

_SAFE = 2**53 - 1
_string = json.encoder.encode_basestring  # C-accelerated, no ASCII escaping: JCS's escapes
_POST = (
    '{"captured_at":%d,"channel_id":%d,"date":%d,"edit_date":%s,"entities":%s,'
    '"media_kind":%s,"msg_id":%d,"seq":%d,"source":%s,"text":%s,"type":"post","v":1}'
)


def post_leaf(
    seq: int,
    channel_id: int,
    msg_id: int,
    date: int,
    edit_date: int | None,
    text: str | None,
    entities_json: str,
    media_kind: str | None,
    captured_at: int,
    source: str,
) -> str | None:
    """The leaf text of a post capture of a telegram/import source without ``export_sha256``
    (``entities_json`` is the canonical text of its entities), or None outside the domain.
    The parameters are in ``post_capture``'s order; hot loops pass them by position."""
    try:  # a chained comparison per value: a call per value would cost more than the rest
        if not (
            -_SAFE <= seq <= _SAFE
            and -_SAFE <= channel_id <= _SAFE
            and -_SAFE <= msg_id <= _SAFE
            and -_SAFE <= date <= _SAFE
            and -_SAFE <= captured_at <= _SAFE
            and (edit_date is None or -_SAFE <= edit_date <= _SAFE)
        ):
            return None
    except TypeError:  # a string or None where an integer belongs
        return None
    if bool in (
        type(seq),
        type(channel_id),
        type(msg_id),
        type(date),
        type(captured_at),
        type(edit_date),
    ):
        return None
    edited = "null" if edit_date is None else str(edit_date)
    if type(source) is not str or (media_kind is not None and type(media_kind) is not str):
        return None
    if text is None:
        text = ""
    elif type(text) is not str:
        return None
    return _POST % (
        captured_at,
        channel_id,
        date,
        edited,
        entities_json,
        "null" if media_kind is None else _string(media_kind),
        msg_id,
        seq,
        _string(source),
        _string(text),
    )


class EntitiesText:
    """Canonical text of stored ``entities`` JSON, remembered by stored text (most posts
    share a few shapes: none, one bold word...)."""

    def __init__(self) -> None:
        self.seen: dict[str | None, str] = {None: "[]", "null": "[]", "[]": "[]"}
        """Canonical text by stored text; a hot loop may look here before calling."""

    def __call__(self, stored: Any) -> str:
        """The JCS text of ``stored or []``; ``stored`` is JSON text, or an already decoded
        value (a driver may decode it)."""
        if isinstance(stored, str) or stored is None:
            known = self.seen.get(stored)
            if known is not None:
                return known
            value = json.loads(stored) if stored is not None else None
        else:
            value = stored
        text = canonical_json(value or []).decode("utf-8")
        if isinstance(stored, str) and len(self.seen) < 100_000:
            self.seen[stored] = text
        return text
