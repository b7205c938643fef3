"""``tgmirror demo``: archive a simulated Telegram and serve the mirror, no account needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archiver import demo
from archiver.cli import app
from archiver.cli.archive import print_sync_report
from archiver.cli.context import console, run
from archiver.cli.progress import BarReporter, LineReporter


@app.command("demo")
def demo_command(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo archive goes.")] = Path(
        "tgmirror-demo"
    ),
    port: Annotated[int, typer.Option(help="Port of the mirror.")] = 8000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the mirror after.")
    ] = True,
) -> None:
    """Archive a simulated Telegram (7 channels, every kind of post, one of them read from
    t.me/s without an account) and serve the mirror."""
    console.print(f"Preparing the demo in {directory.resolve()} ...")
    setup = demo.prepare(directory, port)
    if setup.created:
        console.print("Generated a simulated Telegram world of 7 channels.")
    reporter = BarReporter(console) if console.is_terminal else LineReporter(console, every=10)
    with reporter:
        report = run(demo.archive(setup, reporter, console.print))
    print_sync_report(report)
    config_path = setup.config.source
    console.print(f"\nThe demo archive is in {setup.config.storage.data_dir}.")
    console.print(f"Try: tgmirror --config {config_path} status")
    if not serve:
        return
    try:
        from web.server import serve as serve_web
    except ImportError:
        console.print("The web mirror is not available in this version; browse with `status`.")
        return
    console.print(f"Serving the mirror on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    run(serve_web(setup.config, "127.0.0.1", port))
