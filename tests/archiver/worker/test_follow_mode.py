"""Follow modes: a channel to join is joined once, a refused join falls back to polling, the
config chooses per channel; a joined channel gets its posts pushed."""

from __future__ import annotations

import logging

from archiver.store.sync_state import get_sync_state
from archiver.worker.channels import add_channel
from archiver.worker.follow_mode import configured_mode, settle_mode


async def _state(ctx, channel_id):
    async with ctx.read() as conn:
        return await get_sync_state(conn, channel_id)


async def test_join_mode_joins_once(world, make_config, sim_worker) -> None:
    config = make_config({"live": {"follow": "join"}, "simulator": {"world": str(world.path)}})
    ch = world.add_channel("joinme", "Join me")
    async with sim_worker(config) as ctx:
        channel = (await add_channel(ctx, "@joinme")).channel
        assert await settle_mode(ctx, ctx.accounts.primary, channel) == "join"
        world.leave(ch)  # had it joined again, the world would show it
        assert await settle_mode(ctx, ctx.accounts.primary, channel) == "join"
        state = await _state(ctx, ch)
    assert world.joined_channels() == []
    assert (state.follow_mode, state.joined_account) == ("join", "tgmirror")


async def test_channels_too_much_falls_back_to_polling(
    world, make_config, sim_worker, caplog
) -> None:
    config = make_config({"live": {"follow": "join"}, "simulator": {"world": str(world.path)}})
    ch = world.add_channel("one_too_many", "One too many")
    world.set_channels_limit(0)
    async with sim_worker(config) as ctx:
        channel = (await add_channel(ctx, "@one_too_many")).channel
        with caplog.at_level(logging.WARNING, logger="archiver.worker.follow_mode"):
            assert await settle_mode(ctx, ctx.accounts.primary, channel) == "poll"
        state = await _state(ctx, ch)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "CHANNELS_TOO_MUCH" in warnings[0]
    assert "\n" not in warnings[0]
    assert (state.follow_mode, state.joined_account) == ("poll", None)
    assert world.joined_channels() == []


async def test_poll_is_the_default_and_a_channel_may_choose_join(
    world, make_config, sim_worker
) -> None:
    config = make_config(
        {
            "simulator": {"world": str(world.path)},
            "channels": [{"ref": "@chosen", "follow": "join"}],
        }
    )
    world.add_channel("chosen", "Chosen")
    other = world.add_channel("other", "Other")
    async with sim_worker(config) as ctx:
        chosen = (await add_channel(ctx, "@chosen")).channel
        polled = (await add_channel(ctx, "@other")).channel
        assert (configured_mode(ctx, chosen), configured_mode(ctx, polled)) == ("join", "poll")
        assert await settle_mode(ctx, ctx.accounts.primary, polled) == "poll"
    assert other not in world.joined_channels()
