"""``tgmirror export REF --format wacz``: the CLI side of the WACZ export (kept apart from
transfer.py so the web archive's options stay in one place)."""

from __future__ import annotations

from pathlib import Path

from archiver.channel_refs import parse_ref
from archiver.cli.context import console, migrated_engine, run
from archiver.config import Config
from archiver.errors import ChannelRefError, ExportError
from archiver.exporters.wacz_export import WaczResult, export_wacz
from archiver.store.channels import find_channel


def wacz_path(out: Path, name: str) -> Path:
    """``out`` itself when it names a .wacz file, else ``out/NAME.wacz``."""
    if out.suffix == ".wacz":
        out.parent.mkdir(parents=True, exist_ok=True)
        return out
    out.mkdir(parents=True, exist_ok=True)
    return out / f"{name}.wacz"


def mirror_base_url(config: Config) -> str:
    """The mirror's public address: ``web.base_url``, else where ``serve`` listens."""
    return config.web.base_url or f"http://{config.web.host}:{config.web.port}"


def export_wacz_command(config: Config, ref: str, out: Path) -> None:
    """Write the WACZ of channel ``ref`` and print one summary line."""
    from web.app import create_app  # the CLI is the one layer that may use web

    parsed = parse_ref(ref)

    async def go() -> WaczResult:
        async with migrated_engine(config) as engine:
            async with engine.connect() as conn:
                channel = await find_channel(conn, parsed.channel_id or parsed.username or "")
            if channel is None:
                raise ChannelRefError(f"{ref}: not in the archive")
            target = wacz_path(out, channel.username or str(channel.id))
            if target.exists():
                raise ExportError(f"{target}: already exists; remove it or choose another --out")
            app = create_app(config)
            return await export_wacz(app, engine, channel, target, mirror_base_url(config))

    result = run(go())
    console.print(f"Exported {result.posts} pages and {result.files} files to {result.path}.")
