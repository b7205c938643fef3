"""Request dependencies: a read connection, the config, the media store, the templates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.config import Config
from archiver.media import MediaStore


async def _conn(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as conn:
        yield conn


def _config(request: Request) -> Config:
    return request.app.state.config


def _media(request: Request) -> MediaStore:
    return request.app.state.media


def _templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


ConnDep = Annotated[AsyncConnection, Depends(_conn)]
ConfigDep = Annotated[Config, Depends(_config)]
MediaDep = Annotated[MediaStore, Depends(_media)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
