"""RSS 2.0 and Atom feeds of a channel, built with ElementTree so they are always well-formed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archiver.render import plain_summary, render_text
from archiver.site.urls import channel_url, media_url, post_url
from archiver.store.browse import recent_posts
from archiver.store.posts import Post, PostFile
from web.deps import ConfigDep, QuickConnDep
from web.lookup import Redirect, channel_or_404, redirect_response

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

router = APIRouter()
ATOM = "http://www.w3.org/2005/Atom"


def _base(request: Request, configured: str) -> str:
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def _title(post: Post) -> str:
    if post.text:
        return plain_summary(post.text, 100)
    if post.action:
        return f"[{post.action.get('type', 'service')}]"
    return f"[{post.media_kind or 'post'}]"


def _xml(root: ET.Element) -> bytes:
    """The feed as UTF-8 XML, without the characters XML 1.0 cannot carry (control characters,
    U+FFFE/U+FFFF, lone surrogates), which ElementTree would write as they are."""
    text = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return _NOT_XML.sub("", text).encode()


def _enclosure(base: str, file: PostFile, url_key: str = "href") -> dict[str, str]:
    return {
        url_key: base + media_url(file),
        "length": str(file.size or 0),
        "type": file.mime or "application/octet-stream",
    }


def _description(post: Post) -> str:
    text = str(render_text(post.text, post.entities))
    if post.deleted_at:
        text += "<p><em>Deleted on Telegram.</em></p>"
    return text


@router.get("/{key}/feed.rss", include_in_schema=False)
async def rss(request: Request, key: str, conn: QuickConnDep, config: ConfigDep) -> Response:
    try:
        ch = await channel_or_404(request, conn, key, "/feed.rss")
    except Redirect as exc:
        return redirect_response(exc)
    base = _base(request, config.web.base_url)
    root = ET.Element("rss", version="2.0")
    chan = ET.SubElement(root, "channel")
    ET.SubElement(chan, "title").text = ch.title
    ET.SubElement(chan, "link").text = base + channel_url(ch)
    ET.SubElement(chan, "description").text = ch.about or ch.title
    for post in await recent_posts(conn, ch.id):
        item = ET.SubElement(chan, "item")
        ET.SubElement(item, "title").text = _title(post)
        ET.SubElement(item, "link").text = base + post_url(ch, post.msg_id)
        ET.SubElement(item, "guid", isPermaLink="true").text = base + post_url(ch, post.msg_id)
        date = datetime.fromtimestamp(post.date, UTC)
        ET.SubElement(item, "pubDate").text = format_datetime(date)
        ET.SubElement(item, "description").text = _description(post)
        main = post.main_file
        if main is not None and media_url(main):
            ET.SubElement(item, "enclosure", _enclosure(base, main, "url"))
    return Response(_xml(root), media_type="application/rss+xml; charset=utf-8")


@router.get("/{key}/feed.atom", include_in_schema=False)
async def atom(request: Request, key: str, conn: QuickConnDep, config: ConfigDep) -> Response:
    try:
        ch = await channel_or_404(request, conn, key, "/feed.atom")
    except Redirect as exc:
        return redirect_response(exc)
    base = _base(request, config.web.base_url)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    posts = await recent_posts(conn, ch.id)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = ch.title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base + channel_url(ch)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base + channel_url(ch))
    updated = max((p.edit_date or p.date for p in posts), default=0)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = datetime.fromtimestamp(
        updated, UTC
    ).isoformat()
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = ch.title
    for post in posts:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = base + post_url(ch, post.msg_id)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _title(post)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        stamp = datetime.fromtimestamp(post.edit_date or post.date, UTC).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = stamp
        ET.SubElement(entry, f"{{{ATOM}}}published").text = datetime.fromtimestamp(
            post.date, UTC
        ).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = _description(post)
        main = post.main_file
        if main is not None and media_url(main):
            ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "enclosure", **_enclosure(base, main)})
    return Response(_xml(feed), media_type="application/atom+xml; charset=utf-8")
