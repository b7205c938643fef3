"""``tgmirror demo``: a whole archive of a simulated Telegram, built with the real commands' code.

It generates a world of five channels (Arabic, Persian, Russian, Ukrainian, English; every kind
of post and media; one channel of 20,000 posts), writes a ``tgmirror.toml`` pointing at it,
signs in, archives everything and — once the daemon exists — lets the world edit, delete and
erase, so the mirror shows edit histories, tombstones and an erased channel. Re-running on the
same directory resumes and adds nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archiver.config import Config, load_config
from archiver.db.engine import open_engine, upgrade
from archiver.simulator import ChannelSpec, World, generate_world
from archiver.simulator.auth import LOGIN_CODE
from archiver.simulator.web_preview import serve_web
from archiver.store.channels import get_channel
from archiver.store.messages import stored_msg_ids
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import AccountPool
from archiver.worker.context import Reporter, WorkerContext
from archiver.worker.daemon import run_daemon
from archiver.worker.sync import SyncReport, sync_channels

WORLD_FILE = "world.sqlite"
STORY_DONE = "story.done"
CONFIG_FILE = "tgmirror.toml"
SEED = 2024

CHANNELS = (
    ChannelSpec("akhbar_alyawm", "أخبار اليوم", lang="ar", posts=20_000, media=False),
    ChannelSpec("sada_alhaqiqa", "صدى الحقيقة", lang="ar", posts=400, media=True),
    ChannelSpec("azadi_news", "خبرگزاری آزادی", lang="fa", posts=400, media=True),
    ChannelSpec("svobodnye_vesti", "Свободные вести", lang="ru", posts=600, media=True),
    ChannelSpec("pravda_ua", "Правда з фронту", lang="uk", posts=300, media=True),
    ChannelSpec(
        "open_wire",
        "Open Wire",
        lang="en",
        posts=500,
        media=True,
        linked_discussion=True,
        signatures=True,
    ),
)
WEB_CHANNEL = ChannelSpec(
    "kyiv_street", "Kyiv Street", lang="uk", posts=200, media=True, signatures=True
)
"""Archived from the simulator's t.me/s alone: no account involved (``source = "web"``)."""

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

[live]
# Poll each channel every 2 seconds (the demo's channels are never joined).
follow = "poll"
poll_budget = 600
min_poll_interval = 2
max_poll_interval = 2

[web]
# The demo publishes every channel, erased or not.
publish = "all"
port = {port}

[web_preview]
# The simulated t.me the demo serves while it archives (channels with source = "web").
base_url = "http://127.0.0.1:{web_port}"
rate = 50.0
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
        generate_world(tmp, seed=SEED, channels=[*CHANNELS, WEB_CHANNEL]).close()
        tmp.rename(world_path)
    if not config_path.exists():
        channels = "".join(f'\n[[channels]]\nref = "@{c.username}"\n' for c in CHANNELS)
        channels += f'\n[[channels]]\nref = "@{WEB_CHANNEL.username}"\nsource = "web"\n'
        config_path.write_text(
            CONFIG_TEXT.format(
                path=config_path, world=WORLD_FILE, port=port, web_port=port + 1, channels=channels
            ),
            encoding="utf-8",
        )
    return DemoSetup(load_config(config_path), world_path, created)


async def archive(
    setup: DemoSetup, reporter: Reporter, say: Callable[[str], None] = print
) -> SyncReport:
    """Migrate, sign in to the simulation, sync every channel, then tell the story once."""
    config = setup.config
    engine = open_engine(config.database_url)
    try:
        await upgrade(engine)
        client = make_client(config)
        await client.connect()
        try:
            if not await client.is_user_authorized():
                await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: "")
            accounts = AccountPool.single(config.accounts[0].name, client)
            ctx = WorkerContext(config, engine, accounts, reporter)
            port = int(config.web_preview.base_url.rsplit(":", 1)[1])
            with serve_web(setup.world_path, port=port):  # the world's t.me, on loopback
                report = await sync_channels(ctx)
                say(
                    f"@{WEB_CHANNEL.username} was archived from t.me/s alone, without an "
                    'account (source = "web").'
                )
                marker = setup.world_path.parent / STORY_DONE
                if not marker.exists():
                    await tell_story(ctx, setup.world_path, say)
                    marker.write_text(
                        "the demo story was told; delete this file to tell it again\n"
                    )
                await ctx.close_web()
            return report
        finally:
            await client.disconnect()
    finally:
        await engine.dispose()


async def tell_story(ctx: WorkerContext, world_path: Path, say: Callable[[str], None]) -> None:
    """Run the daemon while the simulated Telegram edits, deletes and erases a channel."""
    world = World.open(world_path)
    try:
        wire, gone = world.channel_id("open_wire"), world.channel_id("sada_alhaqiqa")
        recent = [
            m["msg_id"] for m in world.messages(wire, include_deleted=False) if not m["action"]
        ][-12:]
        edited, deleted = recent[-3:], recent[:3]

        async def seen_all() -> bool:
            async with ctx.read() as conn:
                channel = await get_channel(conn, gone)
                alive = set(await stored_msg_ids(conn, wire, limit=20))
            erased = channel is not None and channel.status == "erased"
            return changed and erased and not set(deleted) & alive and live_post in alive

        changed = False
        live_post = -1
        daemon = asyncio.create_task(run_daemon(ctx, until=seen_all))
        say("Following the channels live; now Telegram changes things:")
        await asyncio.sleep(1)
        for n in (1, 2):
            for msg_id in edited:
                text = f"UPDATE {n}: the story changed. " + _text(world, wire, msg_id)
                world.edit(wire, msg_id, text=text)
            await asyncio.sleep(0.7)
        say(f"  - Open Wire edited posts {edited} twice each")
        world.delete(wire, deleted[:2])
        world.delete(wire, deleted[2:], push=False)
        say(f"  - Open Wire deleted posts {deleted} (one without telling anyone)")
        live_post = world.post(wire, text="Live: a new post while the archiver is running.")
        world.make_private(gone)
        say("  - صدى الحقيقة (@sada_alhaqiqa) was made private")
        changed = True
        done, _ = await asyncio.wait([daemon], timeout=90)
        if not done:
            say("  (the daemon had not seen everything after 90 s; run the demo again)")
            ctx.stopping.set()
            await daemon
        ctx.stopping.clear()
        say("The archive kept every version, the deleted posts and the erased channel.")
    finally:
        world.close()


def _text(world: World, channel_id: int, msg_id: int) -> str:
    found = [m for m in world.messages(channel_id) if m["msg_id"] == msg_id]
    return (found[0]["text"] or "") if found else ""


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
