"""Download the media files of archived messages into the content-addressed store.

Files are fetched after their messages are saved, newest first, by re-reading the messages
(fresh file references). Policy (kinds, size) marks files ``skipped``; a thumbnail is small and
is stored even when its video is skipped for size. A failure marks a file ``failed`` with the
error, to be retried on the next sync: nothing is silently dropped.

Several files download at once (``media.parallel_files`` for the whole worker), each in 1 MiB
parts from its own datacenter (``file_download``); the parts of an unfinished file stay on disk
under ``<data_dir>/partial``, so the next run resumes it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telethon import errors, types

from archiver.media import StoredFile, choose_mime, extension_for
from archiver.media.partial import PartialFile, discard
from archiver.store.channels import Channel
from archiver.store.media import (
    PendingFile,
    mark_file_status,
    mark_file_stored,
    pending_files,
    record_file,
)
from archiver.telegram.dc_connections import DcConnections
from archiver.telegram.file_location import FileSource, file_source
from archiver.worker.accounts import TelegramAccount
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext
from archiver.worker.file_download import PART_SIZE, FileDownload, FileGone

log = logging.getLogger(__name__)

PAGE = 100
_DEFAULT_MIME = {"photo": "image/jpeg"}


@dataclass(slots=True)
class MediaResult:
    stored: int = 0
    failed: int = 0
    skipped: int = 0
    bytes: int = 0


def partial_dir(ctx: WorkerContext) -> Path:
    """Where unfinished downloads keep their parts."""
    return ctx.config.storage.data_dir / "partial"


def partial_key(f: PendingFile) -> str:
    """The name of a media row's unfinished download in ``partial_dir``."""
    return f"m{f.media_id}"


async def download_channel_media(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> MediaResult:
    """Download, as ``account``, every pending file of a channel that the media policy allows."""
    kinds, max_bytes = ctx.media_limits(channel.id, channel.username)
    peer = input_channel(account, channel)
    result = MediaResult()
    below: int | None = None
    async with DcConnections(account.client) as dcs:
        while not ctx.stopping.is_set():
            async with ctx.read() as conn:
                page = await pending_files(conn, channel.id, limit=PAGE, below_msg_id=below)
            if not page:
                break
            if len(page) == PAGE:  # the last message's files may continue on the next page
                last = page[-1].msg_id
                page = [f for f in page if f.msg_id != last] or page
            below = min(f.msg_id for f in page)
            wanted = []
            for f in page:
                if f.kind not in kinds or max_bytes == 0 or (f.size or 0) > max_bytes:
                    async with ctx.write() as conn:
                        await mark_file_status(
                            conn, f.media_id, "skipped", ctx.now(), "media policy"
                        )
                    result.skipped += 1
                else:
                    wanted.append(f)
            if wanted:
                ids = sorted({f.msg_id for f in wanted})
                fetched = await account.client.get_messages(peer, ids=ids)
                by_id = {m.id: m for m in fetched if m is not None}
                jobs = [
                    _download_slot(ctx, account, dcs, peer, by_id.get(f.msg_id), f) for f in wanted
                ]
                outcomes = await asyncio.gather(*jobs, return_exceptions=True)
                _add_up(ctx, channel, result, outcomes)
    return result


def _add_up(
    ctx: WorkerContext,
    channel: Channel,
    result: MediaResult,
    outcomes: list[int | BaseException | None],
) -> None:
    """Count a page's downloads; a flood wait or a lost lease goes on up to the caller."""
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            result.failed += 1
        else:
            result.stored += 1
            result.bytes += outcome
            ctx.reporter.advanced(channel.id, media_bytes=outcome)


async def _download_slot(
    ctx: WorkerContext,
    account: TelegramAccount,
    dcs: DcConnections,
    peer: types.InputPeerChannel,
    message: Any,
    f: PendingFile,
) -> int | None:
    async with ctx.media_slots:
        if ctx.stopping.is_set():
            return None
        return await _download_one(ctx, account, dcs, peer, message, f)


async def _download_one(
    ctx: WorkerContext,
    account: TelegramAccount,
    dcs: DcConnections,
    peer: types.InputPeerChannel,
    message: Any,
    f: PendingFile,
) -> int | None:
    """Download one file; returns its size, or None when it failed (recorded for retry)."""
    if message is None or isinstance(message, types.MessageEmpty):
        await _fail(ctx, f, "message no longer on Telegram", gone=True)
        return None
    source = file_source(message, f.role)
    if source is None:
        await _fail(ctx, f, "Telegram returned no file", gone=True)
        return None
    ext = extension_for(f.mime or _DEFAULT_MIME.get(f.kind), f.file_name)
    try:
        if source.inline is not None:
            stored = await ctx.media.put([source.inline], ext)
        elif source.size is None:
            stored = await _whole(ctx, account, message, f, ext)
        else:
            stored = await _in_parts(ctx, account, dcs, peer, f, source, ext)
    except errors.FloodWaitError:
        raise
    except FileGone as exc:
        await _fail(ctx, f, str(exc), gone=True)
        return None
    except (errors.RPCError, OSError, ValueError, TypeError) as exc:
        await _fail(ctx, f, f"{exc.__class__.__name__}: {exc}"[:500])
        return None
    mime = choose_mime(f.mime or _DEFAULT_MIME.get(f.kind), stored.sniffed_mime)
    async with ctx.write() as conn:
        await record_file(
            conn, stored.sha256, stored.size, mime, stored.key, ctx.now(), f.width, f.height
        )
        await mark_file_stored(conn, f.media_id, stored.sha256, ctx.now())
    return stored.size


async def _in_parts(
    ctx: WorkerContext,
    account: TelegramAccount,
    dcs: DcConnections,
    peer: types.InputPeerChannel,
    f: PendingFile,
    source: FileSource,
    ext: str,
) -> StoredFile:
    """Fetch the file's missing parts (resuming an earlier run's), then store it whole."""
    assert source.size is not None
    partial = PartialFile(partial_dir(ctx), partial_key(f), source.file_id, source.size, PART_SIZE)

    async def refresh() -> FileSource | None:
        message = await account.client.get_messages(peer, ids=f.msg_id)
        return None if message is None else file_source(message, f.role)

    try:
        await FileDownload(dcs, source, partial, refresh).run(ctx.config.media.parallel_parts)
    except BaseExceptionGroup as group:  # the first failure of the parts in flight
        raise group.exceptions[0] from None
    stored = await ctx.media.put(partial.chunks(), ext)
    partial.remove()
    return stored


async def _whole(
    ctx: WorkerContext, account: TelegramAccount, message: Any, f: PendingFile, ext: str
) -> StoredFile:
    """A file whose size Telegram did not give: Telethon's own sequential download."""
    writer = ctx.media.open_writer(ext)
    try:
        thumb = -1 if f.role == "thumb" else None
        if await account.client.download_media(message, file=writer, thumb=thumb) is None:
            raise FileGone("Telegram returned no file")
    except BaseException:
        writer.abort()
        raise
    return await writer.commit()


async def _fail(ctx: WorkerContext, f: PendingFile, error: str, gone: bool = False) -> None:
    """Record a failed download (retried later); parts of a file that is ``gone`` are dropped,
    those of any other failure are kept for the retry to resume from."""
    log.warning("media %s/%s (%s) failed: %s", f.channel_id, f.msg_id, f.kind, error)
    if gone:
        discard(partial_dir(ctx), partial_key(f))
    async with ctx.write() as conn:
        await mark_file_status(conn, f.media_id, "failed", ctx.now(), error)
