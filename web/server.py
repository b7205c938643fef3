"""Run the mirror with uvicorn: in an existing event loop (one worker, as ``tgmirror run``
does) or as several worker processes (``tgmirror serve --workers N``)."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from archiver.config import Config, load_config
from archiver.logs import protect_config, uvicorn_log_config
from web.app import create_app

log = logging.getLogger(__name__)

# Proxy headers are trusted from loopback only: a reverse proxy on the same machine.
_OPTIONS: dict[str, Any] = {
    "log_level": "info",
    "access_log": False,
    "proxy_headers": True,
    "forwarded_allow_ips": "127.0.0.1",
    "server_header": False,
    "log_config": uvicorn_log_config(),
}


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves SIGINT and SIGTERM to the process it runs in.

    uvicorn's ``serve`` replaces the process's handlers with its own while it runs
    (``capture_signals``); ``tgmirror run`` instead handles them itself, stops the archiver
    first and then sets ``should_exit``.
    """

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def uvicorn_server(
    config: Config, host: str, port: int, *, embedded: bool = False
) -> uvicorn.Server:
    """A uvicorn server for the mirror, one worker in the caller's event loop; ``embedded``:
    the caller handles the signals and stops it by setting ``should_exit``."""
    server_class = EmbeddedServer if embedded else uvicorn.Server
    app = create_app(config)
    freeze_startup_objects()
    return server_class(uvicorn.Config(app, host=host, port=port, **_OPTIONS))


def freeze_startup_objects() -> None:
    """Leave the objects made at start-up (modules, the app, its templates and catalogs:
    some 150,000) out of the garbage collector's full passes, which otherwise walked them all
    about every 1,500 searches: 95-108 ms each on this machine under load (0.07 ms a request
    on average, and a tenth of a second's stall for every request queued behind it). They
    live as long as the process, so nothing is kept that would have been freed;
    ``gc.collect`` first frees what start-up left over."""
    gc.collect()
    gc.freeze()


def app_from_environment() -> FastAPI:
    """The app of one worker process: its config is found as the CLI finds it, through
    ``$TGMIRROR_CONFIG`` (set by ``serve_workers``) or ``./tgmirror.toml``."""
    config = load_config()
    protect_config(config)
    app = create_app(config)
    freeze_startup_objects()
    return app


def _warn_if_public(host: str) -> None:
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the mirror listens on %s: it is reachable from other machines", host)


async def serve(config: Config, host: str, port: int) -> None:
    """Serve until cancelled or signalled; warns when listening beyond this machine."""
    _warn_if_public(host)
    await uvicorn_server(config, host, port).serve()


def serve_workers(config: Config, host: str, port: int, workers: int) -> None:
    """Serve with ``workers`` processes sharing one socket (blocks until signalled). Each
    worker opens its own connections to the same database; SQLite's WAL lets them all read
    while the archiver writes."""
    _warn_if_public(host)
    if config.source is not None:
        os.environ["TGMIRROR_CONFIG"] = str(config.source.resolve())
    uvicorn.run(
        "web.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **_OPTIONS,
    )
