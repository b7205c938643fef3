"""The mirror served by a real uvicorn on a free loopback port, in a thread of the test."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from waiting import wait_for

from archiver.config import Config
from web.server import uvicorn_server


@contextmanager
def live_mirror(config: Config, *, publish_all: bool = True) -> Iterator[str]:
    """Serve ``config``'s archive (every channel public by default); yields the base URL."""
    if publish_all:
        config = dataclasses.replace(config, web=dataclasses.replace(config.web, publish="all"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn_server(config, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 20, every=0.05, what="uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
