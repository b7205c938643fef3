"""Request dependencies: a read connection, the config, the templates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncConnection

from archiver.config import Config


async def _conn(request: Request) -> AsyncIterator[AsyncConnection]:
    async with request.app.state.engine.connect() as conn:
        yield conn


def _config(request: Request) -> Config:
    return request.app.state.config


def _templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


ConnDep = Annotated[AsyncConnection, Depends(_conn)]
ConfigDep = Annotated[Config, Depends(_config)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]
