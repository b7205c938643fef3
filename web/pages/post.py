"""A post's permalink: the post (or its whole album), context, edit history and tombstone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from archiver.store.browse import permalink
from web.deps import QuickConnDep, TemplatesDep
from web.lookup import Redirect, post_or_404, redirect_response

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
        ch, found = await post_or_404(request, conn, key, msg_id, f"/{msg_id}")
    except Redirect as exc:
        return redirect_response(exc)
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
