"""Plain descriptions of what a simulated post carries: media, forwards and service actions.

They are what callers hand to `World.post`; the world stores them as JSON (file bytes go to a blob
table, a `Synthetic` file's seed and size to another) and `tl_build` turns them into Telethon
objects when a client asks.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DOCUMENT_KINDS = (
    "document",
    "video",
    "gif",
    "round",
    "audio",
    "voice",
    "sticker",
    "animated_sticker",
    "video_sticker",
)


SEED_LIMIT = 1 << 63


@dataclass(frozen=True)
class Synthetic:
    """A document's content made by the world from `seed` on demand instead of stored: `size`
    incompressible bytes (see `synthetic`), the same in every process. For large files whose
    content does not matter; media that must be real (photos, thumbnails) stays bytes."""

    size: int
    seed: int = 0

    def __post_init__(self) -> None:
        if self.size < 0:
            raise ValueError(f"Synthetic size must be >= 0, got {self.size}")
        if not 0 <= self.seed < SEED_LIMIT:
            raise ValueError(f"Synthetic seed must be in 0..2**63-1, got {self.seed}")


@dataclass(frozen=True)
class Photo:
    """A photo; `data` must be a real image (PNG/JPEG). Sizes are what Telegram reports."""

    data: bytes
    width: int = 64
    height: int = 48
    spoiler: bool = False


@dataclass(frozen=True)
class Document:
    """Any file-backed media but photos; `kind` (see DOCUMENT_KINDS) picks its attributes.
    `data` is the file's bytes, or a `Synthetic` recipe the world generates them from."""

    data: bytes | Synthetic
    mime_type: str
    kind: str = "document"
    file_name: str | None = None
    duration: float = 0.0
    width: int = 0
    height: int = 0
    title: str | None = None
    performer: str | None = None
    emoji: str = "🙂"
    thumb: bool = True
    """Videos, GIFs, round videos and documents get a JPEG thumbnail, as Telegram makes one;
    False sends the file without."""

    def __post_init__(self) -> None:
        if self.kind not in DOCUMENT_KINDS:
            raise ValueError(
                f"unknown document kind {self.kind!r}; expected one of {DOCUMENT_KINDS}"
            )


@dataclass(frozen=True)
class Poll:
    """A poll with its current results; `votes[i]` counts voters of `answers[i]`."""

    question: str
    answers: list[str]
    votes: list[int] = field(default_factory=list)
    closed: bool = False
    quiz: bool = False
    correct: int | None = None


@dataclass(frozen=True)
class Geo:
    """A map point."""

    lat: float
    long: float


@dataclass(frozen=True)
class Venue:
    """A named place on the map."""

    lat: float
    long: float
    title: str
    address: str
    provider: str = "foursquare"
    venue_id: str = ""
    venue_type: str = ""


@dataclass(frozen=True)
class Contact:
    """A shared phone contact."""

    phone_number: str
    first_name: str
    last_name: str = ""
    user_id: int = 0


@dataclass(frozen=True)
class WebPage:
    """A link preview; `photo` is an optional preview image (real image bytes)."""

    url: str
    site_name: str
    title: str
    description: str
    photo: bytes | None = None


@dataclass(frozen=True)
class Dice:
    """An animated dice-like emoji with its rolled value."""

    emoticon: str = "🎲"
    value: int = 1


MediaSpec = Photo | Document | Poll | Geo | Venue | Contact | WebPage | Dice
MEDIA_TYPES: dict[str, type] = {
    c.__name__: c for c in (Photo, Document, Poll, Geo, Venue, Contact, WebPage, Dice)
}


@dataclass(frozen=True)
class Forward:
    """Where a forwarded post came from: a channel (by world id) or a user shown by name only."""

    date: datetime
    from_channel: int | None = None
    channel_post: int | None = None
    from_name: str | None = None
    post_author: str | None = None


@dataclass(frozen=True)
class Action:
    """A service message. kind: created | title | photo | pinned."""

    kind: str
    title: str | None = None
    pinned_id: int | None = None


def spec_to_json(spec: Any, **extra: Any) -> str | None:
    """Serialise a spec dataclass to JSON, minus its file content (stored bytes live in the
    blob table, synthetic ones are described in theirs)."""
    if spec is None:
        return None
    data = {
        f.name: (v.timestamp() if isinstance(v, datetime) else v)
        for f in dataclasses.fields(spec)
        if not isinstance(v := getattr(spec, f.name), bytes | Synthetic)
    }
    data["_"] = type(spec).__name__
    data.update(extra)
    return json.dumps(data, ensure_ascii=False)
