"""The mirror says how a channel's erasure was established (which source saw what)."""

from __future__ import annotations


async def test_erased_badge_says_what_each_source_saw(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/sada_alhaqiqa")
    assert page.status_code == 200
    assert "Established from: telegram: signal (CHANNEL_PRIVATE); web: signal" in page.text
