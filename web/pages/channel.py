"""A channel page: newest posts first, keyset pagination, date jump, search in the channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from archiver.render import group_albums
from archiver.store.browse import channel_page, first_msg_id_before
from archiver.store.search import parse_query, search_page
from web.deps import quick_connection
from web.lookup import Redirect, channel_or_404, public_channel_or_404, redirect_response
from web.pages.search import PAGE_SIZE as SEARCH_PAGE_SIZE
from web.pages.search import results_context
from web.params import page_cursor
from web.templating import Pages

router = APIRouter()
PAGE_SIZE = 20


def _day_end(text: str) -> int:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise HTTPException(400, "Dates are written YYYY-MM-DD, for example 2024-05-01.") from None
    return int((day + timedelta(days=1)).timestamp())


async def channel(request: Request) -> Response:
    """``/{key}`` with ``?before=``, ``?after=`` or ``?date=``: a plain Starlette route, since
    FastAPI's solving of parameters (all plain strings here) cost more than the page's queries."""
    key = request.path_params["key"]
    query = request.query_params
    before, after, date = query.get("before"), query.get("after"), query.get("date")
    async with quick_connection(request) as conn:  # not a dependency: see quick_connection
        try:
            ch, old_usernames = await public_channel_or_404(request, conn, key)
        except Redirect as exc:
            return redirect_response(exc, request.url.query)
        if date:
            cursor = await first_msg_id_before(conn, ch.id, _day_end(date))
            if cursor is None:
                raise HTTPException(404, f"No posts on or before {date} in this channel.")
            return RedirectResponse(f"{request.url.path}?before={cursor}", status_code=303)
        older, newer = page_cursor("before", before), page_cursor("after", after)
        page = await channel_page(conn, ch.id, before=older, after=newer, limit=PAGE_SIZE)
    base = request.url.path
    context = {
        "channel": ch,
        "cards": group_albums(page.posts),
        "page": page,
        "old_usernames": old_usernames,
        "older_url": f"{base}?before={page.older}" if page.older else None,
        "newer_url": f"{base}?after={page.newer}" if page.newer else None,
    }
    templates: Pages = request.app.state.templates
    return templates.TemplateResponse(request, "channel.html", context)


router.add_route("/{key}", channel, methods=["GET"], include_in_schema=False)


async def channel_search(request: Request) -> Response:
    """``/{key}/search?q=`` with ``?before=``: a plain Starlette route like ``channel``, on the
    quick connection, since FTS5 reads this channel's matches newest first and stops at the
    LIMIT (bench/README has its worst case)."""
    key = request.path_params["key"]
    q, before = request.query_params.get("q", ""), request.query_params.get("before")
    async with quick_connection(request) as conn:
        try:
            ch = await channel_or_404(request, conn, key, "/search")
        except Redirect as exc:
            return redirect_response(exc, request.url.query)
        query = parse_query(q)
        cursor = page_cursor("before", before)
        mode = request.app.state.config.web.publish
        page = await search_page(
            conn, query, mode, channel_id=ch.id, before=cursor, limit=SEARCH_PAGE_SIZE
        )
    context = results_context(request, q, page, query.words, {ch.id: ch})
    context["channel"] = ch
    templates: Pages = request.app.state.templates
    return templates.TemplateResponse(request, "search.html", context)


router.add_route("/{key}/search", channel_search, methods=["GET"], include_in_schema=False)
