"""The simulator's t.me: a Starlette app serving the world as Telegram's web preview.

Routes: `/s/<name>[?before=<id>]` (the preview), `/<name>` (the contact page) and
`/file/<token>` (the CDN serving photos, videos, voice notes and stickers). `serve_web`
runs it with uvicorn on a loopback port in a thread, for tests, the demo and the bench.
Faults: `WebFaults` turns a share of answers into 5xx, stalls or truncated bodies; its
`rate` can be changed while the server runs. `app.state.pages` lists the preview requests.
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from . import file_store, schema
from .web_pages import contact_page, preview_page

_MIME = {
    "jpg": "image/jpeg",
    "mp4": "video/mp4",
    "ogg": "audio/ogg",
    "webp": "image/webp",
    "webm": "video/webm",
    "tgs": "application/x-tgsticker",
}
_TOKEN = re.compile(r"f(\d+)\.(\w+)")


@dataclass
class WebFaults:
    """Random HTTP faults: a seeded `rate` of answers become one of `kinds`
    ("5xx", "timeout", "truncated"); `injected` counts them."""

    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = ("5xx", "timeout", "truncated")
    stall_seconds: float = 30.0
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self) -> str | None:
        if self.rate <= 0 or self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.kinds)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        return kind


def _file_answer(world_path: str | Path, token: str) -> Response:
    """A file by its /file/<id>.<ext> token: stored or synthetic bytes, or 404."""
    match = _TOKEN.fullmatch(token)
    if not match:
        return Response(status_code=404)
    conn = schema.connect(world_path)
    try:
        data = file_store.read_all(conn, int(match.group(1)))
    except KeyError:
        return Response(status_code=404)
    finally:
        conn.close()
    return Response(data, media_type=_MIME.get(match.group(2), "application/octet-stream"))


def create_app(world_path: str | Path, base_url: str, faults: WebFaults | None = None) -> Starlette:
    """The t.me app over a world file; `base_url` is how pages name themselves."""
    faults = faults or WebFaults()
    hits: dict[str, int] = {}
    pages: list[str] = []  # every preview request, "/s/name?before=40", in order

    def conn() -> sqlite3.Connection:
        return schema.connect(world_path)

    async def answer(page: tuple[int, dict[str, str], str]) -> Response:
        status, headers, html = page
        kind = faults.draw()
        if kind == "5xx":
            return HTMLResponse("<html><body>502 Bad Gateway</body></html>", status_code=502)
        if kind == "timeout":
            await asyncio.sleep(faults.stall_seconds)
        if status == 302:
            return RedirectResponse(headers["location"], status_code=302)
        if kind == "truncated":
            cut = html.encode()[: len(html) // 3]
            return Response(cut, media_type="text/html; charset=utf-8")
        return HTMLResponse(html, status_code=status, headers=headers)

    def _count(key: str) -> None:
        hits[key] = hits.get(key, 0) + 1

    async def preview(request: Request) -> Response:
        _count("preview")
        query = f"?{request.url.query}" if request.url.query else ""
        pages.append(f"{request.url.path}{query}")
        before = request.query_params.get("before")
        c = conn()
        try:
            page = preview_page(
                c,
                request.path_params["name"],
                base_url,
                int(before) if before and before.isdigit() else None,
            )
        finally:
            c.close()
        return await answer(page)

    async def contact(request: Request) -> Response:
        _count("contact")
        c = conn()
        try:
            page = contact_page(c, request.path_params["name"], base_url)
        finally:
            c.close()
        return await answer(page)

    async def file(request: Request) -> Response:
        _count("file")
        return _file_answer(world_path, request.path_params["token"])

    app = Starlette(
        routes=[
            Route("/s/{name}", preview),
            Route("/file/{token}", file),
            Route("/{name}", contact),
        ]
    )
    app.state.hits = hits
    app.state.pages = pages
    app.state.faults = faults
    return app


@contextmanager
def serve_web(
    world_path: str | Path, faults: WebFaults | None = None, *, port: int = 0
) -> Iterator[Starlette]:
    """Serve the world's t.me on 127.0.0.1 (`port`, 0: a free one) in a thread; yields the
    app, whose `state.base_url` is the address to use as `[web_preview] base_url`."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(world_path, base_url, faults)
    app.state.base_url = base_url
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
