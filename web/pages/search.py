"""Search pages: across every public channel (``/search``) and inside one (``/{key}/search``).

Results come PAGE_SIZE at a time, newest first, as on channel pages; ``?before=`` is the key of
the last result shown (``archiver.store.search_order``), so a reader reaches every result and a
page stays the same while newer posts arrive.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from archiver.store.channels import Channel, get_channels
from archiver.store.search import SearchPage, parse_query, search_page
from web.deps import ConfigDep, ConnDep, TemplatesDep
from web.params import page_cursor

router = APIRouter()
PAGE_SIZE = 20


def results_context(
    request: Request, q: str, page: SearchPage, words: list[str], channels: dict[int, Channel]
) -> dict[str, Any]:
    """What ``search.html`` shows of a page of results, with its links to older results and
    back to the newest."""
    base = request.url.path
    return {
        "q": q,
        "posts": page.posts,
        "words": words,
        "channels": channels,
        "older_url": f"{base}?{urlencode({'q': q, 'before': page.older})}" if page.older else None,
        "newest_url": f"{base}?{urlencode({'q': q})}" if "before" in request.query_params else None,
    }


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search(
    request: Request,
    conn: ConnDep,
    config: ConfigDep,
    templates: TemplatesDep,
    q: str = "",
    before: str | None = None,
) -> HTMLResponse:
    if not q.strip():
        return templates.TemplateResponse(request, "search.html", {"q": "", "posts": None})
    query = parse_query(q)
    cursor = page_cursor("before", before)
    page = await search_page(conn, query, config.web.publish, before=cursor, limit=PAGE_SIZE)
    channels = await get_channels(conn, {p.channel_id for p in page.posts})
    context = results_context(request, q, page, query.words, channels)
    return templates.TemplateResponse(request, "search.html", context)
