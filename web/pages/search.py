"""Search across every public channel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from archiver.store.channels import get_channel
from archiver.store.search import parse_query, search_posts
from web.deps import ConfigDep, ConnDep, TemplatesDep

router = APIRouter()


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search(
    request: Request, conn: ConnDep, config: ConfigDep, templates: TemplatesDep, q: str = ""
) -> HTMLResponse:
    if not q.strip():
        return templates.TemplateResponse(request, "search.html", {"q": "", "posts": None})
    query = parse_query(q)
    posts = await search_posts(conn, query, config.web.publish, limit=50)
    channels = {cid: await get_channel(conn, cid) for cid in {p.channel_id for p in posts}}
    context = {"q": q, "posts": posts, "words": query.words, "channels": channels}
    return templates.TemplateResponse(request, "search.html", context)
