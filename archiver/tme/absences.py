"""Deletions seen from t.me/s: a post missing from a range the preview showed it in before
gets a tombstone only after the archiver's usual confirmations.

t.me has no "this post was deleted" answer in its preview: a deleted post just stops being
shown. One read without it is no proof (a page served from a stale cache, a post hidden for a
while), so each read of the range that lacks a stored post is one erasure *signal* for that
post, counted by the rule that erases a channel (`channel_status.next_state`):
`erasure_confirmations` signals on reads at least `erasure_check_interval` apart. A read that
shows the post again forgets its signals. Faults and cut-off bodies never reach this module
(`PoliteClient.page` raises instead of returning a page), so they can never count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.store.messages import mark_deleted
from archiver.store.web_absences import (
    Absence,
    clear_absences,
    get_absences,
    put_absences,
    shown_before,
)
from archiver.worker.channel_status import ChannelState, Observation, next_state

from .parse import PreviewPage

DELETED_HOW = "web"
"""`messages.deleted_how` of a tombstone established from t.me/s."""


@dataclass(frozen=True, slots=True)
class Confirmations:
    """How many reads, how far apart, confirm that a post is gone (`[archive]` settings)."""

    count: int = 3
    interval: int = 1800


DEFAULT_RULE = Confirmations()


def covered_range(page: PreviewPage, before: int | None) -> tuple[int, int] | None:
    """The ids a preview page answers for: every post of the channel in this range that is
    not on the page is not shown by t.me. The newest page answers up to its newest post; a
    `?before=B` page up to B-1; the page holding the first post (no older page) from id 1."""
    if page.kind != "preview":
        return None
    ids = [r.msg_id for r in page.posts]
    if not ids and before is None:
        return None  # an empty newest page: a channel with no posts says nothing of a range
    high = before - 1 if before is not None else max(ids)
    low = 1 if page.before is None or not ids else min(ids)
    return (low, high) if low <= high else None


async def note_page(
    conn: AsyncConnection,
    channel_id: int,
    page: PreviewPage,
    before: int | None,
    now: int,
    rule: Confirmations,
) -> list[int]:
    """Count what one page read shows and lacks; returns the ids tombstoned by this read."""
    shown = {r.msg_id for r in page.posts}
    await clear_absences(conn, channel_id, shown)
    span = covered_range(page, before)
    if span is None:
        return []
    missing = sorted(await shown_before(conn, channel_id, *span) - shown)
    if not missing:
        return []
    known = await get_absences(conn, channel_id, missing)
    gone: list[int] = []
    counted: list[Absence] = []
    for msg_id in missing:
        old = known.get(msg_id)
        state = (
            ChannelState(
                "suspect", "deleted", old.signal_count, old.signal_first_at, old.signal_last_at
            )
            if old
            else ChannelState()
        )
        step = next_state(
            state,
            Observation("signal", "deleted", "t.me/s: missing from its range"),
            now,
            confirmations=rule.count,
            interval=rule.interval,
        )
        new = step.state
        if new.status == "erased":
            gone.append(msg_id)
        elif new.signal_first_at is not None and new.signal_last_at is not None:
            counted.append(
                Absence(msg_id, new.signal_count, new.signal_first_at, new.signal_last_at)
            )
    await put_absences(conn, channel_id, counted)
    await clear_absences(conn, channel_id, gone)
    return await mark_deleted(conn, channel_id, gone, now, DELETED_HOW)
