"""save_messages gives the same row whatever order a message's captures arrive in.

A capture is as new as its edit date (none: the unedited original). Each example saves the
same captures in every order, each order into its own message, and checks every final row:
the newest capture's content, and each counter from the newest capture that has it (a
capture without a counter, such as a Desktop import without views, never wipes it).
Two captures of one version may carry different counters; then arrival order is capture
order and the later one wins, so examples give each capture its own version.
"""

from __future__ import annotations

import asyncio
from itertools import count, permutations
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.config import Config
from archiver.db.engine import open_engine
from archiver.db.schema import messages
from archiver.rows import ChannelRow, MessageRow
from archiver.store.channels import upsert_channel
from archiver.store.messages import save_messages

CH = 1001
COUNTERS = ("views", "forwards", "replies", "reactions")
counter = st.none() | st.integers(0, 10**6)
reactions = st.none() | st.builds(lambda n: [{"emoji": "👍", "count": n}], st.integers(1, 99))
capture = st.fixed_dictionaries(
    {"views": counter, "forwards": counter, "replies": counter, "reactions": reactions}
)
versions = st.lists(st.sampled_from([None, 100, 200, 300]), min_size=1, max_size=4, unique=True)


def _row(msg_id: int, edit_date: int | None, counters: dict[str, Any]) -> MessageRow:
    return MessageRow(
        channel_id=CH,
        msg_id=msg_id,
        date=1,
        text=f"version {edit_date}",
        edit_date=edit_date,
        **counters,
    )


def _expected(captures: list[tuple[int | None, dict[str, Any]]]) -> dict[str, Any]:
    newest_first = sorted(captures, key=lambda c: c[0] or 0, reverse=True)
    edit_date = newest_first[0][0]
    final: dict[str, Any] = {"text": f"version {edit_date}", "edit_date": edit_date}
    for name in COUNTERS:
        final[name] = next((c[name] for _, c in newest_first if c[name] is not None), None)
    return final


def test_the_final_row_does_not_depend_on_capture_order(config: Config) -> None:
    ids = count(1)

    async def save_in_every_order(captures: list[tuple[int | None, dict[str, Any]]]) -> list:
        engine = open_engine(config.database_url)
        try:
            async with engine.begin() as conn:
                await upsert_channel(conn, ChannelRow(id=CH, access_hash=5, title="C"), 1)
            finals = []
            for order in permutations(captures):
                msg_id = next(ids)
                for now, (edit_date, counters) in enumerate(order, start=10):
                    async with engine.begin() as conn:
                        await save_messages(conn, [_row(msg_id, edit_date, counters)], now)
                async with engine.connect() as conn:
                    columns = [messages.c[n] for n in ("text", "edit_date", *COUNTERS)]
                    row = (
                        await conn.execute(sa.select(*columns).where(messages.c.msg_id == msg_id))
                    ).one()
                finals.append(dict(row._mapping))
            return finals
        finally:
            await engine.dispose()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(edits=versions, data=st.data())
    def run(edits: list[int | None], data: st.DataObject) -> None:
        captures = [(e, data.draw(capture)) for e in edits]
        expected = _expected(captures)
        for final in asyncio.run(save_in_every_order(captures)):
            assert final == expected

    run()
