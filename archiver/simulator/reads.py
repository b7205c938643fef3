"""Read queries behind the RPCs: history slices with Telegram's paging rules, and differences.

`history_slice` follows messages.getHistory: messages are ordered newest first; the page starts at
the first message older than `offset_id` (or, without it, sent before `offset_date`), moved by
`add_offset` (negative moves towards newer messages), and holds at most `limit` (≤ 100) messages.
`min_id`/`max_id` are exclusive bounds applied before paging.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

MAX_PAGE = 100
MAX_DIFFERENCE_LIMIT = 100_000  # updates.getChannelDifference: "max 100000"


@dataclass(frozen=True)
class Page:
    """One history request's paging parameters, as sent by the client."""

    offset_id: int = 0
    offset_date: int = 0
    add_offset: int = 0
    limit: int = MAX_PAGE
    max_id: int = 0
    min_id: int = 0


def history_slice(
    conn: sqlite3.Connection, channel_id: int, page: Page, thread_of: int | None = None
) -> list[sqlite3.Row]:
    """The page of live messages described by `page`, newest first (see module docstring)."""
    where, args = ["channel_id = ?", "deleted = 0"], [channel_id]
    if thread_of is not None:
        where.append("thread_of = ?")
        args.append(thread_of)
    if page.min_id:
        where.append("id > ?")
        args.append(page.min_id)
    if page.max_id:
        where.append("id < ?")
        args.append(page.max_id)
    limit = max(0, min(page.limit, MAX_PAGE))
    below: str | None
    above: str | None
    if page.offset_id:
        below, above, pivot = "id < ?", "id >= ?", page.offset_id
    elif page.offset_date > 0:
        below, above, pivot = "date < ?", "date >= ?", page.offset_date
    else:
        below = above = None
        pivot = 0
    base = " AND ".join(where)

    newer: list[sqlite3.Row] = []
    if page.add_offset < 0 and above is not None:
        # The -add_offset messages just above the pivot, nearest first; keep those in the window.
        k = -page.add_offset
        rows = conn.execute(
            f"SELECT * FROM messages WHERE {base} AND {above} ORDER BY id ASC LIMIT ?",
            (*args, pivot, k),
        ).fetchall()
        newer = list(reversed(rows[max(0, k - limit) :]))
    skip = max(0, page.add_offset)
    take = limit - len(newer) if page.add_offset < 0 else limit
    take = min(take, limit + page.add_offset) if page.add_offset < 0 else take
    older: list[sqlite3.Row] = []
    if take > 0:
        cond = f"{base} AND {below}" if below else base
        older = conn.execute(
            f"SELECT * FROM messages WHERE {cond} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*args, *([pivot] if below else []), take, skip),
        ).fetchall()
    return newer + older


def messages_by_id(
    conn: sqlite3.Connection, channel_id: int, ids: list[int]
) -> dict[int, sqlite3.Row]:
    """Stored rows (deleted ones included) for the given ids."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT * FROM messages WHERE channel_id = ? AND id IN ({marks})", (channel_id, *ids)
    )
    return {row["id"]: row for row in rows}


@dataclass
class Difference:
    """What happened in a channel after a pts: rows to send as new, edited or deleted."""

    pts: int
    final: bool
    new: list[sqlite3.Row]
    edited: list[sqlite3.Row]
    deleted: list[sqlite3.Row]
    too_long: bool = False


def channel_difference(
    conn: sqlite3.Connection, channel_id: int, since_pts: int, current_pts: int, limit: int
) -> Difference:
    """Events with pts above `since_pts`, oldest first.

    As updates.channelDifferenceTooLong documents, `since_pts + limit < current_pts` (more
    updates than `limit` to fetch) is too long: the client must re-fetch the state.
    """
    if since_pts >= current_pts:
        return Difference(current_pts, True, [], [], [])
    if since_pts + limit < current_pts:
        return Difference(current_pts, True, [], [], [], too_long=True)
    new = conn.execute(
        "SELECT *, pts AS event_pts FROM messages WHERE channel_id = ? AND pts > ? AND deleted = 0",
        (channel_id, since_pts),
    ).fetchall()
    edited = conn.execute(
        "SELECT *, edit_pts AS event_pts FROM messages WHERE channel_id = ? AND edit_pts > ?"
        " AND pts <= ? AND deleted = 0",
        (channel_id, since_pts, since_pts),
    ).fetchall()
    deleted = conn.execute(
        "SELECT *, delete_pts AS event_pts FROM messages WHERE channel_id = ? AND delete_pts > ?"
        " AND pts <= ?",
        (channel_id, since_pts, since_pts),
    ).fetchall()
    events = sorted(
        [("new", r) for r in new] + [("edit", r) for r in edited] + [("del", r) for r in deleted],
        key=lambda e: e[1]["event_pts"],
    )
    limit = max(1, limit)
    final = len(events) <= limit
    events = events[:limit]
    pts = current_pts if final else events[-1][1]["event_pts"]
    return Difference(
        pts,
        final,
        [r for k, r in events if k == "new"],
        [r for k, r in events if k == "edit"],
        [r for k, r in events if k == "del"],
    )


def last_messages(conn: sqlite3.Connection, channel_id: int, limit: int) -> list[sqlite3.Row]:
    """The newest live messages of a channel, newest first."""
    return conn.execute(
        "SELECT * FROM messages WHERE channel_id = ? AND deleted = 0 ORDER BY id DESC LIMIT ?",
        (channel_id, limit),
    ).fetchall()
