"""Download the media files of archived messages into the content-addressed store.

Files are fetched after their messages are saved, newest first, by re-reading the messages
(fresh file references). Policy (kinds, size) marks files ``skipped``; a failure marks them
``failed`` with the error, to be retried on the next sync: nothing is silently dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telethon import errors, types

from archiver.media import choose_mime, extension_for
from archiver.store.channels import Channel
from archiver.store.media import (
    PendingFile,
    mark_file_status,
    mark_file_stored,
    pending_files,
    record_file,
)
from archiver.worker.accounts import TelegramAccount
from archiver.worker.channels import input_channel
from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)

PAGE = 100
_DEFAULT_MIME = {"photo": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class MediaResult:
    stored: int = 0
    failed: int = 0
    skipped: int = 0
    bytes: int = 0


async def download_channel_media(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel
) -> MediaResult:
    """Download, as ``account``, every pending file of a channel that the media policy allows."""
    kinds, max_bytes = ctx.media_limits(channel.id, channel.username)
    peer = input_channel(account, channel)
    stored = failed = skipped = total_bytes = 0
    below: int | None = None
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
                    await mark_file_status(conn, f.media_id, "skipped", ctx.now(), "media policy")
                skipped += 1
            else:
                wanted.append(f)
        if not wanted:
            continue
        ids = sorted({f.msg_id for f in wanted})
        fetched = await account.client.get_messages(peer, ids=ids)
        by_id = {m.id: m for m in fetched if m is not None}
        for f in wanted:
            if ctx.stopping.is_set():
                break
            size = await _download_one(ctx, account, peer, by_id.get(f.msg_id), f)
            if size is None:
                failed += 1
            else:
                stored += 1
                total_bytes += size
                ctx.reporter.advanced(channel.id, media_bytes=size)
    return MediaResult(stored, failed, skipped, total_bytes)


async def _download_one(
    ctx: WorkerContext,
    account: TelegramAccount,
    peer: types.InputPeerChannel,
    message: object,
    f: PendingFile,
) -> int | None:
    """Download one file; returns its size, or None when it failed (recorded for retry)."""
    if message is None or isinstance(message, types.MessageEmpty):
        await _fail(ctx, f, "message no longer on Telegram")
        return None
    ext = extension_for(f.mime or _DEFAULT_MIME.get(f.kind), f.file_name)
    for _attempt in range(3):
        writer = ctx.media.open_writer(ext)
        try:
            thumb = -1 if f.role == "thumb" else None
            result = await account.client.download_media(message, file=writer, thumb=thumb)
            if result is None:
                writer.abort()
                await _fail(ctx, f, "Telegram returned no file")
                return None
            stored = await writer.commit()
        except errors.FileReferenceExpiredError:
            writer.abort()
            log.info("file reference expired for %s/%s; re-fetching", f.channel_id, f.msg_id)
            message = await account.client.get_messages(peer, ids=f.msg_id)
            if message is None:
                await _fail(ctx, f, "message no longer on Telegram")
                return None
            continue
        except errors.FloodWaitError:
            writer.abort()
            raise
        except (errors.RPCError, OSError, ValueError, TypeError) as exc:
            writer.abort()
            await _fail(ctx, f, f"{exc.__class__.__name__}: {exc}"[:500])
            return None
        mime = choose_mime(f.mime or _DEFAULT_MIME.get(f.kind), stored.sniffed_mime)
        async with ctx.write() as conn:
            await record_file(
                conn, stored.sha256, stored.size, mime, stored.key, ctx.now(), f.width, f.height
            )
            await mark_file_stored(conn, f.media_id, stored.sha256, ctx.now())
        return stored.size
    await _fail(ctx, f, "file reference kept expiring after 3 attempts")
    return None


async def _fail(ctx: WorkerContext, f: PendingFile, error: str) -> None:
    log.warning("media %s/%s (%s) failed: %s", f.channel_id, f.msg_id, f.kind, error)
    async with ctx.write() as conn:
        await mark_file_status(conn, f.media_id, "failed", ctx.now(), error)
