"""Channel references as a user types them: parsed without Telegram (the config, the CLI and
``tgmirror status`` need this without paying for Telethon's import).

Accepted: ``@name``, ``name``, ``https://t.me/name``, ``t.me/s/name``, ``t.me/name/123``,
``https://t.me/c/1234567890/55`` and numeric ids (``1234567890`` or ``-1001234567890``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archiver.decimal_ids import parse_decimal_id
from archiver.errors import ChannelRefError

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LINK = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/(?P<path>[^?#]*)", re.I
)


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A parsed reference: exactly one of ``username`` and ``channel_id`` is set."""

    text: str
    username: str | None = None
    channel_id: int | None = None


def parse_ref(text: str) -> ChannelRef:
    """Parse a channel reference; raises ChannelRefError naming what is wrong."""
    raw = text.strip()
    link = _LINK.match(raw)
    if link:
        parts = [p for p in link.group("path").split("/") if p]
        if parts and parts[0] == "s":
            parts = parts[1:]
        if len(parts) >= 2 and parts[0] == "c" and (parse_decimal_id(parts[1]) or 0) > 0:
            return ChannelRef(text, channel_id=int(parts[1]))
        if not parts or parts[0].startswith(("+", "joinchat")):
            raise ChannelRefError(
                f"{text!r}: invite links are not supported; use the channel's @username or id"
            )
        raw = parts[0]
    digits = raw.lstrip("-")
    if parse_decimal_id(digits) is not None:
        number = int(digits)
        if raw.startswith("-100") and len(digits) > 3:
            number = int(digits[3:])
        if number <= 0:
            raise ChannelRefError(f"{text!r}: not a channel id")
        return ChannelRef(text, channel_id=number)
    name = raw.removeprefix("@")
    if not _USERNAME.match(name):
        raise ChannelRefError(
            f"{text!r}: not a channel reference (expected @username, a t.me link or a numeric id)"
        )
    return ChannelRef(text, username=name)
