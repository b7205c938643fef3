"""Response models of the JSON API (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from archiver.site.urls import media_url
from archiver.store.browse import ChannelListing
from archiver.store.posts import Post, PostFile, Revision


class ChannelOut(BaseModel):
    id: int
    username: str | None
    title: str
    about: str
    status: str
    status_reason: str | None
    erased_at: int | None
    posts: int
    first_date: int | None
    last_date: int | None

    @classmethod
    def of(cls, c: ChannelListing) -> ChannelOut:
        return cls(**{name: getattr(c, name) for name in cls.model_fields})


class FileOut(BaseModel):
    role: str
    kind: str
    status: str
    url: str | None
    mime: str | None
    size: int | None
    file_name: str | None
    width: int | None
    height: int | None
    duration: float | None

    @classmethod
    def of(cls, f: PostFile) -> FileOut:
        values = {n: getattr(f, n) for n in cls.model_fields if n != "url"}
        return cls(url=media_url(f) or None, **values)


class RevisionOut(BaseModel):
    captured_at: int
    superseded_at: int
    edit_date: int | None
    text: str
    entities: Any
    media_kind: str | None
    media: Any


class PostOut(BaseModel):
    channel_id: int
    msg_id: int
    date: int
    edit_date: int | None
    text: str
    entities: Any
    media_kind: str | None
    media: Any
    grouped_id: int | None
    reply_to_msg_id: int | None
    fwd_from: Any
    views: int | None
    forwards: int | None
    reactions: Any
    post_author: str | None
    action: Any
    deleted_at: int | None
    deleted_how: str | None
    first_seen_at: int
    captured_at: int
    revision_count: int
    files: list[FileOut]

    @classmethod
    def of(cls, p: Post) -> PostOut:
        values = {n: getattr(p, n) for n in cls.model_fields if n != "files"}
        return cls(files=[FileOut.of(f) for f in p.files], **values)


class PostDetail(PostOut):
    revisions: list[RevisionOut]

    @classmethod
    def with_revisions(cls, p: Post, revisions: list[Revision]) -> PostDetail:
        base = PostOut.of(p).model_dump()
        return cls(
            revisions=[
                RevisionOut(**{n: getattr(r, n) for n in RevisionOut.model_fields})
                for r in revisions
            ],
            **base,
        )


class PostsPage(BaseModel):
    posts: list[PostOut]
    older: int | None
    newer: int | None


class SearchResults(BaseModel):
    """One page of search results, newest first; pass ``older`` as ``before`` for the next
    page (None on the page with the oldest result)."""

    posts: list[PostOut]
    older: int | None
