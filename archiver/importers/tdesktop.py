"""Import a Telegram Desktop export (folder, result.json or .zip) into the archive.

The JSON is parsed as a stream (ijson), so a multi-gigabyte export needs little memory. Each
channel or supergroup is imported in one transaction: a bad message rolls the whole chat back,
nothing is half-imported. Paths found in the JSON are looked up inside the export only
(no absolute paths, no ``..``, no symlinks out; zip members are streamed, never extracted).
"""

from __future__ import annotations

import functools
import os
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson
from ijson.common import IncompleteJSONError, ObjectBuilder
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.decimal_ids import parse_decimal_id
from archiver.errors import ImportFormatError
from archiver.evidence.provenance import export_file_sha256
from archiver.importers.export_limits import (
    MAX_JSON_BYTES,
    BoundedReader,
    JsonTooLarge,
    MemberReader,
    check_zip_listing,
    check_zip_sizes,
)
from archiver.importers.tdesktop_fields import chat_offset
from archiver.importers.tdesktop_read import ImportedMessage, read_message
from archiver.media import MediaStore, choose_mime, extension_for
from archiver.rows import ChannelRow, FileRow
from archiver.store.channels import get_channel, upsert_channel
from archiver.store.events import add_event
from archiver.store.media import (
    file_ids_by_role,
    main_file_ids,
    mark_file_stored,
    record_file,
)
from archiver.store.messages import add_revisions, mark_deleted, save_messages

CHANNEL_TYPES = {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
BATCH = 500
HEADER_KEYS = {
    f"{base}{key}": key.replace("tgmirror.", "")
    for base in ("", "chats.list.item.", "left_chats.list.item.")
    for key in ("name", "type", "id", "tgmirror.username", "tgmirror.about")
}
# A single-chat export is the chat object itself; a full-account export lists chats under
# ``chats.list`` and the channels the account left under ``left_chats.list``.
CHAT_PREFIXES = ("", "chats.list.item", "left_chats.list.item")
MESSAGES_PREFIXES = tuple(f"{p}.messages".lstrip(".") for p in CHAT_PREFIXES)
ITEM_PREFIXES = tuple(f"{p}.item" for p in MESSAGES_PREFIXES)
MAX_MEMBER = 4 << 30  # a zip member declared larger than this is refused (zip bomb)


@dataclass
class ChatReport:
    name: str
    id: int
    kind: str
    messages: int = 0
    files: int = 0
    missing_files: int = 0
    skipped: str | None = None
    utc_offset: int | None = None  # seconds east of UTC of the export's local ``date``


@dataclass
class ImportReport:
    chats: list[ChatReport] = field(default_factory=list)

    def summary(self) -> str:
        """One line: how many chats were imported, and every skipped chat with its size."""
        done = [c for c in self.chats if not c.skipped]
        skipped = [c for c in self.chats if c.skipped]
        line = f"Imported {_count(len(done), 'chat')}, "
        line += _count(sum(c.messages for c in done), "message")
        if skipped:
            names = "; ".join(
                f"{c.name or c.id} ({c.kind or 'unknown type'}, {_count(c.messages, 'message')})"
                for c in skipped
            )
            line += f"; skipped {len(skipped)} (tgmirror archives channels and supergroups"
            line += f" only): {names}"
        return line + "."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"


class ExportSource:
    """Read files of an export folder or zip, by paths relative to its result.json."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.base = ""
        if path.is_dir():
            self.root = path
            self.json_name = "result.json"
        elif zipfile.is_zipfile(path):
            check_zip_listing(path)
            self.zip = _open_zip(path)
            check_zip_sizes(path, self.zip)
            names = [n for n in self.zip.namelist() if posixpath.basename(n) == "result.json"]
            if not names:
                raise ImportFormatError(f"{path}: no result.json in this zip")
            self.json_name = min(names, key=len)
            self.base = posixpath.dirname(self.json_name)
        else:
            self.root = path.parent
            self.json_name = path.name
        if self.zip is None and not (self.root / self.json_name).is_file():
            raise ImportFormatError(
                f"{path}: no result.json here (give the export folder, "
                "its result.json or a .zip of it)"
            )

    @property
    def where(self) -> str:
        return f"{self.path}" if self.zip is None else f"{self.path}:{self.json_name}"

    @contextmanager
    def open_json(self) -> Iterator[BoundedReader]:
        if self.zip is not None:
            with self.zip.open(self.json_name) as handle:
                yield BoundedReader(handle, self.where)
        else:
            with open(self.root / self.json_name, "rb") as handle:
                yield BoundedReader(handle, self.where)

    def open_file(self, relative: str) -> MemberReader | None:
        """A file named in the JSON, only if it is inside the export; None if absent."""
        clean = posixpath.normpath(relative.replace("\\", "/"))
        if clean.startswith(("/", "../")) or clean == ".." or "\x00" in clean:
            return None
        if self.zip is not None:
            name = posixpath.join(self.base, clean) if self.base else clean
            try:
                info = self.zip.getinfo(name)
            except KeyError:
                return None
            if info.file_size > MAX_MEMBER:
                return None
            return MemberReader(self.zip.open(info), f"{self.path}:{name}")
        root = os.path.realpath(self.root)
        full = os.path.realpath(os.path.join(root, clean))
        if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
            return None
        return MemberReader(open(full, "rb"), full)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFormatError(f"{path}: the zip is damaged or unreadable ({exc})") from exc


def iter_export(handle: BoundedReader, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Stream ("chat", header), ("message", obj) ..., ("end", header) from a result.json."""
    header: dict[str, Any] = {}
    builder: ObjectBuilder | None = None
    item = ""
    try:
        for prefix, event, value in ijson.parse(handle, use_float=True):
            handle.quiet_from = handle.position
            if builder is not None:
                builder.event(event, value)
                if prefix == item and event == "end_map":
                    handle.message_from = None
                    yield "message", builder.value
                    builder = None
                continue
            if prefix in MESSAGES_PREFIXES and event == "start_array":
                yield "chat", dict(header)
            elif prefix in ITEM_PREFIXES and event == "start_map":
                builder, item = ObjectBuilder(), prefix
                handle.message_from = handle.position
                builder.event(event, value)
            elif prefix in CHAT_PREFIXES and event == "end_map" and header:
                yield "end", dict(header)
                header = {}
            elif prefix in HEADER_KEYS and event in ("string", "number"):
                header[HEADER_KEYS[prefix]] = value
    except (IncompleteJSONError, ijson.JSONError) as exc:
        raise ImportFormatError(
            f"{where}: not valid JSON near byte {handle.position:,} ({_first_line(exc)}); "
            "is the export complete?"
        ) from exc
    except JsonTooLarge:
        raise ImportFormatError(_too_large(where, builder, handle.position)) from None
    except UnicodeDecodeError as exc:  # invalid UTF-8, or a \ud800 escape with no pair
        raise ImportFormatError(
            f"{where}: text near byte {handle.position:,} is not valid Unicode ({exc.reason}); "
            "the export is damaged"
        ) from exc


def _first_line(exc: Exception) -> str:
    """yajl's message is bytes spanning lines (the text and a caret); keep its first line."""
    reason = exc.args[0] if exc.args else exc
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _too_large(where: str, builder: ObjectBuilder | None, position: int) -> str:
    partial = builder.value if builder is not None else None
    msg_id = partial.get("id") if isinstance(partial, dict) else None
    what = f"message {msg_id}" if msg_id is not None else "a value"
    return (
        f"{where}: {what} near byte {position:,} is more than {MAX_JSON_BYTES >> 20} MB "
        "of JSON, which no Telegram message is; the export is damaged or not from "
        "Telegram Desktop, nothing was imported from this chat"
    )


def _chat_id(header: dict[str, Any], where: str) -> int:
    raw = header.get("id")
    if raw is None:
        raise ImportFormatError(f"{where}: a chat has no id before its messages")
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ImportFormatError(f"{where}: chat id must be a number, got {raw!r}")
    text = str(raw)
    if text.startswith("-100"):
        text = text[4:]
    number = parse_decimal_id(text)
    if number is None or number < 0:
        raise ImportFormatError(f"{where}: chat id must be a number, got {raw!r}")
    return number


async def import_export(
    engine: AsyncEngine,
    path: Path,
    media: MediaStore,
    now: int,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Import every channel and supergroup of an export; one transaction per chat."""
    source = ExportSource(path)
    export_sha256 = export_file_sha256(path)  # logged with every capture of this import
    report = ImportReport()
    with source.open_json() as handle:
        events = iter_export(handle, source.where)
        for kind, data in events:
            if kind != "chat":
                continue
            chat = ChatReport(
                str(data.get("name") or ""),
                _chat_id(data, source.where),
                str(data.get("type") or ""),
            )
            report.chats.append(chat)
            if chat.kind not in CHANNEL_TYPES:
                chat.skipped = f"{chat.kind or 'unknown'} chats are not archived"
                chat.messages = _skip_chat(events)
                continue
            async with engine.begin() as conn:
                await conn.execution_options(evidence_export_sha256=export_sha256)
                if await get_channel(conn, chat.id) is None:
                    kind = "megagroup" if "supergroup" in chat.kind else "channel"
                    row = ChannelRow(
                        id=chat.id,
                        access_hash=None,
                        title=chat.name,
                        kind=kind,
                        username=data.get("username"),
                        about=data.get("about"),
                    )
                    await upsert_channel(conn, row, now, source="import", following=False)
                batch: list[ImportedMessage] = []
                last_date = 0
                for kind2, msg in events:
                    if kind2 == "end":
                        break
                    if chat.utc_offset is None:
                        chat.utc_offset = chat_offset(msg)
                    batch.append(
                        read_message(msg, chat.id, source.where, last_date, chat.utc_offset)
                    )
                    last_date = batch[-1].row.date
                    if len(batch) >= BATCH:
                        await _save(conn, batch, source, media, chat, now)
                        progress(len(batch))
                        batch = []
                if batch:
                    await _save(conn, batch, source, media, chat, now)
                    progress(len(batch))
                await add_event(
                    conn,
                    chat.id,
                    "imported",
                    now,
                    {"from": str(path), "messages": chat.messages, "utc_offset": chat.utc_offset},
                )
    if not report.chats:
        raise ImportFormatError(f"{source.where}: no chats found in this export")
    return report


def _skip_chat(events: Iterator[tuple[str, dict[str, Any]]]) -> int:
    """Read past a chat that is not archived; returns how many messages it has."""
    count = 0
    for kind, _ in events:
        if kind == "end":
            break
        count += 1
    return count


async def _save(
    conn: Any,
    batch: list[ImportedMessage],
    source: ExportSource,
    media: MediaStore,
    chat: ChatReport,
    now: int,
) -> None:
    await save_messages(conn, [m.row for m in batch], now, file_status="missing")
    chat.messages += len(batch)
    with_files = [m.row.msg_id for m in batch if m.source]
    ids = await main_file_ids(conn, chat.id, with_files) if with_files else {}
    with_thumbs = [m.row.msg_id for m in batch if m.thumb_source]
    thumbs = await file_ids_by_role(conn, chat.id, with_thumbs, "thumb") if with_thumbs else {}
    for m in batch:
        if m.revisions:
            await add_revisions(conn, chat.id, m.row.msg_id, m.revisions)
        if m.deleted_at:
            await mark_deleted(
                conn, chat.id, [m.row.msg_id], m.deleted_at, m.deleted_how or "import"
            )
        main = next((f for f in m.row.files if f.role == "main"), None)
        if m.thumb_source and m.row.msg_id in thumbs:
            await _store_file(conn, source, media, m.thumb_source, None, thumbs[m.row.msg_id], now)
        if not m.source or m.row.msg_id not in ids:
            chat.missing_files += bool(m.row.files)
            continue
        if await _store_file(conn, source, media, m.source, main, ids[m.row.msg_id], now):
            chat.files += 1
        else:
            chat.missing_files += 1


async def _store_file(
    conn: Any,
    source: ExportSource,
    media: MediaStore,
    relative: str,
    described: FileRow | None,
    media_id: int,
    now: int,
) -> bool:
    """Copy one file of the export into the content store and link it; False if absent."""
    handle = source.open_file(relative)
    if handle is None:
        return False
    declared = described.mime if described else None
    with handle:
        chunks = iter(functools.partial(handle.read, 1 << 20), b"")
        stored = await media.put(chunks, extension_for(declared, relative))
    mime = choose_mime(declared, stored.sniffed_mime)
    width, height = (described.width, described.height) if described else (None, None)
    await record_file(conn, stored.sha256, stored.size, mime, stored.key, now, width, height)
    await mark_file_stored(conn, media_id, stored.sha256, now)
    return True
