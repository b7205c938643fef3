"""The index: every public channel with its status, size and date range."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from archiver.store.browse import public_channels
from web.deps import ConfigDep, ConnDep, TemplatesDep

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index(
    request: Request, conn: ConnDep, config: ConfigDep, templates: TemplatesDep
) -> HTMLResponse:
    channels = await public_channels(conn, config.web.publish)
    return templates.TemplateResponse(
        request, "index.html", {"channels": channels, "publish": config.web.publish}
    )
