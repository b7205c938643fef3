"""One post of a t.me/s page in Telegram's widget markup, from the Telethon message the RPC
layer would send for it, so both views of the world come from one source.

Pure: `PostContext` says how to name channels and files; `post_html` returns one
`tgme_widget_message_wrap` div. Markup as documented in docs/telegram-behaviour.md ("t.me/s").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from html import escape
from typing import Any

from telethon.tl import types

from .web_text import text_html

NOT_SUPPORTED = "Please open Telegram to view this post"


@dataclass(frozen=True)
class PostContext:
    """What rendering needs beyond the message: names and where files are served."""

    username: str
    title: str
    base_url: str
    file_url: Callable[[int, str], str]  # (file id, extension) -> absolute URL
    channel_name: Callable[[int], tuple[str | None, str]]  # channel id -> (username, title)
    reply_text: Callable[[int], str | None]  # msg id -> text of the replied-to post


def short_count(n: int) -> str:
    """Views as t.me shows them: 999, 1.2K, 15K, 1.5M (truncated, not rounded)."""
    for limit, suffix in ((1_000_000, "M"), (1_000, "K")):
        if n >= limit:
            tenths = n * 10 // limit
            whole, frac = divmod(tenths, 10)
            return f"{whole}{suffix}" if whole >= 100 or frac == 0 else f"{whole}.{frac}{suffix}"
    return str(n)


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def _bg(url: str) -> str:
    return f"background-image:url('{escape(url, quote=True)}')"


def _attr(doc: types.Document, cls: type) -> Any:
    return next((a for a in doc.attributes if isinstance(a, cls)), None)


def _photo(ctx: PostContext, msg_id: int, photo: Any, single: bool) -> str:
    size = photo.sizes[-1]
    href = f"{ctx.base_url}/{ctx.username}/{msg_id}" + ("?single" if single else "")
    pad = size.h * 100 / size.w if size.w else 100
    return (
        f'<a class="tgme_widget_message_photo_wrap" href="{href}" style="width:{size.w}px;'
        f'{_bg(ctx.file_url(photo.id, "jpg"))}"><div class="tgme_widget_message_photo"'
        f' style="padding-top:{pad:g}%"></div></a>'
    )


def _document(ctx: PostContext, msg_id: int, media: Any) -> str:
    doc = media.document
    video = _attr(doc, types.DocumentAttributeVideo)
    audio = _attr(doc, types.DocumentAttributeAudio)
    sticker = _attr(doc, types.DocumentAttributeSticker)
    href = f"{ctx.base_url}/{ctx.username}/{msg_id}"
    if sticker is not None:
        if doc.mime_type == "application/x-tgsticker":
            return (
                f'<div class="tgme_widget_message_sticker_wrap"><a href="{href}">'
                f'<div class="tgme_widget_message_tgsticker" data-emoji="{sticker.alt}">'
                f'<picture><source type="application/x-tgsticker"'
                f' srcset="{ctx.file_url(doc.id, "tgs")}"></picture></div></a></div>'
            )
        if video is not None:
            return (
                f'<div class="tgme_widget_message_sticker_wrap"><a href="{href}">'
                f'<div class="tgme_widget_message_videosticker" data-emoji="{sticker.alt}">'
                f'<video src="{ctx.file_url(doc.id, "webm")}" class="js-videosticker_video"'
                f" muted autoplay loop></video></div></a></div>"
            )
        url = ctx.file_url(doc.id, "webp")
        return (
            f'<div class="tgme_widget_message_sticker_wrap"><a href="{href}">'
            f'<i class="tgme_widget_message_sticker js-sticker_image" data-webp="{url}"'
            f' data-emoji="{sticker.alt}" style="{_bg(url)}"></i></a></div>'
        )
    if video is not None:
        url = ctx.file_url(doc.id, "mp4")
        if video.round_message:
            return (
                f'<a class="tgme_widget_message_roundvideo_player" href="{href}">'
                f'<video src="{url}" class="tgme_widget_message_roundvideo"'
                f' width="{video.w}" height="{video.h}"></video>'
                f'<time class="tgme_widget_message_roundvideo_duration">'
                f"{_duration(video.duration)}</time></a>"
            )
        gif = _attr(doc, types.DocumentAttributeAnimated) is not None
        label = '<div class="message_video_gif">GIF</div>' if gif else ""
        return (
            f'<a class="tgme_widget_message_video_player{" gif" if gif else ""}" href="{href}">'
            f'<div class="tgme_widget_message_video_wrap"><video src="{url}"'
            f' class="tgme_widget_message_video" width="{video.w}" height="{video.h}">'
            f'</video></div>{label}<time class="message_video_duration">'
            f"{_duration(video.duration)}</time></a>"
        )
    if audio is not None and audio.voice:
        return (
            f'<a class="tgme_widget_message_voice_player" href="{href}">'
            f'<audio class="tgme_widget_message_voice" src="{ctx.file_url(doc.id, "ogg")}">'
            f'</audio><time class="tgme_widget_message_voice_duration">'
            f"{_duration(audio.duration)}</time></a>"
        )
    name_attr = _attr(doc, types.DocumentAttributeFilename)
    if audio is not None:
        title, extra = audio.title or (name_attr.file_name if name_attr else ""), audio.performer
        cls = "tgme_widget_message_document_wrap audio"
    else:
        title, extra = (name_attr.file_name if name_attr else "File"), _size_text(doc.size)
        cls = "tgme_widget_message_document_wrap"
    return (
        f'<a class="{cls}" href="{href}"><div class="tgme_widget_message_document_icon">'
        f'</div><div class="tgme_widget_message_document"><div class="'
        f'tgme_widget_message_document_title" dir="auto">{escape(title or "")}</div>'
        f'<div class="tgme_widget_message_document_extra" dir="auto">'
        f"{escape(extra or '')}</div></div></a>"
    )


def _size_text(size: int) -> str:
    for limit, unit in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")):
        if size >= limit:
            return f"{size / limit:.1f} {unit}"
    return f"{size} B"


def _poll(media: types.MessageMediaPoll) -> str:
    poll, results = media.poll, media.results
    total = results.total_voters or 0
    votes = {r.option: r.voters for r in results.results or []}
    kind = (
        ("Anonymous quiz" if poll.quiz else "Anonymous poll")
        if not poll.closed
        else ("Final results")
    )
    options = "".join(
        f'<div class="tgme_widget_message_poll_option"><div class="'
        f'tgme_widget_message_poll_option_percent">'
        f"{round(100 * votes.get(a.option, 0) / total) if total else 0}%</div>"
        f'<div class="tgme_widget_message_poll_option_value"><div class="'
        f'tgme_widget_message_poll_option_text">{escape(a.text.text)}</div></div></div>'
        for a in poll.answers
    )
    return (
        f'<div class="tgme_widget_message_poll"><div class="tgme_widget_message_poll_question">'
        f'{escape(poll.question.text)}</div><div class="tgme_widget_message_poll_type">'
        f'{kind}</div><div class="tgme_widget_message_poll_options">{options}</div></div>'
        f'<span class="tgme_widget_message_voters">{short_count(total)}</span>'
    )


def _geo(media: Any) -> str:
    lat, long = media.geo.lat, media.geo.long
    out = (
        f'<a class="tgme_widget_message_location_wrap" href="https://maps.google.com/maps?'
        f'q={lat},{long}&amp;ll={lat},{long}&amp;z=16"><div class="'
        f'tgme_widget_message_location"></div></a>'
    )
    if isinstance(media, types.MessageMediaVenue):
        out += (
            f'<div class="tgme_widget_message_venue_wrap"><div class="'
            f'tgme_widget_message_venue_title" dir="auto">{escape(media.title)}</div>'
            f'<div class="tgme_widget_message_venue_address" dir="auto">'
            f"{escape(media.address)}</div></div>"
        )
    return out


def _contact(media: types.MessageMediaContact) -> str:
    name = f"{media.first_name} {media.last_name}".strip()
    return (
        f'<div class="tgme_widget_message_contact_wrap"><div class="tgme_widget_message_contact">'
        f'<div class="tgme_widget_message_contact_name" dir="auto">{escape(name)}</div>'
        f'<div class="tgme_widget_message_contact_phone">{escape(media.phone_number)}</div>'
        f"</div></div>"
    )


def _webpage(ctx: PostContext, page: Any) -> str:
    image = ""
    if isinstance(page.photo, types.Photo):
        image = (
            f'<i class="link_preview_image" style="{_bg(ctx.file_url(page.photo.id, "jpg"))}"></i>'
        )
    return (
        f'<a class="tgme_widget_message_link_preview" href="{escape(page.url, quote=True)}">'
        f'<div class="link_preview_site_name accent_color" dir="auto">'
        f'{escape(page.site_name or "")}</div>{image}<div class="link_preview_title"'
        f' dir="auto">{escape(page.title or "")}</div><div class="link_preview_description"'
        f' dir="auto">{escape(page.description or "")}</div></a>'
    )


def media_html(ctx: PostContext, msg_id: int, media: Any, single: bool = False) -> str | None:
    """The media block of a post; None when t.me cannot show it (see NOT_SUPPORTED)."""
    if media is None:
        return ""
    if isinstance(media, types.MessageMediaPhoto) and media.photo is not None:
        return _photo(ctx, msg_id, media.photo, single)
    if isinstance(media, types.MessageMediaDocument) and media.document is not None:
        return _document(ctx, msg_id, media)
    if isinstance(media, types.MessageMediaPoll):
        return _poll(media)
    if isinstance(media, (types.MessageMediaGeo, types.MessageMediaVenue)):
        return _geo(media)
    if isinstance(media, types.MessageMediaContact):
        return _contact(media)
    if isinstance(media, types.MessageMediaWebPage):
        return ""  # shown after the text, see post_html
    return None  # dice, games, invoices, stories, giveaways, paid media


def _headers(ctx: PostContext, message: types.Message) -> str:
    out = ""
    fwd = message.fwd_from
    if fwd is not None:
        if isinstance(fwd.from_id, types.PeerChannel):
            username, title = ctx.channel_name(fwd.from_id.channel_id)
            name = escape(title) + (f" ({escape(fwd.post_author)})" if fwd.post_author else "")
            href = f"{ctx.base_url}/{username}" + (
                f"/{fwd.channel_post}" if fwd.channel_post else ""
            )
            inner = (
                (
                    f'<a class="tgme_widget_message_forwarded_from_name" href="{href}">'
                    f'<span dir="auto">{name}</span></a>'
                )
                if username
                else (f'<span class="tgme_widget_message_forwarded_from_name">{name}</span>')
            )
        else:
            inner = (
                f'<span class="tgme_widget_message_forwarded_from_name">'
                f"{escape(fwd.from_name or '')}</span>"
            )
        out += (
            '<div class="tgme_widget_message_forwarded_from accent_color">'
            f"Forwarded from {inner}</div>"
        )
    reply = message.reply_to
    if isinstance(reply, types.MessageReplyHeader) and reply.reply_to_msg_id:
        rid = reply.reply_to_msg_id
        snippet = ctx.reply_text(rid)
        out += (
            f'<a class="tgme_widget_message_reply" href="{ctx.base_url}/{ctx.username}/{rid}">'
            f'<div class="tgme_widget_message_author accent_color"><span class="'
            f'tgme_widget_message_author_name" dir="auto">{escape(ctx.title)}</span></div>'
            f'<div class="tgme_widget_message_metatext js-message_reply_text" dir="auto">'
            f"{escape(snippet if snippet is not None else 'Deleted message')}</div></a>"
        )
    return out


def _footer(ctx: PostContext, message: types.Message) -> str:
    date = message.date.astimezone(UTC)
    views = (
        f'<span class="tgme_widget_message_views">{short_count(message.views)}</span>'
        if message.views is not None
        else ""
    )
    author = (
        f'<span class="tgme_widget_message_from_author" dir="auto">'
        f"{escape(message.post_author)}</span>,&nbsp;"
        if message.post_author
        else ""
    )
    edited = "edited&nbsp;" if message.edit_date else ""
    return (
        f'<div class="tgme_widget_message_footer compact js-message_footer">'
        f'<div class="tgme_widget_message_info short js-message_info">{views}'
        f'<span class="tgme_widget_message_meta">{author}{edited}<a class="'
        f'tgme_widget_message_date" href="{ctx.base_url}/{ctx.username}/{message.id}">'
        f'<time datetime="{date.isoformat()}" class="time">{date:%H:%M}</time></a></span>'
        f"</div></div>"
    )


def _wrap(ctx: PostContext, msg_id: int, inner: str, extra_cls: str = "") -> str:
    return (
        f'<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="'
        f'tgme_widget_message text_not_supported_wrap js-widget_message{extra_cls}"'
        f' data-post="{ctx.username}/{msg_id}"><div class="tgme_widget_message_bubble">'
        f'<div class="tgme_widget_message_author accent_color"><a class="'
        f'tgme_widget_message_owner_name" href="{ctx.base_url}/{ctx.username}"><span'
        f' dir="auto">{escape(ctx.title)}</span></a></div>{inner}</div></div></div>'
    )


def _text_div(message: types.Message) -> str:
    if not message.message:
        return ""
    return (
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">'
        f"{text_html(message.message, message.entities)}</div>"
    )


def post_html(ctx: PostContext, message: Any, album: list[types.Message] | None = None) -> str:
    """One widget message: a post, an album (`album` = its messages, oldest first), or a
    service message."""
    if isinstance(message, types.MessageService):
        text = service_text(message.action)
        date = message.date.astimezone(UTC)
        inner = (
            f'<div class="tgme_widget_message_service_text" dir="auto">{escape(text)}</div>'
            f'<div class="tgme_widget_message_footer"><a class="tgme_widget_message_date"'
            f' href="{ctx.base_url}/{ctx.username}/{message.id}"><time'
            f' datetime="{date.isoformat()}" class="time">{date:%H:%M}</time></a></div>'
        )
        return _wrap(ctx, message.id, inner, " service_message")
    if album:
        blocks = [media_html(ctx, m.id, m.media, single=True) for m in album]
        if any(b is None for b in blocks):
            captioned = next((m for m in album if m.message), album[0])
            return _unsupported(ctx, album[0], captioned, album[-1])
        captioned = next((m for m in album if m.message), album[0])
        inner = (
            _headers(ctx, album[0])
            + '<div class="tgme_widget_message_grouped_wrap">'
            + "".join(b or "" for b in blocks)
            + "</div>"
            + _text_div(captioned)
            + _footer(ctx, album[-1])
        )
        return _wrap(ctx, album[0].id, inner)
    block = media_html(ctx, message.id, message.media)
    if block is None:
        return _unsupported(ctx, message, message, message)
    preview = ""
    if isinstance(message.media, types.MessageMediaWebPage):
        preview = _webpage(ctx, message.media.webpage)
    inner = _headers(ctx, message) + block + _text_div(message) + preview + _footer(ctx, message)
    return _wrap(ctx, message.id, inner)


def _unsupported(
    ctx: PostContext, first: types.Message, captioned: types.Message, last: types.Message
) -> str:
    """A post t.me cannot render: what it can (headers, caption, footer) and, in the place of
    the media, the notice in a `media_not_supported_cont` after the text, as on real pages."""
    inner = (
        _headers(ctx, first)
        + _text_div(captioned)
        + f'<div class="media_not_supported_cont"><div class="message_media_not_supported_wrap">'
        f'<div class="message_media_not_supported"><div class="'
        f'message_media_not_supported_label">{NOT_SUPPORTED}</div><a href="{ctx.base_url}/'
        f'{ctx.username}/{first.id}?single" class="message_media_view_in_telegram">'
        f"VIEW IN TELEGRAM</a></div></div></div>" + _footer(ctx, last)
    )
    return _wrap(ctx, first.id, inner)


def service_text(action: Any) -> str:
    """The line t.me shows for a service message."""
    if isinstance(action, types.MessageActionChannelCreate):
        return "Channel created"
    if isinstance(action, types.MessageActionChatEditTitle):
        return f"Channel name was changed to «{action.title}»"
    if isinstance(action, types.MessageActionChatEditPhoto):
        return "Channel photo updated"
    if isinstance(action, types.MessageActionPinMessage):
        return "Message pinned"
    return "Service message"
