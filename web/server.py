"""Run the mirror with uvicorn, from a command or inside an existing event loop."""

from __future__ import annotations

import logging

import uvicorn

from archiver.config import Config
from web.app import create_app

log = logging.getLogger(__name__)


def uvicorn_server(config: Config, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the mirror (one worker; proxy headers from loopback only)."""
    settings = uvicorn.Config(
        create_app(config), host=host, port=port, log_level="info", access_log=False,
        proxy_headers=True, forwarded_allow_ips="127.0.0.1", server_header=False,
    )  # fmt: skip
    return uvicorn.Server(settings)


async def serve(config: Config, host: str, port: int) -> None:
    """Serve until cancelled or signalled; warns when listening beyond this machine."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("the mirror listens on %s: it is reachable from other machines", host)
    await uvicorn_server(config, host, port).serve()
