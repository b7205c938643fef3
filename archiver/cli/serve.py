"""``tgmirror serve | hide | unhide``: run the mirror, and take channels or posts down."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from archiver.channel_refs import parse_ref
from archiver.cli import app
from archiver.cli.context import console, get_config, migrated_engine, run
from archiver.errors import ChannelRefError, TgmirrorError
from archiver.store.channels import find_channel, set_channel_fields
from archiver.store.messages import set_post_hidden

_POST = re.compile(r"^(?P<ref>.+)/(?P<msg>\d+)$")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (use one per core).")
    ] = 1,
) -> None:
    """Serve the public mirror (web.host:web.port, 127.0.0.1:8000 by default)."""
    config = get_config(ctx)
    from web.server import serve as serve_web
    from web.server import serve_workers

    async def migrate() -> None:
        async with migrated_engine(config):
            pass

    run(migrate())
    where_host = host or config.web.host
    where_port = port or config.web.port
    console.print(
        f"Serving the mirror on http://{where_host}:{where_port}/ with {workers} "
        f"worker{'s' if workers > 1 else ''} (Ctrl-C to stop)"
    )
    if workers == 1:
        run(serve_web(config, where_host, where_port))
    else:
        serve_workers(config, where_host, where_port, workers)


def _split(text: str) -> tuple[str, int | None]:
    match = _POST.match(text.strip())
    if match and not match.group("ref").rstrip("/").endswith(("t.me/c", "/c")):
        try:
            parse_ref(match.group("ref"))
            return match.group("ref"), int(match.group("msg"))
        except ChannelRefError:
            pass
    return text, None


def _set_hidden(ctx: typer.Context, target: str, hidden: bool) -> str:
    config = get_config(ctx)
    ref_text, msg_id = _split(target)
    ref = parse_ref(ref_text)

    async def go() -> str:
        async with migrated_engine(config) as engine, engine.begin() as conn:
            channel = await find_channel(conn, ref.channel_id or ref.username or "")
            if channel is None:
                raise TgmirrorError(f"{ref_text}: not in the archive")
            word = "Hid" if hidden else "Unhid"
            if msg_id is None:
                await set_channel_fields(conn, channel.id, hidden=hidden)
                return f"{word} channel {channel.title} on the mirror."
            if not await set_post_hidden(conn, channel.id, msg_id, hidden):
                raise TgmirrorError(f"{target}: post {msg_id} is not in the archive")
            return f"{word} post {msg_id} of {channel.title} on the mirror."

    return run(go())


@app.command()
def hide(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Channel (@name, link, id) or CHANNEL/MSG_ID.")],
) -> None:
    """Take a channel or one post off the public mirror (kept in the archive)."""
    console.print(_set_hidden(ctx, target, True))


@app.command()
def unhide(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Channel (@name, link, id) or CHANNEL/MSG_ID.")],
) -> None:
    """Put a hidden channel or post back on the mirror."""
    console.print(_set_hidden(ctx, target, False))
