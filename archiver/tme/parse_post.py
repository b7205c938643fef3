"""One t.me/s post (a `tgme_widget_message` div) into its `MessageRow`s: the parser's hot path.

The bubble's children are read one by one, by first class: the text, the reply header, the
service line and the footer are taken as they are (the footer's views, edit marker, signature
and date read from its few elements), the channel's name and the avatar are passed over, and
every other block (media, album, forward header, poll voters, venue, the "not supported"
notice…) is indexed element by element for `parse_media`. Python reading an element costs more
than lexbor's whole walk of it (bench/web_preview.py), so no element is read twice and none is
read that the row does not need.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from selectolax.lexbor import LexborNode

from archiver.rows import NOT_PREVIEWED, FileRow, MessageRow

from .parse_index import TIME, Index, attr, index_blocks, index_item
from .parse_media import MediaParts, media
from .parse_row import post_row, web_row
from .parse_text import text_and_entities

NOT_SUPPORTED = "Please open Telegram to view this post"
POST_HREF = re.compile(r"/([A-Za-z0-9_]+)/(\d+)(?:\?single)?$")
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
_TEXT, _FOOTER, _REPLY, _SERVICE_TEXT, _PASS, _BUBBLE, _OTHER = range(7)
_BLOCKS = {
    "tgme_widget_message_text": _TEXT,
    "tgme_widget_message_footer": _FOOTER,
    "tgme_widget_message_reply": _REPLY,
    "tgme_widget_message_service_text": _SERVICE_TEXT,
    "tgme_widget_message_author": _PASS,  # the channel's own name
    "tgme_widget_message_user": _PASS,  # its avatar
    "tgme_widget_message_bubble_tail": _PASS,
    "tgme_widget_message_bubble": _BUBBLE,
}
_VIEWS, _AUTHOR, _DATE, _META, _ENTER = range(5)
_FOOTER_PARTS = {
    "tgme_widget_message_views": _VIEWS,
    "tgme_widget_message_from_author": _AUTHOR,
    "tgme_widget_message_date": _DATE,
    "tgme_widget_message_meta": _META,
}
_SCALE = {"K": 1_000, "M": 1_000_000}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_VIEWS_SHOWN: dict[str, int] = {}


def parse_views(shown: str) -> int:
    """ "1.2K" -> 1200, "15M" -> 15000000, "987" -> 987 (a lower bound, as shown)."""
    shown = shown.strip().replace(",", "")
    if shown.isdigit():
        return int(shown)
    scale = _SCALE.get(shown[-1:].upper(), 1)
    number = shown[:-1] if scale > 1 else shown
    return int(float(number or 0) * scale)


def _views(shown: str) -> int:
    """`parse_views`, remembered: a page shows the same few dozen counts again and again."""
    views = _VIEWS_SHOWN.get(shown)
    if views is None:
        if len(_VIEWS_SHOWN) > 4096:
            _VIEWS_SHOWN.clear()
        views = _VIEWS_SHOWN[shown] = parse_views(shown)
    return views


_ROLES: dict[str | None, int] = {}
"""`class` attribute of a bubble block -> its role (by first class)."""
_FOOTER_ROLES: dict[str | None, int] = {}
"""`class` attribute of a footer element -> its role (by first class)."""


def _role(roles: dict[str | None, int], names: dict[str, int], other: int, cls: str | None) -> int:
    if len(roles) > 4096:  # markup that never repeats itself: do not grow without end
        roles.clear()
    role = roles[cls] = names.get((cls or "").partition(" ")[0], other)
    return role


_Node = LexborNode | None
_Blocks = tuple[_Node, _Node, _Node, _Node, list[LexborNode]]
"""A post's text, footer, reply header, service line and other blocks."""


def _blocks(post: LexborNode) -> _Blocks:
    """The blocks of one post: its text, footer, reply header and service line (first of each)
    and the other blocks, found in one pass over the post's children and its bubble's (so a
    part t.me puts beside the bubble is found too). A tuple, not an object: this runs once a
    post, and building an instance cost more than the rest of the call. Children come from
    selectolax's own iterator (elements only), and roles from a plain subscript: the
    interpreter's steps, not lexbor's, are most of what this costs."""
    text = footer = reply = service = None
    others: list[LexborNode] = []
    roles = _ROLES
    outer = children = post.iter()
    while True:
        for block in children:
            try:
                cls: str | None = block.attrs["class"]
            except (KeyError, TypeError):  # no class; TypeError: a comment
                cls = None
            try:
                role = roles[cls]
            except KeyError:
                role = _role(roles, _BLOCKS, _OTHER, cls)
            if role == _PASS:
                continue
            if role == _TEXT:
                text = text or block
            elif role == _FOOTER:
                footer = footer or block
            elif role == _BUBBLE and children is outer:
                children = block.iter()  # its children, then the post's next ones
                break
            elif role == _REPLY:
                reply = reply or block
            elif role == _SERVICE_TEXT:
                service = service or block
            else:
                others.append(block)
        else:
            if children is outer:
                return text, footer, reply, service, others
            children = outer


def _unix(date: LexborNode | None) -> int:
    """The `datetime` of the date link's `<time>` as a Unix time (0 without one)."""
    if date is None:
        return 0
    time = date.first_child
    while time is not None and time.tag_id != TIME:
        time = time.next
    if time is None:
        time = date.css_first("time")
        if time is None:
            return 0
    try:
        stamp = time.attrs["datetime"]
    except KeyError:
        return 0
    if not stamp:
        return 0
    when = datetime.fromisoformat(stamp)
    if when.tzinfo is None:  # local time, as datetime.timestamp() reads it
        return int(when.timestamp())
    return int((when - _EPOCH) / _SECOND)  # what timestamp() does, without its overhead


def _shown(node: LexborNode | None) -> str | None:
    return node.text(deep=True).strip() if node is not None else None


def _footer_parts(footer: LexborNode) -> tuple[_Node, _Node, _Node, _Node]:
    """The footer's first views, signature, date and meta (edit marker) element, in document
    order: the first three are taken as they are, everything else is entered."""
    views = author = date = meta = None
    roles = _FOOTER_ROLES
    resume: list[Iterator[LexborNode]] = []  # where each entered element's parent goes on
    children = footer.iter()
    while True:
        for node in children:
            try:
                cls: str | None = node.attrs["class"]
            except (KeyError, TypeError):  # no class; TypeError: a comment
                cls = None
            try:
                role = roles[cls]
            except KeyError:
                role = _role(roles, _FOOTER_PARTS, _ENTER, cls)
            if role == _VIEWS:
                views = views or node
            elif role == _DATE:
                date = date or node
            elif role == _AUTHOR:
                author = author or node
            else:
                if role == _META:
                    meta = meta or node
                resume.append(children)
                children = node.iter()
                break
        else:
            if not resume:
                return views, author, date, meta
            children = resume.pop()


def _footer(footer: LexborNode | None) -> tuple[dict[str, Any], int | None, str | None, int]:
    """What the footer shows: `extra.web` (views as written, the edit marker), the views
    as a number, the author's signature and the date."""
    web: dict[str, Any] = {}
    if footer is None:
        return web, None, None, 0
    node, author, date, meta = _footer_parts(footer)
    views: int | None = None
    if node is not None:
        shown = node.text(deep=True).strip()
        if shown:
            web["views"] = shown
            views = _views(shown)
    if meta is not None and "edited" in meta.text(deep=False):
        web["edited"] = True
    return web, views, _shown(author), _unix(date)


def _fwd(idx: Index) -> dict[str, Any] | None:
    node = idx.get("tgme_widget_message_forwarded_from_name")
    if node is None:
        return None
    name = node.text(deep=True).strip()
    href = attr(node, "href") or ""
    match = POST_HREF.search(href)
    if node.tag == "a" and match:
        return {
            "from_type": "channel",
            "from_username": match.group(1),
            "channel_post": int(match.group(2)),
            "from_title": name,
        }
    if node.tag == "a":
        return {
            "from_type": "channel",
            "from_username": href.rstrip("/").rsplit("/", 1)[-1],
            "from_title": name,
        }
    return {"from_type": "hidden", "from_name": name}


def _reply(node: LexborNode | None) -> int | None:
    match = POST_HREF.search(attr(node, "href") or "") if node is not None else None
    return int(match.group(2)) if match else None


_FILE_KINDS = frozenset({"photo", "video", "gif", "round", "voice", "sticker", "webpage"})
_FILE_ROWS: dict[tuple[str, Any, Any, Any], FileRow] = {}
"""FileRows by what they say, shared: they are frozen, and a channel's photos and videos come
in a few sizes."""


def _files(kind: str | None, info: dict[str, Any] | None) -> tuple[FileRow, ...]:
    if kind not in _FILE_KINDS:
        return ()
    info = info or {}
    file_kind = "photo" if kind == "webpage" else kind
    key = (file_kind, info.get("width"), info.get("height"), info.get("duration"))
    row = _FILE_ROWS.get(key)
    if row is None:
        if len(_FILE_ROWS) > 4096:
            _FILE_ROWS.clear()
        row = _FILE_ROWS[key] = FileRow(
            kind=file_kind, mime=_MIME.get(file_kind), width=key[1], height=key[2], duration=key[3]
        )
    return (row,)


_Head = tuple[
    str, list[dict[str, Any]] | None, int | None, dict[str, Any] | None, int | None, str | None
]
"""What every row of a post carries: text, entities, reply, forward header, views, signature
(a plain tuple: a NamedTuple cost ten times as much to build)."""


def _row(
    channel_id: int, msg_id: int, date: int, parts: MediaParts, web: dict[str, Any], head: _Head
) -> MessageRow:
    kind, info, urls = parts
    if urls:
        web["files"] = urls
    text, entities, reply, fwd_from, views, author = head
    files = _files(kind, info) if urls else ()
    extra = {"web": web}
    return post_row(
        channel_id,
        msg_id,
        date,
        text,
        entities,
        kind,
        info,
        reply,
        fwd_from,
        views,
        author,
        files,
        extra,
    )


def _album(
    channel_id: int, idx: Index, head: _Head, date: int, web: dict[str, Any]
) -> list[MessageRow]:
    """An album: one row per item (ids from the `?single` links), the caption on the first;
    headers, views and signature are the album's, so every item carries them."""
    rows: list[MessageRow] = []
    wrap = idx.get("tgme_widget_message_grouped_wrap")
    first: int | None = None
    for node in [] if wrap is None else wrap.css("a"):
        match = POST_HREF.search(attr(node, "href") or "")
        if match is None:
            continue
        msg_id = int(match.group(2))
        parts = media(index_item(node))
        item = head if first is None else ("", None, *head[2:])
        first = msg_id if first is None else first
        rows.append(_row(channel_id, msg_id, date, parts, {**web, "album_of": first}, item))
    return rows


def _service(
    channel_id: int, msg_id: int, service: LexborNode | None, footer: LexborNode | None
) -> MessageRow:
    shown = _shown(service) or ""
    action = next((dict(a) for t, a in _SERVICE if t == shown), None)
    if action is None and shown.startswith("Channel name was changed to «"):
        action = {"type": "chat_edit_title", "title": shown[29:].rstrip("»")}
    return web_row(
        channel_id=channel_id,
        msg_id=msg_id,
        date=_footer(footer)[3],
        action=action or {"type": "unknown", "shown": shown},
    )


def _placeholder(
    channel_id: int, msg_id: int, date: int, idx: Index, web: dict[str, Any], head: _Head
) -> MessageRow:
    """A post t.me shows but cannot render: what the page does show (caption, headers,
    footer) and the notice, as media `unsupported`/`not_previewed` (`rows.is_placeholder`).
    A not-supported notice inside a media block (a video this browser cannot play) is not
    one: the block is the media."""
    web["unsupported"] = True
    shown = _shown(idx.get("message_media_not_supported_label")) or NOT_SUPPORTED
    info = {"type": NOT_PREVIEWED, "shown": shown}
    return _row(channel_id, msg_id, date, ("unsupported", info, []), web, head)


def read_post(channel_id: int, node: LexborNode) -> list[MessageRow]:
    """The rows of one `tgme_widget_message` (an album has one per item)."""
    attrs = node.attrs
    try:
        post: str | None = attrs["data-post"]
    except KeyError:
        post = None
    msg_id = int((post or "/0").rpartition("/")[2] or 0)
    text_node, footer, reply_node, service, others = _blocks(node)
    try:
        cls: str | None = attrs["class"]
    except KeyError:
        cls = None
    if cls is not None and "service_message" in cls:
        return [_service(channel_id, msg_id, service, footer)]
    web, views, author, date = _footer(footer)
    text, entities = text_and_entities(text_node)
    reply = _reply(reply_node) if reply_node is not None else None
    if not others:  # text only: the most common post
        return [
            post_row(
                channel_id,
                msg_id,
                date,
                text,
                entities,
                None,
                None,
                reply,
                None,
                views,
                author,
                (),
                {"web": web},
            )
        ]
    idx = index_blocks(others)
    head: _Head = (text, entities, reply, _fwd(idx), views, author)
    if "message_media_not_supported" in idx and "media" not in idx:
        return [_placeholder(channel_id, msg_id, date, idx, web, head)]
    if "tgme_widget_message_grouped_wrap" in idx:
        return _album(channel_id, idx, head, date, web)
    return [_row(channel_id, msg_id, date, media(idx), web, head)]
