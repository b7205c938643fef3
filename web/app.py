"""Build the mirror's FastAPI app: ``create_app(config)``; no import-time side effects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from archiver import __version__
from archiver.config import Config
from archiver.db.engine import open_engine
from archiver.errors import SearchQueryError
from archiver.media import S3MediaStore, open_media_store
from archiver.site.environment import STATIC_DIR
from archiver.site.locales import N_
from archiver.store.loop_reader import open_sqlite_reader
from web.channel_cache import ChannelCache
from web.security import SecurityHeaders
from web.templating import Pages, make_templates


def create_app(config: Config) -> FastAPI:
    """The mirror for ``config``'s archive; the engine opens with the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = open_engine(config.database_url, create=False)
        app.state.reader = open_sqlite_reader(config.database_url)
        try:
            yield
        finally:
            await app.state.media.aclose()
            await app.state.engine.dispose()
            if app.state.reader is not None:
                app.state.reader.dispose()

    app = FastAPI(
        title="tgmirror",
        version=__version__,
        description="A public mirror of archived Telegram channels.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.config = config
    app.state.media = store = open_media_store(config)
    app.state.templates = make_templates(config)
    app.state.channels = ChannelCache()
    origins: tuple[str, ...] = ()
    if isinstance(store, S3MediaStore) and config.storage.s3.web == "redirect":
        origins = (store.presign_origin(),)  # pages load media from the bucket after redirect
    app.add_middleware(SecurityHeaders, media_origins=origins)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    from web.api.routes import router as api_router
    from web.pages import admin, channel, evidence, feeds, index, media, post, search, thumbnails
    from web.pages import evidence_bundle as bundle
    from web.pages import witness as witnessing

    app.include_router(api_router)
    pages = (
        index,
        search,
        media,
        thumbnails,
        admin,
        feeds,
        evidence,
        witnessing,
        bundle,
        channel,
        post,
    )
    for page in pages:
        app.include_router(page.router)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> HTMLResponse | JSONResponse:
        if request.url.path.startswith(("/api/", "/.well-known/")):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        return error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(SearchQueryError)
    async def bad_search(request: Request, exc: SearchQueryError) -> HTMLResponse | JSONResponse:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return error_page(request, 400, str(exc))

    return app


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The mirror's error page."""
    titles = {
        404: N_("Not found"),
        400: N_("Bad request"),
        401: N_("Sign in needed"),
        403: N_("Forbidden"),
    }
    pages: Pages = request.app.state.templates
    return pages.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": titles.get(status, N_("Error")), "message": message},
        status_code=status,
    )
