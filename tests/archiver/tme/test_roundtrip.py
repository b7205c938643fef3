"""Every post kind on the simulator's t.me/s pages parses into the row the Telegram source
makes of the same message, apart from the fields the preview lacks (docs: "t.me/s")."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from archiver.rows import MessageRow
from archiver.simulator import schema, tl_build
from archiver.simulator.web_markup import short_count
from archiver.telegram.convert import message_row
from archiver.tme.parse import parse_page

UNSHOWN_KINDS = {"dice"}  # t.me/s shows "Please open Telegram to view this post"


def _walk(base_url: str, channel_id: int) -> list[MessageRow]:
    """Every row of the channel, walking ?before= from the newest page to the first post."""
    rows: list[MessageRow] = []
    url = f"{base_url}/s/news_en"
    with httpx.Client() as client:
        while True:
            page = parse_page(client.get(url).text, channel_id)
            rows.extend(page.posts)
            if page.before is None:
                return rows
            url = f"{base_url}/s/news_en?before={page.before}"


def _telegram_rows(path: Path, channel_id: int) -> dict[int, MessageRow]:
    conn = schema.connect(path)

    def files(fid: int) -> sqlite3.Row:
        row: sqlite3.Row = conn.execute("SELECT * FROM files WHERE id = ?", (fid,)).fetchone()
        return row

    out = {}
    for row in conn.execute(
        "SELECT * FROM messages WHERE channel_id = ? AND deleted = 0", (channel_id,)
    ):
        converted = message_row(tl_build.message(row, files), channel_id)
        assert converted is not None
        out[converted.msg_id] = converted
    conn.close()
    return out


def _entities(items: Any) -> list[dict[str, Any]]:
    """Entities minus what the preview drops (a pre block's language), in a stable order."""
    out = [{k: v for k, v in e.items() if k != "language"} for e in items or []]
    return sorted(out, key=lambda e: (e["offset"], -e["length"], e["type"]))


def test_every_post_round_trips(web_world: Path, tme: Starlette) -> None:
    conn = schema.connect(web_world)
    channel_id = conn.execute("SELECT id FROM channels WHERE username = 'news_en'").fetchone()[0]
    conn.close()
    web = _walk(tme.state.base_url, channel_id)
    telegram = _telegram_rows(web_world, channel_id)
    assert sorted(r.msg_id for r in web) == sorted(telegram)
    kinds: set[str] = set()
    for row in web:
        tg = telegram[row.msg_id]
        assert row.source == "web" and row.date == tg.date
        if tg.action is not None:
            assert row.action is not None and row.action["type"] == tg.action["type"]
            kinds.add("service:" + tg.action["type"])
            continue
        kinds.add(tg.media_kind or "text")
        if tg.media_kind in UNSHOWN_KINDS:  # a placeholder with what t.me does show
            assert row.extra["web"]["unsupported"] is True
            assert (row.media_kind, row.media["type"]) == ("unsupported", "not_previewed")
            assert (row.text, _entities(row.entities)) == (tg.text, _entities(tg.entities))
            continue
        assert (row.text, _entities(row.entities)) == (tg.text, _entities(tg.entities))
        assert row.media_kind == tg.media_kind
        assert row.post_author == tg.post_author
        assert row.reply_to_msg_id == tg.reply_to_msg_id
        assert row.extra["web"]["views"] == short_count(tg.views or 0)
        assert row.views is not None and row.views <= (tg.views or 0)
        if tg.fwd_from is not None:
            assert row.fwd_from is not None
            assert row.fwd_from.get("channel_post") == tg.fwd_from.get("channel_post")
            if tg.fwd_from.get("from_name"):
                assert row.fwd_from["from_name"] == tg.fwd_from["from_name"]
        if tg.media_kind in ("video", "gif", "round", "voice"):
            assert row.media["duration"] == int(tg.media["duration"])
        if tg.media_kind == "poll":
            assert row.media["question"] == tg.media["question"]
            assert [a["text"] for a in row.media["answers"]] == [
                a["text"] for a in tg.media["answers"]
            ]
        if tg.media_kind in ("geo", "venue"):
            assert (row.media["lat"], row.media["long"]) == (tg.media["lat"], tg.media["long"])
        if tg.media_kind == "contact":
            name = f"{tg.media['first_name']} {tg.media['last_name']}".strip()
            assert (row.media["first_name"], row.media["phone"]) == (name, tg.media["phone"])
        if tg.media_kind == "webpage":
            for key in ("url", "site_name", "title", "description"):
                assert row.media.get(key) == tg.media.get(key)
    assert {
        "photo",
        "video",
        "gif",
        "round",
        "voice",
        "audio",
        "document",
        "sticker",
        "poll",
        "geo",
        "venue",
        "webpage",
        "contact",
        "dice",
        "text",
        "service:channel_create",
    } <= kinds


def test_media_bytes_match_the_telegram_files(web_world: Path, tme: Starlette) -> None:
    """A file URL on the page serves the bytes the Telegram source downloads."""
    conn = schema.connect(web_world)
    channel_id = conn.execute("SELECT id FROM channels WHERE username = 'news_en'").fetchone()[0]
    web = _walk(tme.state.base_url, channel_id)
    telegram = _telegram_rows(web_world, channel_id)
    checked = 0
    with httpx.Client() as client:
        for row in web:
            urls = (row.extra or {}).get("web", {}).get("files", [])
            tg = telegram[row.msg_id]
            mains = [f for f in tg.files if f.role == "main"]
            if not urls or not mains:
                continue
            expected = conn.execute(
                "SELECT b.data FROM files f JOIN blobs b ON b.sha = f.sha WHERE f.id = ?",
                (mains[0].tg_file_id,),
            ).fetchone()[0]
            assert client.get(urls[0]).content == bytes(expected)
            checked += 1
    conn.close()
    assert checked > 20
