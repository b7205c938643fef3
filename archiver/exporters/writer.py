"""Streaming export of a channel: JSONL or Telegram Desktop's layout, flat memory.

Posts are read in batches (``export_rows.iter_export_batches``) and written as they come; Desktop's
``result.json`` is written incrementally (its ``messages`` array one element at a time), so a
million posts need no more memory than a thousand. Files are copied from the content store
into Desktop's folders; ``--update`` skips files already there with the right size.
"""

from __future__ import annotations

import filecmp
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import IO, Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.errors import ExportError
from archiver.exporters.jsonl import write_jsonl
from archiver.exporters.tdesktop_record import message_record
from archiver.media import MediaStore, extension_for
from archiver.store.channels import Channel
from archiver.store.export_rows import RawBatch, iter_export_batches

Format = Literal["tdesktop", "jsonl"]


@dataclass
class ExportResult:
    posts: int = 0
    files: int = 0
    bytes: int = 0
    path: Path | None = None


def chat_type(channel: Channel) -> str:
    public = "public" if channel.username else "private"
    return f"{public}_supergroup" if channel.kind == "megagroup" else f"{public}_channel"


async def export_channel(
    conn: AsyncConnection,
    channel: Channel,
    out: Path,
    media: MediaStore,
    *,
    fmt: Format = "tdesktop",
    since: int | None = None,
    until: int | None = None,
    with_media: bool = True,
    progress: Callable[[int], None] = lambda n: None,
    zone: tzinfo | None = None,
) -> ExportResult:
    """Export one channel into ``out`` (created); returns counts.

    ``zone`` is the time zone of Desktop's local ``date`` keys (None: this machine's).
    """
    target = out / ("result.json" if fmt == "tdesktop" else "messages.jsonl")
    tmp = target.with_name(target.name + ".part")
    result = ExportResult(path=target)
    try:
        with _open_for_writing(tmp) as handle:
            if fmt == "jsonl":

                async def copy_files(batch: RawBatch) -> None:
                    for files in batch.files.values():
                        for f in files if with_media else ():
                            if f.status == "stored" and f.path and f.sha256:
                                name = f.sha256 + extension_for(f.mime, f.file_name)
                                result.bytes += await media.copy_to(f.path, out / "media" / name)
                                result.files += 1
                    progress(len(batch.rows))

                result.posts = await write_jsonl(
                    conn, channel, handle, since=since, until=until, on_batch=copy_files
                )
            else:
                await _write_tdesktop(
                    conn,
                    channel,
                    handle,
                    out,
                    media,
                    result,
                    since=since,
                    until=until,
                    with_media=with_media,
                    progress=progress,
                    zone=zone,
                )
        if target.exists() and filecmp.cmp(tmp, target, shallow=False):
            tmp.unlink()  # --update: nothing changed, the file is left as it was
        else:
            os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write the export: {exc.strerror}") from exc
    return result


async def _write_tdesktop(
    conn: AsyncConnection,
    channel: Channel,
    handle: IO[str],
    out: Path,
    media: MediaStore,
    result: ExportResult,
    *,
    since: int | None,
    until: int | None,
    with_media: bool,
    progress: Callable[[int], None],
    zone: tzinfo | None,
) -> None:
    ours = {"username": channel.username, "about": channel.about}
    head = {"name": channel.title, "type": chat_type(channel), "id": channel.id, "tgmirror": ours}
    handle.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2])
    handle.write(',\n "messages": [')
    separator = "\n  "
    async for batch in iter_export_batches(
        conn, channel.id, since=since, until=until, include_hidden=False
    ):
        for post in batch.posts:
            main = post.main_file
            ext = extension_for(main.mime, main.file_name) if main else ""
            record, copies = message_record(
                post,
                channel.title,
                batch.revisions.get(post.pk, []),
                with_media=with_media,
                ext=ext,
                zone=zone,
            )
            for copy in copies:
                result.bytes += await media.copy_to(copy.store_path, out / copy.target)
                result.files += 1
            handle.write(separator + json.dumps(record, ensure_ascii=False))
            separator = ",\n  "
            result.posts += 1
        progress(len(batch.posts))
    handle.write("\n ]\n}\n")


def _open_for_writing(path: Path) -> IO[str]:
    """The export file (its folder created); a plain blocking write: an export does nothing
    else meanwhile, and the database reads between batches are what takes time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"{path.parent}: cannot create the export folder: {exc.strerror}"
        ) from exc
    return open(path, "w", encoding="utf-8")
