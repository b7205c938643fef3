"""Whole t.me pages over the world file: the `/s/<name>` preview, `/<name>` contact pages.

Each function reads the world (one sqlite3 connection) and returns `(status, headers, html)`;
`web_preview` serves them over HTTP. Messages are built with `tl_build.message`, the same
objects the RPC layer answers with, then drawn by `web_markup`.
"""

from __future__ import annotations

import json
import sqlite3
from html import escape
from typing import Any

from . import tl_build
from .web_markup import PostContext, post_html, short_count

PAGE_SIZE = 20
Page = tuple[int, dict[str, str], str]


def file_token(file_id: int, ext: str) -> str:
    """The last path segment of a file's CDN URL (t.me uses opaque tokens; ours name the id)."""
    return f"f{file_id}.{ext}"


def _channel(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM channels WHERE lower(username) = lower(?)", (name,)
    ).fetchone()
    return row


def _file(conn: sqlite3.Connection, file_id: int) -> sqlite3.Row:
    row: sqlite3.Row = conn.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
    return row


def _context(conn: sqlite3.Connection, channel: sqlite3.Row, base_url: str) -> PostContext:
    def channel_name(cid: int) -> tuple[str | None, str]:
        row = conn.execute("SELECT username, title FROM channels WHERE id = ?", (cid,)).fetchone()
        return (row[0], row[1]) if row else (None, "Deleted channel")

    def reply_text(mid: int) -> str | None:
        row = conn.execute(
            "SELECT text FROM messages WHERE channel_id = ? AND id = ? AND deleted = 0",
            (channel["id"], mid),
        ).fetchone()
        return None if row is None else str(row[0])[:100]

    return PostContext(
        username=channel["username"],
        title=channel["title"],
        base_url=base_url,
        file_url=lambda fid, ext: f"{base_url}/file/{file_token(fid, ext)}",
        channel_name=channel_name,
        reply_text=reply_text,
    )


def _blocked_text(channel: sqlite3.Row) -> str | None:
    if not channel["restriction"]:
        return None
    restriction: dict[str, Any] = json.loads(channel["restriction"])
    return str(restriction.get("text") or "This channel is unavailable.")


def _head(title: str, canonical: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta property="og:title" content="{escape(title, quote=True)}">'
        f'<link rel="canonical" href="{canonical}">{extra}</head>'
    )


def _info_header(channel: sqlite3.Row, base_url: str) -> str:
    name = channel["username"]
    return (
        f'<header class="tgme_header"><div class="tgme_channel_info"><div class="'
        f'tgme_channel_info_header"><div class="tgme_channel_info_header_title"><span'
        f' dir="auto">{escape(channel["title"])}</span></div><div class="'
        f'tgme_channel_info_header_username"><a href="{base_url}/{name}">@{name}</a></div>'
        f'</div><div class="tgme_channel_info_description">{escape(channel["about"] or "")}'
        f'</div><div class="tgme_channel_info_counters"><div class="'
        f'tgme_channel_info_counter"><span class="counter_value">'
        f'{short_count(channel["participants"] or 0)}</span> <span class="counter_type">'
        f"subscribers</span></div></div></div></header>"
    )


def _widgets(ctx: PostContext, messages: list[Any]) -> str:
    """Widget messages, an album (consecutive posts sharing a grouped_id) drawn as one."""
    out: list[str] = []
    i = 0
    while i < len(messages):
        msg = messages[i]
        group = getattr(msg, "grouped_id", None)
        j = i + 1
        while group and j < len(messages) and getattr(messages[j], "grouped_id", None) == group:
            j += 1
        album = messages[i:j] if j - i > 1 else None
        out.append(post_html(ctx, msg, album))
        i = j
    return "".join(out)


def preview_page(
    conn: sqlite3.Connection, name: str, base_url: str, before: int | None = None
) -> Page:
    """t.me/s/<name>[?before=<id>]: the newest 20 posts older than `before`, or a redirect
    to t.me/<name> for anything that has no preview (no channel, private, a group)."""
    channel = _channel(conn, name)
    if channel is None or channel["status"] != "ok" or channel["megagroup"]:
        return 302, {"location": f"{base_url}/{name}"}, ""
    username = channel["username"]
    canonical = f"{base_url}/s/{username}"
    blocked = _blocked_text(channel)
    if blocked is not None:
        body = (
            f'<main class="tgme_main"><section class="tgme_channel_history"><div class="'
            f'tgme_widget_message_centered"><div class="tgme_channel_history_blocked">'
            f"{escape(blocked)}</div></div></section></main>"
        )
        head = _head(f"{channel['title']} – Telegram", canonical)
        return 200, {}, f"{head}<body>{_info_header(channel, base_url)}{body}</body></html>"
    rows = conn.execute(
        "SELECT * FROM messages WHERE channel_id = ? AND deleted = 0 AND id < ?"
        " ORDER BY id DESC LIMIT ?",
        (channel["id"], before if before is not None else 1 << 62, PAGE_SIZE),
    ).fetchall()
    rows.reverse()
    messages = [tl_build.message(r, lambda fid: _file(conn, fid)) for r in rows]
    ctx = _context(conn, channel, base_url)
    links = ""
    more = ""
    if rows and rows[0]["id"] > 1:
        first = rows[0]["id"]
        links += f'<link rel="prev" href="/s/{username}?before={first}">'
        more = (
            f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="'
            f'/s/{username}?before={first}" data-before="{first}" class="tme_messages_more'
            f' js-messages_more"></a></div>'
        )
    if before is not None and rows:
        links += f'<link rel="next" href="/s/{username}?after={rows[-1]["id"]}">'
    head = _head(f"{channel['title']} – Telegram", canonical, links)
    body = (
        f'<main class="tgme_main"><section class="tgme_channel_history js-message_history">'
        f"{more}{_widgets(ctx, messages)}</section></main>"
    )
    return 200, {}, f"{head}<body>{_info_header(channel, base_url)}{body}</body></html>"


def _tgme_page(
    name: str,
    base_url: str,
    title: str | None,
    extra: str | None,
    description: str,
    action: str,
    context_link: str = "",
) -> str:
    head = _head(f"Telegram: Contact @{name}", f"{base_url}/{name}")
    parts = [
        f'<div class="tgme_page_title"><span dir="auto">{escape(title)}</span></div>'
        if title
        else "",
        f'<div class="tgme_page_extra">{escape(extra)}</div>' if extra else "",
        f'<div class="tgme_page_description" dir="auto">{escape(description)}</div>',
        f'<div class="tgme_page_action"><a class="tgme_action_button_new"'
        f' href="tg://resolve?domain={name}">{action}</a></div>',
        context_link,
    ]
    page = f'<div class="tgme_page_wrap"><div class="tgme_page">{"".join(parts)}</div></div>'
    return f"{head}<body>{page}</body></html>"


def contact_page(conn: sqlite3.Connection, name: str, base_url: str) -> Page:
    """t.me/<name>: a channel's page (with "Preview channel" when t.me/s has one), a user's or
    bot's page, or the bare "Contact @name" page when nothing holds the username."""
    channel = _channel(conn, name)
    if channel is not None and channel["status"] == "ok":
        previewable = not channel["megagroup"] and not channel["restriction"]
        link = (
            f'<div class="tgme_page_context_link_wrap"><a class="tgme_page_context_link"'
            f' href="/s/{channel["username"]}">Preview channel</a></div>'
            if previewable
            else ""
        )
        noun = "members" if channel["megagroup"] else "subscribers"
        description = _blocked_text(channel) or channel["about"] or ""
        html = _tgme_page(
            name,
            base_url,
            channel["title"],
            f"{channel['participants'] or 0} {noun}",
            description,
            "View in Telegram",
            link,
        )
        return 200, {}, html
    user = conn.execute("SELECT * FROM users WHERE lower(username) = lower(?)", (name,)).fetchone()
    if user is not None:
        full = " ".join(p for p in (user["first_name"], user["last_name"]) if p)
        bot = bool(user["bot"]) if "bot" in user.keys() else False  # noqa: SIM118 - sqlite3.Row
        action = "Start Bot" if bot else "Send Message"
        return 200, {}, _tgme_page(name, base_url, full, f"@{user['username']}", "", action)
    description = f"If you have Telegram, you can contact @{name} right away."
    return 200, {}, _tgme_page(name, base_url, None, None, description, "Send Message")
