"""The mirror reads what the archiver writes while it runs: no page is served from a stale
snapshot (channel pages read through a synchronous connection on the event loop)."""

from __future__ import annotations

import dataclasses

from archiver.db.engine import open_engine
from archiver.rows import MessageRow
from archiver.store.messages import save_messages, set_post_hidden
from tests.web.conftest import make_client


async def _write(config, action) -> None:
    engine = open_engine(config.database_url)
    async with engine.begin() as conn:
        await action(conn)
    await engine.dispose()


async def test_a_post_saved_while_the_mirror_runs_shows_on_the_next_page_load(
    archive_copy,
) -> None:
    config = archive_copy["config"]
    config = dataclasses.replace(config, web=dataclasses.replace(config.web, publish="all"))
    async with make_client(config) as client:
        page = await client.get("/open_wire")
        assert "Filed while serving" not in page.text
        channel_id = archive_copy["en"]
        row = MessageRow(
            channel_id=channel_id, msg_id=10_000, date=2_000_000_000, text="Filed while serving"
        )
        await _write(config, lambda conn: save_messages(conn, [row], 2_000_000_000))
        assert "Filed while serving" in (await client.get("/open_wire")).text
        assert (await client.get("/open_wire/10000")).status_code == 200
        await _write(config, lambda conn: set_post_hidden(conn, channel_id, 10_000, True))
        assert "Filed while serving" not in (await client.get("/open_wire")).text
        assert (await client.get("/open_wire/10000")).status_code == 404
