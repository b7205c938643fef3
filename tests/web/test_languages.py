"""The reader's language: ?lang= (remembered in a cookie), then the cookie, then the browser's
Accept-Language, then web.language; right-to-left for Arabic and Persian; feeds and the API
read the same in every language."""

from __future__ import annotations

import dataclasses

from archiver.db.engine import open_engine
from archiver.db.schema import messages
from tests.web.conftest import make_client


async def test_lang_query_sets_the_page_language_and_a_cookie(client_all) -> None:
    page = await client_all.get("/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "القنوات المؤرشفة" in page.text
    assert page.headers["content-language"] == "ar"
    assert page.cookies.get("lang") == "ar"
    again = await client_all.get("/open_wire", headers={"accept-language": "ru"})
    assert '<html lang="ar" dir="rtl">' in again.text  # the cookie beats Accept-Language


async def test_accept_language_picks_the_best_supported_language(client_all) -> None:
    page = await client_all.get("/", headers={"accept-language": "de-DE, uk;q=0.8, ru;q=0.5"})
    assert '<html lang="uk" dir="ltr">' in page.text and "Архівні канали" in page.text
    assert "set-cookie" not in page.headers
    persian = await client_all.get("/search", headers={"accept-language": "fa-IR"})
    assert '<html lang="fa" dir="rtl">' in persian.text


async def test_an_unknown_language_falls_back_to_the_config(simulated_archive) -> None:
    config = simulated_archive["config"]
    web = dataclasses.replace(config.web, publish="all", language="ru")
    async with make_client(dataclasses.replace(config, web=web)) as c:
        page = await c.get("/?lang=xx", headers={"accept-language": "de"})
    assert '<html lang="ru" dir="ltr">' in page.text and "Архивные каналы" in page.text
    assert "set-cookie" not in page.headers


async def test_language_links_keep_the_search(client_all) -> None:
    page = await client_all.get("/search?q=news&lang=fa")
    assert 'href="?q=news&amp;lang=uk"' in page.text
    assert 'aria-current="true">فارسی<' in page.text


async def test_feeds_and_api_are_language_neutral(client_all) -> None:
    for url in ("/open_wire/feed.rss", "/open_wire/feed.atom", "/api/channels"):
        english = await client_all.get(url)
        arabic = await client_all.get(url + "?lang=ar", headers={"accept-language": "ar"})
        assert english.content == arabic.content
        assert "set-cookie" not in arabic.headers


async def test_a_tombstone_says_how_its_deletion_was_found_in_the_page_language(
    archive_copy,
) -> None:
    # a post found gone from t.me/s (deleted_how "web") read "(web)" on every language's page
    engine = open_engine(archive_copy["config"].database_url)
    async with engine.begin() as conn:
        await conn.execute(
            messages.update()
            .where(
                messages.c.channel_id == archive_copy["en"],
                messages.c.msg_id == archive_copy["ids"]["deleted"],
            )
            .values(deleted_how="web")
        )
    await engine.dispose()
    web = dataclasses.replace(archive_copy["config"].web, publish="all")
    async with make_client(dataclasses.replace(archive_copy["config"], web=web)) as c:
        url = f"/open_wire/{archive_copy['ids']['deleted']}"
        english = await c.get(url)
        arabic = await c.get(url + "?lang=ar")
        russian = await c.get(url + "?lang=ru")
    assert "(web)" in english.text
    assert "(معاينة t.me على الويب)" in arabic.text and "(web)" not in arabic.text
    assert "(веб-превью t.me)" in russian.text and "(web)" not in russian.text
