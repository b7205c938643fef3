"""The mirror says how a channel's erasure was established (which source saw what)."""

from __future__ import annotations


async def test_erased_badge_says_what_each_source_saw(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/sada_alhaqiqa")
    assert page.status_code == 200
    how = (
        "Established from: Telegram refuses access to the channel"
        ' (<bdi class="erasure-evidence">CHANNEL_PRIVATE</bdi>);'
        " t.me has no page for the name any more</span>"
    )
    assert how in page.text


async def test_the_sources_views_are_in_the_readers_language(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/sada_alhaqiqa?lang=ru")
    assert page.status_code == 200
    assert "Telegram отказывает в доступе к каналу" in page.text
    assert "t.me больше не имеет страницы для этого имени" in page.text
    assert "refuses access" not in page.text
