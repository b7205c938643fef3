"""Archive a channel from t.me/s: backfill by walking `?before=` to the first post, and live
follow by re-reading the newest page (edits become revisions through `save_messages`; a post
missing from a range the preview showed before becomes a tombstone after the usual
confirmations, see `absences`).

Resumable like the Telegram backfill: each page's rows and the cursor that covers them are
committed together in `sync_state` (`pass_max_id`, `pass_offset_id` = the next `before`,
`synced_max_id` once a pass reaches what was archived before), so a kill -9 resumes at the
page it was on. Posts another source captured (`source != "web"`) are left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.rows import MessageRow, SaveResult
from archiver.store.messages import save_messages
from archiver.store.sync_state import finish_history_pass, get_sync_state, update_sync_state
from archiver.store.web_source import captured_elsewhere

from .absences import DEFAULT_RULE, Confirmations, note_page
from .client import PoliteClient
from .parse import PreviewPage


@dataclass(frozen=True)
class WebSyncResult:
    """What one pass did; `page` is the last page read (its `kind` is the evidence t.me gave:
    "preview" when the channel is there, else "blocked", "channel", "user" or "nobody")."""

    inserted: int
    edited: int
    pages: int
    page: PreviewPage | None
    complete: bool
    deleted: int = 0


Begin = Callable[[], AbstractAsyncContextManager[AsyncConnection]]
"""A write transaction: ``engine.begin`` or ``WorkerContext.write``."""
WEB_ID_BASE = 8_000_000_000_000_000


def web_channel_id(username: str) -> int:
    """A stable id for a channel known only from t.me (the preview shows no channel id):
    above every Telegram channel id (< 2**41) and below 2**53, so JavaScript keeps it exact."""
    digest = hashlib.sha256(username.lower().encode()).digest()
    return WEB_ID_BASE + int.from_bytes(digest[:8], "big") % 10**15


def page_path(name: str, before: int | None) -> str:
    """The path of a channel's preview page: the newest, or the one older than `before`."""
    return f"/s/{name}" + (f"?before={before}" if before else "")


async def store_page(
    conn: AsyncConnection,
    channel_id: int,
    page: PreviewPage,
    before: int | None,
    now: int,
    rule: Confirmations,
) -> tuple[SaveResult, int]:
    """Store one preview page read at `?before=` (posts, edits as revisions, and what it says
    of deletions); posts another source captured are left alone. Returns the save's result
    and how many posts got a tombstone."""
    skip = await captured_elsewhere(conn, channel_id, [r.msg_id for r in page.posts])
    mine: list[MessageRow] = [r for r in page.posts if r.msg_id not in skip]
    result = await save_messages(conn, mine, now)
    return result, len(await note_page(conn, channel_id, page, before, now, rule))


async def sync_web_channel(
    begin: Begin,
    client: PoliteClient,
    channel_id: int,
    name: str,
    now: int,
    *,
    max_pages: int | None = None,
    rule: Confirmations = DEFAULT_RULE,
    progress: Callable[[int], None] | None = None,
) -> WebSyncResult:
    """One pass over the channel's preview: from the newest page (or the saved cursor) down to
    what is archived, each page written in one `begin()` transaction with its cursor and what
    it says of deletions (`rule`: the confirmations a tombstone needs); `max_pages` stops
    early (the cursor keeps the place); `progress` hears how many posts each page added."""
    async with begin() as conn:
        state = await get_sync_state(conn, channel_id)
    floor, top, before = state.synced_max_id, state.pass_max_id, state.pass_offset_id
    inserted = edited = deleted = pages = 0
    page: PreviewPage | None = None
    while max_pages is None or pages < max_pages:
        page = await client.page(page_path(name, before), channel_id)
        pages += 1
        if page.kind != "preview":
            return WebSyncResult(inserted, edited, pages, page, False, deleted)
        ids = [r.msg_id for r in page.posts]
        async with begin() as conn:
            result, gone = await store_page(conn, channel_id, page, before, now, rule)
            deleted += gone
            low = min(ids) if ids else None
            top = top if top is not None else (max(ids) if ids else None)
            done = low is None or page.before is None or low <= floor + 1
            if done:
                await finish_history_pass(conn, channel_id, floor, top, now)
            else:
                await update_sync_state(conn, channel_id, pass_max_id=top, pass_offset_id=low)
        inserted += result.inserted
        edited += result.edited
        if progress is not None:
            progress(result.inserted)
        if done:
            return WebSyncResult(inserted, edited, pages, page, True, deleted)
        before = low
    return WebSyncResult(inserted, edited, pages, page, False, deleted)
