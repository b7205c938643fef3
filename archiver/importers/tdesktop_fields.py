"""Read the Desktop keys of a message that are not text or media: numbers, dates, peers, actions.

The inverse of ``archiver.exporters.tdesktop_fields``. Desktop writes ``date`` and ``edited``
in the exporting machine's local time; exports since 2022 add ``date_unixtime`` and
``edited_unixtime`` in UTC. ``chat_offset`` learns a chat's offset from a message that has
both, so an ``edited`` without its unixtime (older exports) is read in the right zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from archiver.decimal_ids import parse_decimal_id
from archiver.errors import ImportFormatError
from archiver.exporters.tdesktop_fields import ACTIONS, PEER_KINDS, SERVICE_COMMON

_ACTION_OF = {v: k for k, v in ACTIONS.items()}


def read_int(value: Any, where: str, key: str, required: bool = False) -> int | None:
    """A number Desktop wrote as an int or a decimal string (ids, sizes, unix times); None
    when absent and not ``required``, else ``ImportFormatError`` naming ``where`` and ``key``."""
    if value is None and not required:
        return None
    if isinstance(value, bool):
        raise ImportFormatError(f"{where}: {key} must be a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and (number := parse_decimal_id(value)) is not None:
        return number
    raise ImportFormatError(f"{where}: {key} must be a number, got {value!r}")


def parse_peer(value: Any) -> tuple[str, int] | None:
    """``("channel", 123)`` from Desktop's ``channel123``; None for anything else."""
    if not isinstance(value, str):
        return None
    for kind in PEER_KINDS:
        if value.startswith(kind):
            number = parse_decimal_id(value[len(kind) :])
            return (kind, number) if number is not None else None
    return None


def chat_offset(msg: Any) -> int | None:
    """Seconds east of UTC of the zone Desktop wrote ``date`` in, if this message shows it."""
    if not isinstance(msg, dict):
        return None
    date, unix = msg.get("date"), msg.get("date_unixtime")
    if not isinstance(date, str) or not isinstance(unix, str | int) or isinstance(unix, bool):
        return None
    number = parse_decimal_id(str(unix))
    try:
        local = datetime.fromisoformat(date).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None
    return None if number is None else int(local) - number


def local_time(value: Any, offset: int | None, where: str, key: str) -> int:
    """A Desktop local ISO time as a unix time: at ``offset`` if known, else this machine's."""
    if not isinstance(value, str):
        raise ImportFormatError(f"{where}: {key} must be an ISO time, got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ImportFormatError(f"{where}: {key} is not an ISO time: {value!r}") from None
    if offset is None or moment.tzinfo is not None:
        return int(moment.timestamp())
    return int(moment.replace(tzinfo=UTC).timestamp()) - offset


def fwd_from(msg: dict[str, Any]) -> dict[str, Any] | None:
    """``fwd_from`` from ``forwarded_from`` (a name, null if unknown) and ``forwarded_from_id``."""
    peer = parse_peer(msg.get("forwarded_from_id"))
    if "forwarded_from" not in msg and peer is None:
        return None
    out: dict[str, Any] = {"from_name": msg.get("forwarded_from")}
    if peer is not None:
        out.update(from_type=peer[0], from_id=peer[1])
    return out


def reply_to(msg: dict[str, Any], reply: int | None) -> dict[str, Any] | None:
    """``reply_to`` with the other chat of ``reply_to_peer_id``, if the reply is to one."""
    if reply is None:
        return None
    out: dict[str, Any] = {"msg_id": reply}
    peer = parse_peer(msg.get("reply_to_peer_id"))
    if peer is not None:
        out.update(peer_type=peer[0], peer_id=peer[1])
    return out


def service_action(msg: dict[str, Any]) -> dict[str, Any]:
    """A service message's action: our type, Desktop's name and every field Desktop wrote."""
    name = msg.get("action")
    action: dict[str, Any] = {
        "type": _ACTION_OF.get(name, name) if isinstance(name, str) else "unknown"
    }
    action["desktop_action"] = name if isinstance(name, str) else None  # None: no key
    action.update((k, v) for k, v in msg.items() if k not in SERVICE_COMMON)
    return action
