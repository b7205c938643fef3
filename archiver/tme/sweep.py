"""Re-read older t.me/s pages, a bounded number per pass: edits and deletions of posts below
the newest page, which live follow (the newest page only) never sees again.

The t.me/s counterpart of `worker.reconcile`: each pass reads `SWEEP_PAGES` pages going down
from `sync_state.reconcile_cursor` (the next `?before=`), stores what they show through
`store_page` (edits become revisions; a post missing from a page's range is one signal
towards its tombstone) and keeps the cursor with the page in one transaction; at the first
post it wraps around to the newest page.
"""

from __future__ import annotations

from dataclasses import dataclass

from archiver.store.sync_state import get_sync_state, update_sync_state

from .absences import DEFAULT_RULE, Confirmations
from .client import PoliteClient
from .follow import Begin, page_path, store_page

SWEEP_PAGES = 25
"""Pages per pass: 500 posts, under a minute at t.me's polite default of 0.5 pages/s."""


@dataclass(frozen=True, slots=True)
class SweepResult:
    pages: int = 0
    edited: int = 0
    deleted: int = 0


async def sweep_web_channel(
    begin: Begin,
    client: PoliteClient,
    channel_id: int,
    name: str,
    now: int,
    *,
    pages: int = SWEEP_PAGES,
    rule: Confirmations = DEFAULT_RULE,
) -> SweepResult:
    """Read up to `pages` older pages from the stored sweep cursor; stops early (the cursor
    stays) at a page that is not a preview, the erasure probe's business."""
    async with begin() as conn:
        before = (await get_sync_state(conn, channel_id)).reconcile_cursor
    edited = deleted = read = 0
    while read < pages:
        page = await client.page(page_path(name, before), channel_id)
        read += 1
        if page.kind != "preview":
            break
        ids = [r.msg_id for r in page.posts]
        after = min(ids) if ids and page.before is not None else None  # None: wrap around
        async with begin() as conn:
            result, gone = await store_page(conn, channel_id, page, before, now, rule)
            await update_sync_state(conn, channel_id, reconcile_cursor=after, reconciled_at=now)
        edited += result.edited
        deleted += gone
        if after is None:
            break
        before = after
    return SweepResult(read, edited, deleted)
