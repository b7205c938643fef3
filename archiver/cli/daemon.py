"""``tgmirror run``: the long-running archiver (and, by default, the web mirror)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from typing import Annotated

import typer

from archiver.cli import app
from archiver.cli.archive import worker
from archiver.cli.context import console, get_config, run
from archiver.config_accounts import check_worker_id
from archiver.logs import setup_logging
from archiver.worker.context import WorkerContext
from archiver.worker.daemon import run_daemon
from archiver.worker.leasing import default_worker_id

log = logging.getLogger(__name__)


@app.command("run")
def run_command(
    ctx: typer.Context,
    no_web: Annotated[bool, typer.Option("--no-web", help="Only archive; no web mirror.")] = False,
    worker_id: Annotated[
        str | None,
        typer.Option(
            "--worker-id",
            help="This worker's name when several share one database (default: "
            "archive.worker_id, else <hostname>-<pid>). Give each worker its own --session.",
        ),
    ] = None,
) -> None:
    """Follow every channel: catch up, then live updates, polling, deletions, erasure checks.

    Several workers on one database split the channels (each archived by one worker at a
    time) and take over the channels of a worker that stops."""
    config = get_config(ctx)
    if worker_id is not None:
        check_worker_id(worker_id, "--worker-id")
    worker_id = worker_id or config.archive.worker_id or default_worker_id()
    config = dataclasses.replace(
        config, archive=dataclasses.replace(config.archive, worker_id=worker_id)
    )
    setup_logging(ctx.meta.get("tgmirror.log_level") or "info")

    async def go() -> None:
        async with worker(config, name=f"tgmirror run {worker_id}") as w:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, _stop, w, sig)
            web = None
            if not no_web:
                from web.server import uvicorn_server

                host, port = config.web.host, config.web.port
                server = uvicorn_server(config, host, port, embedded=True)
                web = asyncio.create_task(server.serve())
                console.print(f"Mirror on http://{config.web.host}:{config.web.port}/")
            try:
                await run_daemon(w)
            finally:
                if web is not None:
                    server.should_exit = True
                    await web

    run(go())
    console.print("Stopped cleanly.")


def _stop(w: WorkerContext, sig: signal.Signals) -> None:
    """The first SIGINT or SIGTERM: every loop commits the batch in hand and ends."""
    if not w.stopping.is_set():
        log.info("%s: stopping after the work in hand", sig.name)
    w.stopping.set()
