"""Parse t.me pages: a `/s/<name>` preview into `MessageRow`s, and what a `/<name>` page says
about the name (a channel without preview, a user or bot, nobody, a blocked channel).

Pure: HTML text goes in, a `PreviewPage` comes out. Rows carry `source="web"`; what only the
page shows (views as written, the edit marker, file URLs) lives in `extra["web"]`. The fields
the preview lacks are listed in docs/telegram-behaviour.md ("t.me/s").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from archiver.rows import NOT_PREVIEWED, FileRow, MessageRow

from .parse_index import Index, child_tag, index_item, index_page
from .parse_media import MediaParts, media
from .parse_row import web_row
from .parse_text import text_and_entities

NOT_SUPPORTED = "Please open Telegram to view this post"
_POST_HREF = re.compile(r"/([A-Za-z0-9_]+)/(\d+)(?:\?single)?$")
_MIME = {
    "photo": "image/jpeg",
    "video": "video/mp4",
    "gif": "video/mp4",
    "round": "video/mp4",
    "voice": "audio/ogg",
}
_SERVICE = (
    ("Channel created", {"type": "channel_create"}),
    ("Channel photo updated", {"type": "chat_edit_photo", "has_photo": True}),
    ("Message pinned", {"type": "pin_message"}),
)


class TruncatedPage(ValueError):
    """The body ended before `</html>`: a cut-off answer, never evidence of anything."""


@dataclass(frozen=True)
class PreviewPage:
    """What one t.me page says.

    kind: "preview" (posts), "blocked" (a notice instead of posts), "channel" (a channel page
    without preview), "user" (the name is a user's or bot's), "nobody" (plain "Contact @name").
    """

    kind: str
    posts: list[MessageRow] = field(default_factory=list)
    before: int | None = None  # the `?before=` of the next older page, None at the first post
    notice: str | None = None
    title: str | None = None


def parse_views(shown: str) -> int:
    """ "1.2K" -> 1200, "15M" -> 15000000, "987" -> 987 (a lower bound, as shown)."""
    shown = shown.strip().replace(",", "")
    if shown.isdigit():
        return int(shown)
    scale = {"K": 1_000, "M": 1_000_000}.get(shown[-1:].upper(), 1)
    number = shown[:-1] if scale > 1 else shown
    return int(float(number or 0) * scale)


def _unix(node: LexborNode | None) -> int:
    stamp = node.attributes.get("datetime") if node is not None else None
    return int(datetime.fromisoformat(stamp).timestamp()) if stamp else 0


def _text_of(node: LexborNode, selector: str) -> str | None:
    found = node.css_first(selector)
    return found.text(deep=True).strip() if found is not None else None


def _shown(idx: Index, cls: str) -> str | None:
    node = idx.get(cls)
    return node.text(deep=True).strip() if node is not None else None


def _fwd(idx: Index) -> dict[str, Any] | None:
    node = idx.get("tgme_widget_message_forwarded_from_name")
    if node is None:
        return None
    name = node.text(deep=True).strip()
    match = _POST_HREF.search(node.attributes.get("href") or "")
    if node.tag == "a" and match:
        return {
            "from_type": "channel",
            "from_username": match.group(1),
            "channel_post": int(match.group(2)),
            "from_title": name,
        }
    if node.tag == "a":
        href = (node.attributes.get("href") or "").rstrip("/")
        return {
            "from_type": "channel",
            "from_username": href.rsplit("/", 1)[-1],
            "from_title": name,
        }
    return {"from_type": "hidden", "from_name": name}


def _reply(idx: Index) -> int | None:
    node = idx.get("tgme_widget_message_reply")
    match = _POST_HREF.search(node.attributes.get("href") or "") if node is not None else None
    return int(match.group(2)) if match else None


def _files(kind: str | None, info: dict[str, Any] | None) -> tuple[FileRow, ...]:
    if kind not in ("photo", "video", "gif", "round", "voice", "sticker", "webpage"):
        return ()
    info = info or {}
    file_kind = "photo" if kind == "webpage" else kind
    return (
        FileRow(
            kind=file_kind,
            mime=_MIME.get(file_kind),
            width=info.get("width"),
            height=info.get("height"),
            duration=info.get("duration"),
        ),
    )


def _row(
    channel_id: int, msg_id: int, date: int, parts: MediaParts, web: dict[str, Any], **fields: Any
) -> MessageRow:
    kind, info, urls = parts
    if urls:
        web["files"] = urls
    return web_row(
        channel_id=channel_id,
        msg_id=msg_id,
        date=date,
        media_kind=kind,
        media=info,
        files=_files(kind, info) if urls else (),
        extra={"web": web},
        **fields,
    )


def _footer(idx: Index) -> tuple[dict[str, Any], int | None, str | None]:
    """What the footer shows: `extra.web` (views as written, the edit marker), the views
    as a number, and the author's signature."""
    web: dict[str, Any] = {}
    views: int | None = None
    shown = _shown(idx, "tgme_widget_message_views")
    if shown:
        web["views"] = shown
        views = parse_views(shown)
    meta = idx.get("tgme_widget_message_meta")
    if meta is not None and "edited" in meta.text(deep=False):
        web["edited"] = True
    return web, views, _shown(idx, "tgme_widget_message_from_author")


def _album(
    channel_id: int, idx: Index, common: dict[str, Any], date: int, web: dict[str, Any]
) -> list[MessageRow]:
    """An album: one row per item (ids from the `?single` links), the caption on the first;
    headers, views and signature are the album's, so every item carries them."""
    rows: list[MessageRow] = []
    wrap = idx.get("tgme_widget_message_grouped_wrap")
    first: int | None = None
    for node in [] if wrap is None else wrap.css("a"):
        match = _POST_HREF.search(node.attributes.get("href") or "")
        if match is None:
            continue
        msg_id = int(match.group(2))
        parts = media(index_item(node))
        fields = common if first is None else {**common, "text": "", "entities": None}
        first = msg_id if first is None else first
        rows.append(_row(channel_id, msg_id, date, parts, {**web, "album_of": first}, **fields))
    return rows


def _service(channel_id: int, msg_id: int, date: int, idx: Index) -> MessageRow:
    shown = _shown(idx, "tgme_widget_message_service_text") or ""
    action = next((dict(a) for t, a in _SERVICE if t == shown), None)
    if action is None and shown.startswith("Channel name was changed to «"):
        action = {"type": "chat_edit_title", "title": shown[29:].rstrip("»")}
    return web_row(
        channel_id=channel_id,
        msg_id=msg_id,
        date=date,
        action=action or {"type": "unknown", "shown": shown},
    )


def _post(channel_id: int, node: LexborNode, idx: Index) -> list[MessageRow]:
    attrs = node.attributes
    msg_id = int((attrs.get("data-post") or "/0").rpartition("/")[2] or 0)
    date = _unix(child_tag(idx.get("tgme_widget_message_date"), "time"))
    if "service_message" in (attrs.get("class") or ""):
        return [_service(channel_id, msg_id, date, idx)]
    web, views, author = _footer(idx)
    text, entities = text_and_entities(idx.get("tgme_widget_message_text"))
    reply = _reply(idx)
    common: dict[str, Any] = {
        "text": text,
        "entities": entities,
        "reply_to_msg_id": reply,
        "reply_to": {"msg_id": reply} if reply else None,
        "fwd_from": _fwd(idx),
        "views": views,
        "post_author": author,
    }
    if "message_media_not_supported" in idx and "media" not in idx:
        return [_placeholder(channel_id, msg_id, date, idx, web, common)]
    if "tgme_widget_message_grouped_wrap" in idx:
        return _album(channel_id, idx, common, date, web)
    return [_row(channel_id, msg_id, date, media(idx), web, **common)]


def _placeholder(
    channel_id: int,
    msg_id: int,
    date: int,
    idx: Index,
    web: dict[str, Any],
    common: dict[str, Any],
) -> MessageRow:
    """A post t.me shows but cannot render: what the page does show (caption, headers,
    footer) and the notice, as media `unsupported`/`not_previewed` (`rows.is_placeholder`).
    A not-supported notice inside a media block (a video this browser cannot play) is not
    one: the block is the media."""
    web["unsupported"] = True
    shown = _shown(idx, "message_media_not_supported_label") or NOT_SUPPORTED
    info = {"type": NOT_PREVIEWED, "shown": shown}
    return _row(channel_id, msg_id, date, ("unsupported", info, []), web, **common)


def _before(page: Index) -> int | None:
    more = page.get("data-before")
    value = more.attributes.get("data-before") if more is not None else None
    return int(value) if value and value.isdigit() else None


def parse_page(html: str, channel_id: int) -> PreviewPage:
    """Parse a t.me page (after redirects); raises TruncatedPage for a cut-off body."""
    if "</html>" not in html[-64:].lower():
        raise TruncatedPage("the page ends before </html>")
    tree = LexborHTMLParser(html)
    parts, indexed = index_page(tree)
    if "tgme_channel_history" in parts:
        title = _shown(parts, "tgme_channel_info_header_title")
        blocked = _shown(parts, "tgme_channel_history_blocked")
        if blocked is not None:
            return PreviewPage("blocked", notice=blocked, title=title)
        posts = [row for node, idx in indexed for row in _post(channel_id, node, idx)]
        return PreviewPage("preview", posts=posts, before=_before(parts), title=title)
    page = tree.css_first(".tgme_page")
    if page is None:
        raise TruncatedPage("neither a preview nor a t.me page")
    title = _text_of(page, ".tgme_page_title")
    extra = _text_of(page, ".tgme_page_extra") or ""
    description = _text_of(page, ".tgme_page_description")
    if title is None:
        return PreviewPage("nobody", notice=description)
    if extra.startswith("@"):
        return PreviewPage("user", title=title)
    return PreviewPage("channel", notice=description, title=title)
