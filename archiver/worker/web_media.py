"""Download the files of posts read from t.me/s, from the URLs their page gave, into the
same content-addressed store the Telegram source fills (same bytes, same key)."""

from __future__ import annotations

import logging

from archiver.media.sniff import choose_mime, extension_for
from archiver.store.channels import Channel
from archiver.store.media import mark_file_status, mark_file_stored, pending_files, record_file
from archiver.store.web_source import web_file_urls
from archiver.tme.client import WebUnavailable
from archiver.worker.context import WorkerContext
from archiver.worker.media import MediaResult

log = logging.getLogger(__name__)
PAGE = 200


async def download_web_media(ctx: WorkerContext, channel: Channel) -> MediaResult:
    """Fetch every pending file of a web channel the media policy allows; a fault marks the
    file failed (retried next pass), never the post."""
    kinds, max_bytes = ctx.media_limits(channel.id, channel.username)
    stored = failed = skipped = total = 0
    below: int | None = None
    while not ctx.stopping.is_set():
        async with ctx.read() as conn:
            page = await pending_files(conn, channel.id, limit=PAGE, below_msg_id=below)
            urls = await web_file_urls(conn, channel.id, {f.msg_id for f in page})
        if not page:
            break
        below = min(f.msg_id for f in page)
        for f in page:
            found = urls.get(f.msg_id)
            url = found[0] if found else None
            if f.kind not in kinds or max_bytes == 0 or url is None:
                async with ctx.write() as conn:
                    why = "media policy" if url else "t.me gives no URL for this file"
                    await mark_file_status(conn, f.media_id, "skipped", ctx.now(), why)
                skipped += 1
                continue
            try:
                data = await ctx.web.file(url)
            except WebUnavailable as exc:
                async with ctx.write() as conn:
                    await mark_file_status(conn, f.media_id, "failed", ctx.now(), str(exc)[:500])
                failed += 1
                continue
            if len(data) > max_bytes:
                async with ctx.write() as conn:
                    await mark_file_status(conn, f.media_id, "skipped", ctx.now(), "media policy")
                skipped += 1
                continue
            saved = await ctx.media.put([data], extension_for(f.mime, f.file_name))
            mime = choose_mime(f.mime, saved.sniffed_mime)
            async with ctx.write() as conn:
                await record_file(
                    conn, saved.sha256, saved.size, mime, saved.key, ctx.now(), f.width, f.height
                )
                await mark_file_stored(conn, f.media_id, saved.sha256, ctx.now())
            stored += 1
            total += saved.size
    return MediaResult(stored, failed, skipped, total)
