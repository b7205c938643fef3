"""Turn world rows into the Telethon TL objects Telegram would send for them."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telethon.tl import types
from telethon.tl.tlobject import TLObject

from . import file_refs
from .schema import SELF_USER_ID, channel_hash, stable_hash

DC_ID = 2
FileLookup = Callable[[int], sqlite3.Row]


def utc(ts: float | None) -> datetime | None:
    """A unix timestamp as the aware UTC datetime Telethon produces."""
    return None if ts is None else datetime.fromtimestamp(int(ts), tz=UTC)


def channel(
    row: sqlite3.Row | dict[str, Any],
    *,
    viewer: int = SELF_USER_ID,
    forbidden: bool = False,
    photo_dc: int = DC_ID,
) -> types.TypeChat:
    """Channel (or ChannelForbidden once private, or `forbidden` to a banned viewer) as listed
    in `chats` of any answer, with the access hash of the `viewer` user; its photo is on
    `photo_dc`."""
    access_hash = channel_hash(row["id"], row["access_hash"], viewer)
    if row["status"] == "private" or forbidden:
        return types.ChannelForbidden(
            id=row["id"],
            access_hash=access_hash,
            title=row["title"],
            broadcast=not row["megagroup"],
            megagroup=bool(row["megagroup"]),
        )
    restriction = json.loads(row["restriction"]) if row["restriction"] else None
    photo = (
        types.ChatPhoto(photo_id=row["photo_id"], dc_id=photo_dc)
        if row["photo_id"]
        else types.ChatPhotoEmpty()
    )
    return types.Channel(
        id=row["id"],
        title=row["title"],
        photo=photo,
        date=utc(row["date"]),
        broadcast=not row["megagroup"],
        megagroup=bool(row["megagroup"]),
        signatures=bool(row["signatures"]),
        has_link=row["linked_chat_id"] is not None,
        access_hash=access_hash,
        username=row["username"],
        restricted=restriction is not None,
        restriction_reason=[types.RestrictionReason(**restriction)] if restriction else None,
        participants_count=row["participants"],
    )


def user(row: sqlite3.Row, *, is_self: bool = False) -> types.User:
    """A user as listed in `users`."""
    return types.User(
        id=row["id"],
        is_self=is_self,
        access_hash=row["access_hash"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        phone=row["phone"] if is_self else None,
    )


def file_reference(file: sqlite3.Row) -> bytes:
    """A reference to `file` issued now (it expires, see `file_refs`)."""
    return file_refs.issue(bytes(file["file_reference"]), time.time())


def photo(file: sqlite3.Row, width: int, height: int) -> types.Photo:
    """A Photo with one full-size PhotoSize ('y') covering the whole stored file."""
    return types.Photo(
        id=file["id"],
        access_hash=file["access_hash"],
        file_reference=file_reference(file),
        date=utc(file["date"]),
        dc_id=file["dc_id"],
        sizes=[types.PhotoSize(type="y", w=width, h=height, size=file["size"])],
    )


def _document_attributes(spec: dict[str, Any]) -> list[TLObject]:
    kind, name = spec["kind"], spec.get("file_name")
    w, h, duration = spec["width"], spec["height"], spec["duration"]
    attrs: list[TLObject] = []
    if kind in ("video", "gif", "round", "video_sticker"):
        attrs.append(
            types.DocumentAttributeVideo(
                duration=duration,
                w=w,
                h=h,
                round_message=kind == "round",
                supports_streaming=kind == "video",
                nosound=kind == "gif",
            )
        )
    if kind == "gif":
        attrs.append(types.DocumentAttributeAnimated())
    if kind in ("audio", "voice"):
        attrs.append(
            types.DocumentAttributeAudio(
                duration=int(duration),
                voice=kind == "voice",
                title=spec.get("title"),
                performer=spec.get("performer"),
                waveform=bytes(range(0, 31, 1)) if kind == "voice" else None,
            )
        )
    if kind in ("sticker", "animated_sticker", "video_sticker"):
        attrs.append(
            types.DocumentAttributeSticker(
                alt=spec.get("emoji") or "🙂",
                stickerset=types.InputStickerSetEmpty(),
            )
        )
        attrs.append(types.DocumentAttributeImageSize(w=w or 512, h=h or 512))
    if name:
        attrs.append(types.DocumentAttributeFilename(file_name=name))
    return attrs


def document(
    file: sqlite3.Row, spec: dict[str, Any], thumb: sqlite3.Row | None = None
) -> types.Document:
    """A Document with the attributes its kind implies (video, voice, sticker, …) and its
    JPEG thumbnail (`thumb`, a PhotoSize of type 'm') when it has one."""
    thumbs = None
    if thumb is not None:
        thumbs = [
            types.PhotoSize(
                type="m",
                w=spec.get("thumb_w") or 320,
                h=spec.get("thumb_h") or 180,
                size=thumb["size"],
            )
        ]
    return types.Document(
        id=file["id"],
        access_hash=file["access_hash"],
        file_reference=file_reference(file),
        date=utc(file["date"]),
        mime_type=spec["mime_type"],
        size=file["size"],
        dc_id=file["dc_id"],
        attributes=_document_attributes(spec),
        thumbs=thumbs,
    )


def _poll(spec: dict[str, Any], msg_id: int) -> types.MessageMediaPoll:
    votes = spec["votes"] or [0] * len(spec["answers"])
    answers = [
        types.PollAnswer(text=types.TextWithEntities(a, []), option=bytes([i]))
        for i, a in enumerate(spec["answers"])
    ]
    results = [
        types.PollAnswerVoters(
            option=bytes([i]),
            voters=v,
            recent_voters=[],
            correct=(spec["correct"] == i) if spec["quiz"] else None,
        )
        for i, v in enumerate(votes)
    ]
    poll = types.Poll(
        id=abs(stable_hash("poll", msg_id, spec["question"])),
        question=types.TextWithEntities(spec["question"], []),
        answers=answers,
        hash=0,
        closed=spec["closed"],
        quiz=spec["quiz"],
    )
    return types.MessageMediaPoll(
        poll=poll, results=types.PollResults(results=results, total_voters=sum(votes))
    )


def media(spec: dict[str, Any] | None, files: FileLookup, msg_id: int) -> TLObject | None:
    """The MessageMedia for a stored media spec (file rows are fetched through `files`)."""
    if spec is None:
        return None
    kind = spec["_"]
    if kind == "Photo":
        pic = photo(files(spec["file_id"]), spec["width"], spec["height"])
        return types.MessageMediaPhoto(photo=pic, spoiler=spec["spoiler"] or None)
    if kind == "Document":
        file = files(spec["file_id"])
        doc = document(file, spec, files(file["thumb_id"]) if file["thumb_id"] else None)
        k = spec["kind"]
        return types.MessageMediaDocument(
            document=doc,
            video=k in ("video", "round") or None,
            round=k == "round" or None,
            voice=k == "voice" or None,
        )
    if kind == "Poll":
        return _poll(spec, msg_id)
    if kind == "Geo":
        return types.MessageMediaGeo(types.GeoPoint(spec["long"], spec["lat"], 0))
    if kind == "Venue":
        return types.MessageMediaVenue(
            geo=types.GeoPoint(spec["long"], spec["lat"], 0),
            title=spec["title"],
            address=spec["address"],
            provider=spec["provider"],
            venue_id=spec["venue_id"],
            venue_type=spec["venue_type"],
        )
    if kind == "Contact":
        return types.MessageMediaContact(
            phone_number=spec["phone_number"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            vcard="",
            user_id=spec["user_id"],
        )
    if kind == "Dice":
        return types.MessageMediaDice(value=spec["value"], emoticon=spec["emoticon"])
    if kind == "WebPage":
        url = spec["url"]
        pic = photo(files(spec["file_id"]), 64, 48) if spec.get("file_id") else None
        return types.MessageMediaWebPage(
            types.WebPage(
                id=abs(stable_hash("webpage", url)),
                url=url,
                display_url=url.split("://")[-1],
                hash=0,
                type="article" if pic is None else "photo",
                site_name=spec["site_name"],
                title=spec["title"],
                description=spec["description"],
                photo=pic,
            )
        )
    raise ValueError(f"unknown stored media type {kind!r}")


def entities(raw: str | None) -> list[TLObject] | None:
    """Rebuild MessageEntity objects stored by `world.entities_to_json`."""
    if not raw:
        return None
    out = []
    for item in json.loads(raw):
        cls = getattr(types, item.pop("_"))
        out.append(cls(**item))
    return out


def _fwd(raw: str | None) -> types.MessageFwdHeader | None:
    if not raw:
        return None
    spec = json.loads(raw)
    return types.MessageFwdHeader(
        date=utc(spec["date"]),
        from_id=types.PeerChannel(spec["from_channel"]) if spec["from_channel"] else None,
        from_name=spec["from_name"],
        channel_post=spec["channel_post"],
        post_author=spec["post_author"],
    )


def _action(spec: dict[str, Any], files: FileLookup) -> TLObject:
    kind = spec["kind"]
    if kind == "created":
        return types.MessageActionChannelCreate(title=spec["title"] or "")
    if kind == "title":
        return types.MessageActionChatEditTitle(title=spec["title"] or "")
    if kind == "photo":
        return types.MessageActionChatEditPhoto(photo=types.PhotoEmpty(id=0))
    if kind == "pinned":
        return types.MessageActionPinMessage()
    raise ValueError(f"unknown service action {kind!r}")


def message(
    row: sqlite3.Row, files: FileLookup, replies: types.MessageReplies | None = None
) -> TLObject:
    """A Message/MessageService for a stored row (deleted rows become MessageEmpty)."""
    peer = types.PeerChannel(row["channel_id"])
    if row["deleted"]:
        return types.MessageEmpty(id=row["id"], peer_id=peer)
    from_id = types.PeerUser(row["from_user"]) if row["from_user"] else None
    reply = None
    if row["reply_to"] or row["thread_of"]:
        reply = types.MessageReplyHeader(
            reply_to_msg_id=row["reply_to"] or row["thread_of"], reply_to_top_id=row["thread_of"]
        )
    if row["action"]:
        spec = json.loads(row["action"])
        if spec["kind"] == "pinned":
            reply = types.MessageReplyHeader(reply_to_msg_id=spec["pinned_id"])
        return types.MessageService(
            id=row["id"],
            peer_id=peer,
            date=utc(row["date"]),
            action=_action(spec, files),
            post=from_id is None,
            from_id=from_id,
            reply_to=reply,
        )
    reactions = None
    if row["reactions"]:
        counts = json.loads(row["reactions"])
        reactions = types.MessageReactions(
            results=[
                types.ReactionCount(reaction=types.ReactionEmoji(e), count=n)
                for e, n in counts.items()
            ]
        )
    views, forwards = row["views"], row["forwards"]
    if views is not None or forwards is not None:  # Telegram sends both or neither
        views, forwards = views or 0, forwards or 0
    return types.Message(
        id=row["id"],
        peer_id=peer,
        date=utc(row["date"]),
        message=row["text"],
        post=from_id is None,
        from_id=from_id,
        fwd_from=_fwd(row["fwd"]),
        reply_to=reply,
        media=media(json.loads(row["media"]) if row["media"] else None, files, row["id"]),
        entities=entities(row["entities"]),
        views=views,
        forwards=forwards,
        replies=replies,
        edit_date=utc(row["edit_date"]),
        post_author=row["post_author"],
        grouped_id=row["grouped_id"],
        reactions=reactions,
    )


def forwarded_channels(rows: list[sqlite3.Row]) -> set[int]:
    """Channel ids a batch of messages refers to in forward headers (they go in `chats`)."""
    out = set()
    for row in rows:
        if row["fwd"]:
            src = json.loads(row["fwd"]).get("from_channel")
            if src:
                out.add(src)
    return out
