"""A post's permalink: the post (or its whole album), context, edit history and tombstone."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from archiver.store.browse import permalink
from archiver.store.posts import get_post
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
    page = await permalink(conn, ch.id, found)
    in_channel = f"/{ch.username or ch.id}?before={found.msg_id + 1}#post-{found.msg_id}"
    context = {
        "channel": ch,
        "post": found,
        "items": page.items,
        "history": page.history,
        "reply": page.reply,
        "in_channel_url": in_channel,
    }
    return templates.TemplateResponse(request, "post.html", context)
