"""`generate_world`: seeded, realistic channels of many posts, written in bulk.

Deterministic for a seed (file references and access hashes included). Posts are inserted with
`executemany` in one transaction per channel, so 100,000 text posts take a few seconds.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import content, media_files, schema, synthetic
from .specs import (
    Contact,
    Dice,
    Document,
    Geo,
    MediaSpec,
    Photo,
    Poll,
    Synthetic,
    Venue,
    WebPage,
    spec_to_json,
)
from .world import World

START = datetime(2022, 1, 1, tzinfo=UTC)  # channels are created then
END = datetime(2025, 1, 1, tzinfo=UTC)  # histories end here, so a seed fixes every date


@dataclass(frozen=True)
class ChannelSpec:
    """One channel to generate: `lang` is ar | fa | ru | uk | en; `media` mixes in every kind."""

    username: str
    title: str | None = None
    lang: str = "en"
    posts: int = 100
    media: bool = True
    linked_discussion: bool = False
    signatures: bool = False


MEDIA_WEIGHTS = {
    "photo": 12,
    "album": 3,
    "video": 3,
    "gif": 2,
    "round": 1,
    "document": 3,
    "audio": 2,
    "voice": 2,
    "sticker": 1,
    "animated_sticker": 1,
    "video_sticker": 1,
    "poll": 2,
    "geo": 1,
    "venue": 1,
    "contact": 1,
    "webpage": 3,
    "dice": 1,
    "none": 61,
}


def _file_media(rng: random.Random, kind: str, n: int, lang: str, seed: int) -> Document:
    """Document-backed media: videos, files, audio, voice and the three sticker kinds."""
    duration = float(rng.randint(2, 60))
    if kind in ("video", "gif", "round"):
        w, h = (240, 240) if kind == "round" else (320, 180)
        name = f"video_{n}.mp4" if kind == "video" else None
        return Document(
            media_files.mp4_minimal(duration, seed), "video/mp4", kind, name, duration, w, h
        )
    if kind == "audio":
        return Document(
            media_files.mp3_silence(2),
            "audio/mpeg",
            "audio",
            f"track_{n}.mp3",
            2.0,
            title=f"Track {n}",
            performer="Sim Band",
        )
    if kind == "voice":
        return Document(
            media_files.ogg_opus_silence(duration % 6 + 1, seed),
            "audio/ogg",
            "voice",
            duration=duration % 6 + 1,
        )
    if kind == "sticker":
        return Document(
            media_files.png_gradient(128, 128, seed),
            "image/png",
            "sticker",
            "sticker.png",
            width=128,
            height=128,
        )
    if kind == "animated_sticker":
        return Document(
            media_files.tgs_sticker(seed),
            "application/x-tgsticker",
            kind,
            "AnimatedSticker.tgs",
            width=512,
            height=512,
        )
    if kind == "video_sticker":
        return Document(
            media_files.webm_minimal(3.0, seed), "video/webm", kind, "sticker.webm", 3.0, 512, 512
        )
    return Document(
        media_files.pdf_document(f"Report {n} ({lang})"),
        "application/pdf",
        file_name=f"report_{n}.pdf",
    )


def make_media(rng: random.Random, kind: str, n: int, lang: str) -> MediaSpec:
    """A media spec of `kind` (a MEDIA_WEIGHTS key) with real, seed-dependent file bytes."""
    seed = rng.randrange(1 << 40)
    if kind == "photo":
        return Photo(media_files.png_gradient(64, 48, seed), 64, 48)
    if kind == "poll":
        answers = [s.split()[0] for s in rng.sample(content.SENTENCES[lang], 3)]
        quiz = rng.random() < 0.3
        return Poll(
            rng.choice(content.SENTENCES[lang]).rstrip(".") + "?",
            answers,
            [rng.randint(0, 500) for _ in answers],
            closed=rng.random() < 0.5,
            quiz=quiz,
            correct=0 if quiz else None,
        )
    if kind == "geo":
        return Geo(round(rng.uniform(-60, 60), 5), round(rng.uniform(-170, 170), 5))
    if kind == "venue":
        return Venue(
            33.5138,
            36.2765,
            "Central Library",
            "Main Street 1, Damascus",
            venue_id=f"v{seed}",
            venue_type="arts_entertainment/library",
        )
    if kind == "contact":
        return Contact(f"+1555{rng.randrange(10**6):06d}", "Newsroom", "Desk")
    if kind == "webpage":
        pic = media_files.png_gradient(64, 48, seed) if rng.random() < 0.5 else None
        return WebPage(
            f"https://example.org/{lang}/story/{n}",
            "Example News",
            f"Story {n}",
            rng.choice(content.SENTENCES[lang]),
            pic,
        )
    if kind == "dice":
        return Dice(rng.choice(("🎲", "🎯", "🏀", "⚽")), rng.randint(1, 6))
    return _file_media(rng, kind, n, lang, seed)


def _reactions(rng: random.Random) -> str | None:
    """Reaction counts for half of the posts."""
    if rng.random() < 0.5:
        return None
    picks = rng.sample(content.EMOJI, rng.randint(1, 3))
    return json.dumps({e: rng.randint(1, 900) for e in picks}, ensure_ascii=False)


def _reply_or_forward(
    rng: random.Random, roll: float, msg_id: int, ts: int, wire: int | None
) -> dict[str, Any]:
    """Reply or forward columns for a post: roll < 0.04 replies if it can, else forwards."""
    extra: dict[str, Any] = {}
    if roll < 0.04 and msg_id > 3:
        extra["reply_to"] = rng.randint(2, msg_id)
        return extra
    fwd: dict[str, Any] = {"date": ts - rng.randint(3600, 86400 * 30), "post_author": None}
    if wire is not None and rng.random() < 0.6:
        fwd.update(from_channel=wire, channel_post=rng.randint(1, 30), from_name=None)
    else:
        fwd.update(from_channel=None, channel_post=None, from_name="Hidden Reader")
    extra["fwd"] = json.dumps(fwd)
    return extra


class _Batch:
    """Rows for one channel, collected for executemany (files are numbered world-wide)."""

    def __init__(self, conn: Any, seed: int) -> None:
        row = conn.execute("SELECT MAX(id) FROM files").fetchone()
        self.next_file = max(row[0] or 0, schema.FIRST_FILE_ID - 1) + 1
        self.seed = seed
        self.blobs: dict[str, bytes] = {}
        self.synthetic: list[tuple[str, int, int, str]] = []
        self.files: list[tuple[Any, ...]] = []
        self.messages: list[tuple[Any, ...]] = []

    def store(self, data: bytes | Synthetic, ts: int) -> int:
        if isinstance(data, Synthetic):
            sha = synthetic.sha256(data.seed, data.size)
            self.synthetic.append((sha, data.seed, data.size, synthetic.GENERATOR))
            size = data.size
        else:
            sha, size = hashlib.sha256(data).hexdigest(), len(data)
            self.blobs[sha] = data
        file_id, self.next_file = self.next_file, self.next_file + 1
        ref = hashlib.sha256(f"{self.seed}:{file_id}".encode()).digest()[:9]
        access_hash = schema.stable_hash("file", file_id)
        self.files.append((file_id, access_hash, ref, sha, size, ts))
        return file_id

    def media_json(self, media: MediaSpec | None, ts: int) -> str | None:
        if isinstance(media, Photo | Document):
            return spec_to_json(media, file_id=self.store(media.data, ts))
        if isinstance(media, WebPage) and media.photo is not None:
            return spec_to_json(media, file_id=self.store(media.photo, ts))
        return spec_to_json(media)


def _fill_channel(
    world: World, cid: int, spec: ChannelSpec, rng: random.Random, wire: int | None, seed: int
) -> None:
    """Generate and insert all posts of one channel."""
    conn, batch = world.conn, _Batch(world.conn, seed)
    kinds, weights = list(MEDIA_WEIGHTS), list(MEDIA_WEIGHTS.values())
    ts = int((END - timedelta(minutes=26 * (spec.posts + 10))).timestamp())
    title = spec.title or content.TITLES[spec.lang]
    first_photo: bytes | None = None
    msg_id = 0

    def add(
        text: str = "",
        entities: Any = None,
        media: MediaSpec | None = None,
        action: dict[str, Any] | None = None,
        **cols: Any,
    ) -> None:
        nonlocal msg_id
        msg_id += 1
        batch.messages.append(
            (
                cid,
                msg_id,
                ts,
                text,
                json.dumps(entities, ensure_ascii=False) if entities else None,
                batch.media_json(media, ts),
                cols.get("grouped_id"),
                cols.get("reply_to"),
                cols.get("fwd"),
                cols.get("views"),
                cols.get("forwards"),
                cols.get("reactions"),
                cols.get("post_author"),
                json.dumps(action) if action else None,
                msg_id + 1,
            )
        )

    add(action={"kind": "created", "title": title, "pinned_id": None})
    text, entities = content.all_entities_text(spec.lang)
    add(text, entities, views=10)
    while msg_id < spec.posts:
        ts += rng.randint(60, 3000)
        text, entities = content.post_text(rng, spec.lang)
        kind = rng.choices(kinds, weights)[0] if spec.media else "none"
        extra: dict[str, Any] = {
            "views": rng.randint(50, 90_000),
            "forwards": rng.randint(0, 400),
            "post_author": rng.choice(("Amal", "Олег", "Sara")) if spec.signatures else None,
            "reactions": _reactions(rng),
        }
        roll = rng.random()
        if roll < 0.08:
            extra.update(_reply_or_forward(rng, roll, msg_id, ts, wire))
        elif roll < 0.095:
            action = rng.choice(("title", "photo", "pinned"))
            add(
                action={
                    "kind": action,
                    "title": f"{title} ✦" if action == "title" else None,
                    "pinned_id": rng.randint(2, msg_id),
                }
            )
            continue
        if kind == "album" and msg_id + 3 <= spec.posts:
            group = rng.randrange(1 << 60)
            for i in range(rng.randint(2, 3)):
                photo = make_media(rng, "photo", msg_id, spec.lang)
                add(
                    text if i == 0 else "",
                    entities if i == 0 else None,
                    photo,
                    grouped_id=group,
                    **extra,
                )
            continue
        media = make_media(rng, kind, msg_id, spec.lang) if kind not in ("none", "album") else None
        if isinstance(media, Photo):
            if first_photo is None:
                first_photo = media.data
            elif rng.random() < 0.05:
                media = Photo(first_photo)  # the same bytes again, under a new file id
        add(text, entities, media, **extra)
    _insert(conn, cid, batch, msg_id)


def _insert(conn: Any, cid: int, batch: _Batch, top_id: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT OR IGNORE INTO blobs (sha, data) VALUES (?, ?)", batch.blobs.items())
    conn.executemany(
        "INSERT OR IGNORE INTO synthetic_blobs (sha, seed, size, generator) VALUES (?, ?, ?, ?)",
        batch.synthetic,
    )
    conn.executemany(
        "INSERT INTO files (id, access_hash, file_reference, sha, size, date)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        batch.files,
    )
    conn.executemany(
        "INSERT INTO messages (channel_id, id, date, text, entities, media, grouped_id, reply_to,"
        " fwd, views, forwards, reactions, post_author, action, pts)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch.messages,
    )
    conn.execute(
        "UPDATE channels SET top_id = ?, pts = ?, live_count = ? WHERE id = ?",
        (top_id, top_id + 1, top_id, cid),
    )
    conn.execute("COMMIT")


def generate_world(
    path: str | Path,
    seed: int = 1,
    channels: list[ChannelSpec] | None = None,
    *,
    password: str | None = None,
) -> World:
    """Create a world at `path` with the given channels (default: one per language) filled with
    seeded posts, plus a small source channel @wire_source that posts are forwarded from."""
    specs = channels or [
        ChannelSpec(f"news_{lang}", lang=lang, posts=200) for lang in content.SENTENCES
    ]
    world = World.create(path, password=password)
    rng = random.Random(seed)
    wire = world.add_channel("wire_source", "Wire Source", "Original reports", date=START)
    _fill_channel(world, wire, ChannelSpec("wire_source", "Wire", "en", 30, False), rng, None, seed)
    for spec in specs:
        about = rng.choice(content.SENTENCES[spec.lang])
        cid = world.add_channel(
            spec.username,
            spec.title or content.TITLES[spec.lang],
            about,
            date=START,
            linked_discussion=spec.linked_discussion,
            signatures=spec.signatures,
        )
        _fill_channel(world, cid, spec, rng, wire, seed)
    return world
