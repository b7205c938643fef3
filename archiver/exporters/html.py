"""A static HTML site of a channel that opens from ``file://`` or any static host, offline.

It renders the mirror's own templates (``archiver/site``, shared with the web mirror) with
relative URLs: ``index.html`` and ``page-N.html`` for the channel, ``post-ID.html`` for
permalinks with their edit history, ``media/`` for files and ``static/`` for the stylesheet.
Pages are written newest first by keyset, so memory stays flat.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.config import Config
from archiver.errors import ExportError
from archiver.exporters.writer import ExportResult
from archiver.media import MediaStore
from archiver.render import group_albums
from archiver.site.environment import STATIC_DIR, make_environment
from archiver.site.locales import SOURCE_LANGUAGE
from archiver.site.photos import photo_image
from archiver.site.urls import media_url
from archiver.store.browse import channel_page, permalink
from archiver.store.channels import Channel
from archiver.store.media import file_path
from archiver.store.posts import Post

PAGE_SIZE = 50


def _page_name(number: int) -> str:
    return "index.html" if number == 1 else f"page-{number}.html"


def _relative_media_url(file: Any) -> str:
    return media_url(file).lstrip("/")


def _environment(language: str) -> jinja2.Environment:
    env = make_environment(Config(), language)
    env.globals.update(
        channel_url=lambda channel: "index.html",
        post_url=lambda channel, msg_id: f"post-{msg_id}.html",
        media_url=_relative_media_url,
        # no server to make thumbnails: the site links the originals it copies
        photo_image=functools.partial(photo_image, thumbnails=False, link=_relative_media_url),
        static_prefix="static/",
        media_prefix="media/",
        home_url="index.html",
        static_site=True,
    )
    return env


async def export_html(
    conn: AsyncConnection,
    channel: Channel,
    out: Path,
    media: MediaStore,
    *,
    since: int | None = None,
    until: int | None = None,
    with_media: bool = True,
    progress: Callable[[int], None] = lambda n: None,
    language: str = SOURCE_LANGUAGE,
) -> ExportResult:
    """Write the site into ``out`` in ``language``; returns counts (``path`` is its
    index.html)."""
    env = _environment(language)
    result = ExportResult(path=out / "index.html")
    try:
        shutil.copytree(STATIC_DIR, out / "static", dirs_exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write the site: {exc}") from exc
    if with_media and channel.photo_sha256:
        # channel.html shows the avatar as media/<sha256>, with no extension
        found = await file_path(conn, channel.photo_sha256)
        if found is not None:
            result.bytes += await _copy(media, found[0], out / "media" / channel.photo_sha256)
    channel_tpl, post_tpl = env.get_template("channel.html"), env.get_template("post.html")
    number, before = 1, None
    while True:
        page = await channel_page(conn, channel.id, before=before, limit=PAGE_SIZE)
        posts = [
            p
            for p in page.posts
            if (since is None or p.date >= since) and (until is None or p.date < until)
        ]
        for post in posts:
            await _write_post(conn, post_tpl, channel, post, out)
            if with_media:
                for f in post.files:
                    url = media_url(f)
                    if url:
                        result.files += 1
                        result.bytes += await _copy(media, f.path, out / url.lstrip("/"))
        context = {
            "channel": channel,
            "cards": group_albums(posts),
            "page": page,
            "old_usernames": [],
            "older_url": _page_name(number + 1) if page.older else None,
            "newer_url": _page_name(number - 1) if number > 1 else None,
        }
        write_if_changed(out / _page_name(number), channel_tpl.render(context))
        result.posts += len(posts)
        progress(len(page.posts))
        if page.older is None:
            return result
        number, before = number + 1, page.older


async def _write_post(
    conn: AsyncConnection, template: Any, channel: Channel, post: Post, out: Path
) -> None:
    page = await permalink(conn, channel.id, post)
    context = {
        "channel": channel,
        "post": post,
        "items": page.items,
        "history": page.history,
        "reply": page.reply,
        "in_channel_url": "index.html",
    }
    write_if_changed(out / f"post-{post.msg_id}.html", template.render(context))


def write_if_changed(path: Path, text: str) -> bool:
    """Write a page unless the same page is already there (``--update`` writes only changes)."""
    data = text.encode("utf-8")
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


async def _copy(media: MediaStore, key: str | None, target: Path) -> int:
    return await media.copy_to(key, target) if key else 0
