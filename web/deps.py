"""Request dependencies: read connections, the config, the media store, the templates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.config import Config
from archiver.media import MediaStore
from archiver.store.loop_reader import LoopConnection
from web.templating import Pages


async def _conn(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as conn:
        yield conn


@asynccontextmanager
async def quick_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """The connection of ``QuickConnDep``, for a route that opens it itself: on the busiest
    page, FastAPI's machinery for a dependency that yields cost more than the page's queries."""
    reader = request.app.state.reader
    if reader is None:  # PostgreSQL: asyncpg reads without a thread hop
        async with request.app.state.engine.connect() as conn:
            yield conn
        return
    with reader.connect() as sync_conn:
        yield cast(AsyncConnection, LoopConnection(sync_conn))


async def _quick_conn(request: Request) -> AsyncIterator[AsyncConnection]:
    async with quick_connection(request) as conn:
        yield conn


# Dependencies are coroutines even where they do nothing asynchronous: FastAPI runs a plain
# function in a worker thread, one thread hop per dependency per request.
async def _config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


async def _media(request: Request) -> MediaStore:
    media: MediaStore = request.app.state.media
    return media


async def _templates(request: Request) -> Pages:
    templates: Pages = request.app.state.templates
    return templates


ConnDep = Annotated[AsyncConnection, Depends(_conn)]
"""A read connection for any query: on SQLite its work runs off the event loop's thread."""
QuickConnDep = Annotated[AsyncConnection, Depends(_quick_conn)]
"""A read connection for queries bounded by an index and a small LIMIT
(``archiver.store.loop_reader``): on SQLite they run on the event loop's thread, without a hop
per cursor call."""
ConfigDep = Annotated[Config, Depends(_config)]
MediaDep = Annotated[MediaStore, Depends(_media)]
TemplatesDep = Annotated[Pages, Depends(_templates)]
