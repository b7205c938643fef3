"""Download the media files of archived messages into the content-addressed store.

Files are fetched once their messages are saved, newest first: during a sync, as soon as the
history page that brought them is stored (``ChannelMedia``), with that page's messages (fresh
file references); otherwise by re-reading the messages. Policy (kinds, size) marks files
``skipped``; a thumbnail is small and is stored even when its video is skipped for size. A
failure marks a file ``failed`` with the error, to be retried on the next sync: nothing is
silently dropped.

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
    async with ChannelMedia(ctx, account, channel) as media:
        await media.take_pending()
        return await media.finish()


class ChannelMedia:
    """The downloads of one channel's files, started as soon as their rows are stored.

    ``take_pending()`` starts a download for every pending file not started yet, so a sync calls
    it after each history page it stores (``found``) and the files download while the walk goes
    on, instead of after it; ``finish()`` waits for them all. The messages a page brought are
    used as they are (their file references are seconds old); other files' messages are read
    again. Each file is tried once per ``ChannelMedia``: a failure waits for the next sync.
    """

    def __init__(self, ctx: WorkerContext, account: TelegramAccount, channel: Channel) -> None:
        self._ctx = ctx
        self._account = account
        self._channel = channel
        self._peer = input_channel(account, channel)
        self._dcs = DcConnections(account.client)
        self._started: set[int] = set()
        self._tasks: list[asyncio.Task[int | None]] = []
        self._known: dict[int, Any] = {}
        self.result = MediaResult()

    async def __aenter__(self) -> ChannelMedia:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._dcs.close()

    async def found(self, messages: list[Any]) -> None:
        """A history page was stored: download its files now (``backfill_channel``'s
        ``on_page``)."""
        fresh = {m.id: m for m in messages if getattr(m, "media", None) is not None}
        if fresh:
            self._known = fresh
            try:
                await self.take_pending(between=(min(fresh), max(fresh)))
            finally:
                self._known = {}

    async def take_pending(self, between: tuple[int, int] | None = None) -> None:
        """Start the download of every pending file of the channel (or of its messages with ids
        ``between`` low and high) not started yet, newest first; files the media policy
        excludes are marked ``skipped``."""
        ctx, channel = self._ctx, self._channel
        kinds, max_bytes = ctx.media_limits(channel.id, channel.username)
        low, below = (between[0], between[1] + 1) if between else (0, None)
        while not ctx.stopping.is_set():
            async with ctx.read() as conn:
                page = await pending_files(conn, channel.id, limit=PAGE, below_msg_id=below)
            page = [f for f in page if f.msg_id >= low]
            if not page:
                return
            if len(page) == PAGE:  # the last message's files may continue on the next page
                last = page[-1].msg_id
                page = [f for f in page if f.msg_id != last] or page
            below = min(f.msg_id for f in page)
            wanted = []
            for f in page:
                if f.media_id in self._started:
                    continue
                self._started.add(f.media_id)
                if f.kind not in kinds or max_bytes == 0 or (f.size or 0) > max_bytes:
                    async with ctx.write() as conn:
                        await mark_file_status(
                            conn, f.media_id, "skipped", ctx.now(), "media policy"
                        )
                    self.result.skipped += 1
                else:
                    wanted.append(f)
            if wanted:
                messages = await self._messages(sorted({f.msg_id for f in wanted}))
                for f in wanted:
                    job = self._download(messages.get(f.msg_id), f)
                    self._tasks.append(asyncio.create_task(job))

    async def _messages(self, ids: list[int]) -> dict[int, Any]:
        """The messages ``ids``: those a page just brought, the others read again (fresh file
        references)."""
        found = {i: self._known.pop(i) for i in ids if i in self._known}
        missing = [i for i in ids if i not in found]
        if missing:
            fetched = await self._account.client.get_messages(self._peer, ids=missing)
            found.update({m.id: m for m in fetched if m is not None})
        return found

    async def _download(self, message: Any, f: PendingFile) -> int | None:
        """One file, reported as soon as it is stored (progress bars, benches)."""
        size = await _download_slot(self._ctx, self._account, self._dcs, self._peer, message, f)
        if size is not None:
            self._ctx.reporter.advanced(self._channel.id, media_bytes=size)
        return size

    async def finish(self) -> MediaResult:
        """Wait for every download started; a flood wait or a lost lease goes on up to the
        caller (after the other downloads ended)."""
        outcomes = await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        _add_up(self.result, outcomes)
        return self.result


def _add_up(result: MediaResult, outcomes: list[int | BaseException | None]) -> None:
    """Count the downloads; a flood wait or a lost lease goes on up to the caller."""
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            result.failed += 1
        else:
            result.stored += 1
            result.bytes += outcome


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
