"""``tgmirror demo``: a whole archive of a simulated Telegram, built with the real commands' code.

It generates a world of five channels (Arabic, Persian, Russian, Ukrainian, English; every kind
of post and media; one channel of 20,000 posts), writes a ``tgmirror.toml`` pointing at it,
signs in, archives everything and — once the daemon exists — lets the world edit, delete and
erase, so the mirror shows edit histories, tombstones and an erased channel. Re-running on the
same directory resumes and adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archiver.config import Config, load_config
from archiver.db.engine import open_engine, upgrade
from archiver.simulator import ChannelSpec, World, generate_world
from archiver.simulator.auth import LOGIN_CODE
from archiver.telegram.client import make_client, sign_in
from archiver.worker.context import Reporter, WorkerContext
from archiver.worker.sync import SyncReport, sync_channels

WORLD_FILE = "world.sqlite"
CONFIG_FILE = "tgmirror.toml"
SEED = 2024

CHANNELS = (
    ChannelSpec("akhbar_alyawm", "أخبار اليوم", lang="ar", posts=20_000, media=False),
    ChannelSpec("sada_alhaqiqa", "صدى الحقيقة", lang="ar", posts=400, media=True),
    ChannelSpec("azadi_news", "خبرگزاری آزادی", lang="fa", posts=400, media=True),
    ChannelSpec("svobodnye_vesti", "Свободные вести", lang="ru", posts=600, media=True),
    ChannelSpec("pravda_ua", "Правда з фронту", lang="uk", posts=300, media=True),
    ChannelSpec("open_wire", "Open Wire", lang="en", posts=500, media=True,
                linked_discussion=True, signatures=True),
)  # fmt: skip

CONFIG_TEXT = """\
# Written by `tgmirror demo`: an archive of a simulated Telegram (no account, no network).
# Use it like any archive: tgmirror --config {path} status | serve | export ...

[simulator]
# The simulated world this demo archives, instead of the real Telegram.
world = "{world}"

[storage]
data_dir = "data"

[archive]
# Short intervals so the demo shows live edits, deletions and an erased channel quickly.
poll_interval = 2
reconcile_interval = 5
erasure_confirmations = 2
erasure_check_interval = 1

[web]
# The demo publishes every channel, erased or not.
publish = "all"
port = {port}
{channels}"""


@dataclass(frozen=True, slots=True)
class DemoSetup:
    config: Config
    world_path: Path
    created: bool


def prepare(directory: Path, port: int = 8000) -> DemoSetup:
    """Create (or reuse) the demo world and its config in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    world_path = directory / WORLD_FILE
    config_path = directory / CONFIG_FILE
    created = not world_path.exists()
    if created:
        tmp = directory / (WORLD_FILE + ".part")
        tmp.unlink(missing_ok=True)
        generate_world(tmp, seed=SEED, channels=list(CHANNELS)).close()
        tmp.rename(world_path)
    if not config_path.exists():
        channels = "".join(f'\n[[channels]]\nref = "@{c.username}"\n' for c in CHANNELS)
        config_path.write_text(
            CONFIG_TEXT.format(path=config_path, world=WORLD_FILE, port=port, channels=channels),
            encoding="utf-8",
        )
    return DemoSetup(load_config(config_path), world_path, created)


async def archive(setup: DemoSetup, reporter: Reporter) -> SyncReport:
    """Migrate the database, sign in to the simulation and sync every channel."""
    config = setup.config
    engine = open_engine(config.database_url)
    try:
        await upgrade(engine)
        client = make_client(config)
        await client.connect()
        try:
            if not await client.is_user_authorized():
                await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
            ctx = WorkerContext(config, engine, client, reporter)
            return await sync_channels(ctx)
        finally:
            await client.disconnect()
    finally:
        await engine.dispose()


def world_summary(world_path: Path) -> list[tuple[str, int]]:
    """(username, message count) of the world's channels, for the demo's closing lines."""
    world = World.open(world_path)
    try:
        return [
            (world.channel(cid)["username"], len(world.messages(cid, include_deleted=False)))
            for cid in world.channel_ids()
        ]
    finally:
        world.close()
