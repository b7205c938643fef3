"""Several Telegram accounts in one worker: channels spread over them, and moved to another
account when one is banned from a channel, flood-waited or deactivated; an account that lost
access to a channel never makes it erased, a channel every account agrees is gone does."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

import sqlalchemy as sa
from waiting import wait_until

from archiver.cli.archive import worker
from archiver.db.schema import channel_accounts, messages
from archiver.simulator.auth import LOGIN_CODE
from archiver.store.channels import get_channel
from archiver.store.events import list_events
from archiver.telegram.client import make_client, sign_in
from archiver.worker.accounts import learn_hash
from archiver.worker.channels import add_channel
from archiver.worker.daemon import run_daemon
from archiver.worker.probe import check_channel
from archiver.worker.sync import sync_channels

NAMES = ("a", "b", "c")
INTERVAL = 1800  # the default erasure_check_interval; the test clock jumps over it


@asynccontextmanager
async def _worker(world, make_config, count: int, archive: dict | None = None):
    """A worker signed in with ``count`` accounts, each its own simulated user."""
    phones = ["15550000000"] + [f"1555000010{n}" for n in range(1, count)]
    for n, phone in enumerate(phones[1:], start=1):
        world.add_account(f"Account {NAMES[n]}", phone)
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "archive": archive or {},
            "live": {"poll_budget": 600, "min_poll_interval": 1, "max_poll_interval": 1},
            "telegram": {"accounts": [{"session": f"{name}.session"} for name in NAMES[:count]]},
        }
    )
    for account, phone in zip(config.accounts, phones, strict=True):
        await _sign_in(config, account, f"+{phone}")
    async with worker(config) as ctx:
        yield ctx


async def _sign_in(config, account, phone: str) -> None:
    """Log ``account`` in through tgmirror's own sign-in flow."""
    client = make_client(config, account)
    await client.connect()
    try:
        await sign_in(client, phone, lambda: LOGIN_CODE, lambda: "")
    finally:
        await client.disconnect()


def _channels(world, count: int, posts: int = 5) -> list[int]:
    ids = []
    for n in range(count):
        ch = world.add_channel(f"chan_{n}", f"Channel {n}")
        for i in range(posts):
            world.post(ch, text=f"post {i}", push=False)
        ids.append(ch)
    return ids


async def _archiving(ctx) -> dict[int, str]:
    async with ctx.read() as conn:
        rows = await conn.execute(
            sa.select(channel_accounts.c.channel_id, channel_accounts.c.account).where(
                channel_accounts.c.state == "archiving"
            )
        )
        return dict(rows.all())


async def _states(ctx, channel_id: int) -> dict[str, str]:
    async with ctx.read() as conn:
        rows = await conn.execute(
            sa.select(channel_accounts.c.account, channel_accounts.c.state).where(
                channel_accounts.c.channel_id == channel_id
            )
        )
        return dict(rows.all())


async def _stored(ctx, channel_id: int) -> list[int]:
    async with ctx.read() as conn:
        rows = await conn.execute(
            sa.select(messages.c.msg_id).where(messages.c.channel_id == channel_id)
        )
        return sorted(rows.scalars())


def _live_ids(world, channel_id: int) -> list[int]:
    return [m["msg_id"] for m in world.messages(channel_id, include_deleted=False)]


async def _until(predicate, seconds: float = 30.0) -> None:
    await wait_until(predicate, seconds)


async def _add_all(ctx, ids: list[int]) -> None:
    for n in range(len(ids)):
        assert (await add_channel(ctx, f"@chan_{n}")).error is None


async def test_a_sync_spreads_channels_over_the_accounts(world, make_config) -> None:
    ids = _channels(world, 6)
    async with _worker(world, make_config, 3) as ctx:
        await _add_all(ctx, ids)
        report = await sync_channels(ctx)
        archiving = await _archiving(ctx)
        stored = {ch: await _stored(ctx, ch) for ch in ids}
    assert report.ok, report
    assert sorted(archiving) == sorted(ids)
    assert sorted(archiving.values()) == ["a", "a", "b", "b", "c", "c"]
    assert stored == {ch: _live_ids(world, ch) for ch in ids}


async def test_a_sync_goes_on_with_another_account_after_a_ban_and_a_flood_wait(
    world, make_config
) -> None:
    ids = _channels(world, 4)
    async with _worker(world, make_config, 2) as ctx:
        await _add_all(ctx, ids)
        await sync_channels(ctx)
        banned_from = min(ch for ch, name in (await _archiving(ctx)).items() if name == "a")
        user_a = world.conn.execute("SELECT MIN(id) FROM users").fetchone()[0]
        world.ban_account(banned_from, user_a)
        world.post(banned_from, text="after the ban")
        after_ban = await sync_channels(ctx)
        world.flood_account(user_a, 3600)
        for ch in ids:
            world.post(ch, text="while a waits")
        after_flood = await sync_channels(ctx)
        stored = {ch: await _stored(ctx, ch) for ch in ids}
        states = await _states(ctx, banned_from)
    assert after_ban.ok and after_flood.ok, (after_ban, after_flood)
    assert stored == {ch: _live_ids(world, ch) for ch in ids}
    assert states == {"a": "lost", "b": "archiving"}


async def _run_until(ctx, done) -> None:
    task = asyncio.create_task(run_daemon(ctx))
    try:
        await _until(done)
    finally:
        ctx.stopping.set()
        await asyncio.wait_for(task, 15)


FAST = {"poll_interval": 1, "reconcile_interval": 60, "erasure_check_interval": 60}


@asynccontextmanager
async def _synced(world, make_config, accounts: int, channels: int):
    """A fast-polling worker with ``accounts`` accounts, ``channels`` channels synced once;
    yields it with the channel ids and the simulated users of the accounts, in order."""
    ids = _channels(world, channels)
    async with _worker(world, make_config, accounts, FAST) as ctx:
        await _add_all(ctx, ids)
        await sync_channels(ctx)
        users = [r[0] for r in world.conn.execute("SELECT id FROM users ORDER BY id")]
        yield ctx, ids, users


async def _post_and_follow(ctx, world, ids: list[int], text: str) -> None:
    """Post once in each channel, and run the daemon until every new post is archived."""
    new = {ch: world.post(ch, text=text) for ch in ids}

    async def all_stored() -> bool:
        return all([new[ch] in await _stored(ctx, ch) for ch in ids])

    await _run_until(ctx, all_stored)


async def test_a_channel_whose_account_is_banned_moves_and_is_not_erased(
    world, make_config
) -> None:
    async with _synced(world, make_config, 2, 2) as (ctx, _ids, users):
        target = next(ch for ch, name in (await _archiving(ctx)).items() if name == "a")
        world.ban_account(target, users[0])
        await _post_and_follow(ctx, world, [target], "after the ban")
        async with ctx.read() as conn:
            channel = await get_channel(conn, target)
            events = [(e.kind, e.detail) for e in await list_events(conn, target)]
        states = await _states(ctx, target)
        stored = await _stored(ctx, target)
    assert channel.status == "active"
    assert states == {"a": "lost", "b": "archiving"}
    assert ("account_lost_access", "a") in [(k, d.get("account")) for k, d in events if d]
    assert ("account_changed", {"account": "b", "previous": "a"}) in events
    assert not any(kind in ("suspect", "erased") for kind, _ in events)
    assert stored == _live_ids(world, target)


async def test_a_flood_waited_account_hands_its_channels_to_the_others(world, make_config) -> None:
    async with _synced(world, make_config, 2, 4) as (ctx, ids, users):
        on_a = [ch for ch, name in (await _archiving(ctx)).items() if name == "a"]
        world.flood_account(users[0], 3600)
        await _post_and_follow(ctx, world, ids, "while a waits")
        archiving = await _archiving(ctx)
        stored = {ch: await _stored(ctx, ch) for ch in ids}
    assert len(on_a) == 2
    assert set(archiving.values()) == {"b"}
    assert stored == {ch: _live_ids(world, ch) for ch in ids}


async def test_the_channels_of_a_deactivated_account_go_on_with_the_others(
    world, make_config
) -> None:
    async with _synced(world, make_config, 3, 6) as (ctx, ids, users):
        world.deactivate_account(users[1])  # account b
        await _post_and_follow(ctx, world, ids, "after b was banned by Telegram")
        archiving = await _archiving(ctx)
        retired = {a.name: a.retired for a in ctx.accounts.accounts}
    assert set(archiving) == set(ids) and "b" not in archiving.values()
    assert retired == {"a": None, "b": "UserDeactivatedBanError", "c": None}


async def _probe_three_times(ctx, channel_id: int, account_name: str):
    now = [int(time.time())]
    ctx.clock = lambda: now[0]
    async with ctx.read() as conn:
        channel = await get_channel(conn, channel_id)
    account = next(a for a in ctx.accounts.accounts if a.name == account_name)
    for _ in range(3):
        now[0] += INTERVAL
        await check_channel(ctx, account, channel)
    async with ctx.read() as conn:
        return await get_channel(conn, channel_id), await list_events(conn, channel_id)


async def _seen_by_every_account(ctx, channel_id: int) -> None:
    async with ctx.read() as conn:
        channel = await get_channel(conn, channel_id)
    for account in ctx.accounts.accounts:
        assert await learn_hash(account, channel) is not None


async def test_a_channel_every_account_sees_gone_is_erased(world, make_config) -> None:
    (ch,) = _channels(world, 1)
    async with _worker(world, make_config, 2) as ctx:
        await _add_all(ctx, [ch])
        await _seen_by_every_account(ctx, ch)
        world.make_private(ch)
        channel, events = await _probe_three_times(ctx, ch, "a")
    assert (channel.status, channel.status_reason) == ("erased", "private")
    assert [e.kind for e in events] == ["added", "suspect", "erased"]


async def test_a_deleted_channel_is_erased_though_no_other_account_can_address_it(
    world, make_config
) -> None:
    (ch,) = _channels(world, 1)
    async with _worker(world, make_config, 2) as ctx:
        await _add_all(ctx, [ch])
        world.delete_channel(ch)
        channel, _ = await _probe_three_times(ctx, ch, "a")
    assert (channel.status, channel.status_reason) == ("erased", "deleted")


async def test_an_account_banned_from_a_channel_never_erases_it(world, make_config) -> None:
    (ch,) = _channels(world, 1)
    async with _worker(world, make_config, 2) as ctx:
        await _add_all(ctx, [ch])
        world.ban_account(ch, world.conn.execute("SELECT MIN(id) FROM users").fetchone()[0])
        channel, events = await _probe_three_times(ctx, ch, "a")
        states = await _states(ctx, ch)
    assert channel.status == "active"
    assert [e.kind for e in events] == ["added", "account_lost_access"]
    assert states == {"a": "lost"}


async def test_a_sign_of_erasure_another_account_cannot_check_yet_is_not_counted(
    world, make_config
) -> None:
    (ch,) = _channels(world, 1)
    async with _worker(world, make_config, 2) as ctx:
        await _add_all(ctx, [ch])
        await _seen_by_every_account(ctx, ch)
        ctx.accounts.accounts[1].resting_until = time.monotonic() + 3600  # b: a flood wait
        world.make_private(ch)
        channel, events = await _probe_three_times(ctx, ch, "a")
    assert channel.status == "active" and [e.kind for e in events] == ["added"]


async def test_an_account_not_signed_in_is_left_out_with_a_warning(
    world, make_config, caplog
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "telegram": {"accounts": [{"session": "a.session"}, {"session": "b.session"}]},
        }
    )
    await _sign_in(config, config.accounts[0], "+15550000000")
    async with worker(config) as ctx:
        names = [a.name for a in ctx.accounts.accounts]
    assert names == ["a"]
    assert "run `tgmirror --session b login`; archiving with the other accounts" in caplog.text
