"""The RFC 8785 bytes of a ``post`` capture, written from the row's UTF-8 bytes.

``tgmirror verify`` compares every post capture's logged leaf with the leaf its rows give.
``post_leaf`` does that on ``str``: the log's leaf and the message text are decoded from
UTF-8 when read, the text is escaped into a new string and the leaf encoded again to be
hashed, four passes over the two largest values of a capture (a third of the check, by
micro-benchmark). Here the leaf and the text stay the bytes the database holds: the text goes
into the leaf as it is unless it has a byte JSON escapes (``"``, ``\\``, a control
character), the common newline, tab, ``"`` and ``\\`` are escaped with ``bytes.replace``, and
the rest takes ``json``'s encoder as ``post_leaf`` does. Equality with ``rfc8785`` is a
hypothesis test (tests/archiver/evidence/test_post_leaf_utf8.py).

The text's bytes are not decoded, so not checked to be UTF-8 here: a rebuilt leaf can only
equal the logged one if the text is exactly the bytes between the leaf's ``"text":"`` and
``"``, and a leaf under a signed head is the canonical (UTF-8) text the signer hashed.
"""

from __future__ import annotations

import json
from typing import Any

from archiver.evidence.canonical import canonical_json

_SAFE = 2**53 - 1
_string = json.encoder.encode_basestring  # C-accelerated, no ASCII escaping: JCS's escapes
_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode  # canonical_json's encoder, for values already in its domain
_POST = (
    b'{"captured_at":%d,"channel_id":%d,"date":%d,"edit_date":%b,"entities":%b,'
    b'"media_kind":%b,"msg_id":%d,"seq":%d,"source":%b,"text":"%b","type":"post","v":1}'
)
_ESCAPED = bytes(range(0x20)) + b'"\\'
_OTHER_CONTROL = bytes(c for c in range(0x20) if c not in b"\t\n\r")


def json_text(text: bytes) -> bytes | None:
    """The inside of the JSON string of the UTF-8 ``text`` as RFC 8785 writes it (``"``,
    ``\\`` and control characters escaped, nothing else), or None if it is not UTF-8."""
    if len(text.translate(None, _ESCAPED)) == len(text):
        return text
    escaped = (
        text.replace(b"\\", b"\\\\")
        .replace(b'"', b'\\"')
        .replace(b"\n", b"\\n")
        .replace(b"\r", b"\\r")
        .replace(b"\t", b"\\t")
    )
    if len(escaped.translate(None, _OTHER_CONTROL)) == len(escaped):
        return escaped
    try:
        return _string(text.decode("utf-8"))[1:-1].encode("utf-8")
    except UnicodeError:
        return None


class JsonValues:
    """The JCS bytes of the few distinct short strings a column holds (``source``,
    ``media_kind``), each encoded once."""

    def __init__(self) -> None:
        self._known: dict[object, bytes] = {None: b"null"}

    def __call__(self, value: object) -> bytes | None:
        """``value``'s JCS bytes (None, or a string), or None outside that domain."""
        known = self._known.get(value)
        if known is None and type(value) is str and len(self._known) < 10_000:
            try:
                known = self._known[value] = _string(value).encode("utf-8")
            except UnicodeError:  # a lone surrogate: no capture holds one
                return None
        return known


def post_leaf_utf8(
    seq: int,
    channel_id: int,
    msg_id: int,
    date: int,
    edit_date: int | None,
    text: bytes | None,
    entities_json: bytes,
    media_kind_json: bytes,
    captured_at: int,
    source_json: bytes,
) -> bytes | None:
    """The leaf bytes of a post capture without ``export_sha256``, or None outside the domain.

    ``text`` is the UTF-8 text as stored; ``entities_json``, ``media_kind_json`` and
    ``source_json`` are already the JCS bytes of those values. Parameters in
    ``post_capture``'s order, passed by position in the hot loop.
    """
    if not (int is type(seq) is type(channel_id) is type(msg_id) is type(date)):
        return None  # bool, float, str or None where an integer belongs
    if type(captured_at) is not int:
        return None
    if not (
        -_SAFE <= seq <= _SAFE
        and -_SAFE <= channel_id <= _SAFE
        and -_SAFE <= msg_id <= _SAFE
        and -_SAFE <= date <= _SAFE
        and -_SAFE <= captured_at <= _SAFE
    ):
        return None
    if edit_date is None:
        edited = b"null"
    elif type(edit_date) is int and -_SAFE <= edit_date <= _SAFE:
        edited = b"%d" % edit_date
    else:
        return None
    if text is None:
        escaped: bytes | None = b""
    elif type(text) is bytes:
        escaped = json_text(text)
        if escaped is None:
            return None
    else:
        return None
    return _POST % (
        captured_at,
        channel_id,
        date,
        edited,
        entities_json,
        media_kind_json,
        msg_id,
        seq,
        source_json,
        escaped,
    )


class EntitiesUtf8:
    """The JCS bytes of stored ``entities`` (``stored or []``), remembered by stored text.

    Entities differ from post to post (offsets, lengths), so most stored texts are seen once;
    the usual shape (a list of flat objects of ASCII keys, strings and integers in JSON's
    exact range) is decoded by ``json`` and written back with sorted keys in one call, which
    is what ``canonical_json`` writes for it; anything else is left to ``canonical_json``.
    """

    def __init__(self) -> None:
        self.seen: dict[str | None, bytes] = {None: b"[]", "null": b"[]", "[]": b"[]"}
        """Canonical bytes by stored text; the hot loop looks here before calling."""

    def __call__(self, stored: Any) -> bytes:
        """The JCS bytes of ``stored or []``; ``stored`` is JSON text, or an already decoded
        value (a driver may decode it)."""
        if isinstance(stored, str) or stored is None:
            known = self.seen.get(stored)
            if known is not None:
                return known
            value = json.loads(stored) if stored is not None else None
        else:
            value = stored
        text = _flat_objects(value)
        if text is None:
            text = canonical_json(value or [])
        if isinstance(stored, str) and len(self.seen) < 100_000:
            self.seen[stored] = text
        return text


def _flat_objects(value: Any) -> bytes | None:
    """``canonical_json(value)`` for a non-empty list of flat objects of ASCII keys and
    string, integer (|n| < 2**53), boolean or null values; None for anything else."""
    if type(value) is not list or not value:
        return None
    for item in value:
        if type(item) is not dict:
            return None
        for key, v in item.items():
            t = type(v)
            if t is int:
                if not -_SAFE <= v <= _SAFE:
                    return None  # canonical_json writes it as a string
            elif t is not str and t is not bool and v is not None:
                return None
            if type(key) is not str or not key.isascii():
                return None
    try:
        return _dumps(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: canonical_json's way (rfc8785 refuses it)
        return None
