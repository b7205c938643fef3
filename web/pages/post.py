"""A post's permalink: the post (or its whole album), context, edit history and tombstone."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from archiver.store.browse import album
from archiver.store.posts import Post, get_post, get_revisions
from web.deps import QuickConnDep, TemplatesDep
from web.lookup import Redirect, channel_or_404, redirect_response
from web.params import stored_msg_id

router = APIRouter()


@router.get("/{key}/{msg_id:int}", response_class=HTMLResponse, include_in_schema=False)
async def post(
    request: Request,
    key: str,
    msg_id: int,
    conn: QuickConnDep,
    templates: TemplatesDep,
) -> Response:
    try:
        ch = await channel_or_404(request, conn, key, f"/{msg_id}")
    except Redirect as exc:
        return redirect_response(exc)
    found = await get_post(conn, ch.id, stored_msg_id(msg_id))
    if found is None or found.hidden:
        raise HTTPException(404, "This post is not in the archive.")
    items = [found]
    if found.grouped_id is not None:
        items = await album(conn, ch.id, found.grouped_id) or [found]
    history = {p.msg_id: await get_revisions(conn, p.pk) for p in items if p.revision_count}
    reply: Post | None = None
    if found.reply_to_msg_id:
        candidate = await get_post(conn, ch.id, found.reply_to_msg_id)
        reply = candidate if candidate is not None and not candidate.hidden else None
    in_channel = f"/{ch.username or ch.id}?before={found.msg_id + 1}#post-{found.msg_id}"
    context = {
        "channel": ch, "post": found, "items": items, "history": history, "reply": reply,
        "in_channel_url": in_channel,
    }  # fmt: skip
    return templates.TemplateResponse(request, "post.html", context)
