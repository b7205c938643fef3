"""Pages of the mirror on a simulator-built archive: visibility, paging, history, tombstones."""

from __future__ import annotations

import re

from archiver.store.search_text import fold


async def test_index_lists_only_erased_channels_by_default(client) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "صدى الحقيقة" in page.text and "Свободные вести" in page.text
    assert "Open Wire" not in page.text
    assert "Erased · made private" in page.text and "Erased · deleted" in page.text
    assert (await client.get("/open_wire")).status_code == 404


async def test_publish_all_shows_active_channels_too(client_all) -> None:
    page = await client_all.get("/")
    assert "Open Wire" in page.text and "Active on Telegram" in page.text


async def _walk(client, start: str) -> list[int]:
    seen: list[int] = []
    url = start
    while url:
        page = await client.get(url)
        assert page.status_code == 200
        seen += [int(i) for i in re.findall(r'id="post-(\d+)"', page.text)]
        older = re.search(r'rel="next" href="([^"]+)"', page.text)
        url = older.group(1).replace("&amp;", "&") if older else None
    return seen


async def test_paging_to_the_first_post_and_back_shows_every_post_once(
    client, simulated_archive
) -> None:
    down = await _walk(client, "/svobodnye_vesti")
    assert down == sorted(down, reverse=True)
    assert len(down) == len(set(down))
    assert down[-1] == 1
    # back up through ?after= links from the oldest page
    seen_up: list[int] = []
    page = await client.get("/svobodnye_vesti?before=2")
    while True:
        seen_up += [int(i) for i in re.findall(r'id="post-(\d+)"', page.text)]
        newer = re.search(r'rel="prev" href="([^"]+)"', page.text)
        if not newer:
            break
        page = await client.get(newer.group(1))
    assert sorted(seen_up) == sorted(down)
    assert len(seen_up) == len(set(seen_up))


async def test_post_shows_every_revision_and_tombstone(client_all, simulated_archive) -> None:
    ids = simulated_archive["ids"]
    edited = await client_all.get(f"/open_wire/{ids['edited']}")
    assert edited.status_code == 200
    history = edited.text[edited.text.index('id="history"') :]
    for text in ("version one", "version two", "version three", "version four"):
        assert text in history
    assert history.count("captured") == 4
    deleted = await client_all.get(f"/open_wire/{ids['deleted']}")
    assert "this will be deleted" in deleted.text
    assert "This post was deleted on Telegram" in deleted.text


async def test_hidden_post_is_absent_everywhere(client_all, simulated_archive) -> None:
    hidden = simulated_archive["ids"]["hidden"]
    assert (await client_all.get(f"/open_wire/{hidden}")).status_code == 404
    assert (await client_all.get(f"/api/channels/open_wire/posts/{hidden}")).status_code == 404
    assert "zebra" not in (await client_all.get("/open_wire")).text
    assert "zebra" not in (await client_all.get("/open_wire/feed.rss")).text
    assert "zebra" not in (await client_all.get("/open_wire/feed.atom")).text
    assert (await client_all.get("/search?q=zebra")).text.count('class="result"') == 0
    api = await client_all.get("/api/search", params={"q": "zebra"})
    assert api.json() == {"posts": [], "older": None}
    posts = (await client_all.get("/api/channels/open_wire/posts?limit=100")).json()["posts"]
    assert hidden not in [p["msg_id"] for p in posts]


async def test_search_finds_arabic_and_russian_with_and_without_diacritics(client) -> None:
    for query in ("محمد", "مُحَمَّد", "елка", "Ёлка", "ёлк*", '"на площади"'):
        page = await client.get("/search", params={"q": query})
        assert page.status_code == 200, query
        assert page.text.count('class="result"') >= 1, query
        assert "<mark>" in page.text
    assert fold("Ёлка") == "елка"


async def test_malformed_search_is_a_friendly_400(client) -> None:
    for query in ('"', "***", "((( )))", "^^ -- :", "-"):
        page = await client.get("/search", params={"q": query})
        assert page.status_code == 400, query
        assert "nothing to search for" in page.text
    # FTS5 operators are searched as plain words, never interpreted
    literal = await client.get("/search", params={"q": 'AND OR NOT ( NEAR(x "'})
    assert literal.status_code == 200
    api = await client.get("/api/search", params={"q": "((("})
    assert api.status_code == 400 and "nothing to search for" in api.json()["detail"]


async def test_hostile_text_renders_inert(client, simulated_archive) -> None:
    page = await client.get(f"/svobodnye_vesti/{simulated_archive['ids']['xss']}")
    assert "<script>window.pwned" not in page.text
    assert "&lt;script&gt;" in page.text
    assert 'href="javascript:' not in page.text
    assert "onerror=" not in page.text.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_old_username_and_id_redirect_to_canonical_url(client, simulated_archive) -> None:
    page = await client.get(f"/{simulated_archive['ru']}")
    assert page.status_code == 301 and page.headers["location"] == "/svobodnye_vesti"


async def test_security_headers_on_every_page(client) -> None:
    page = await client.get("/")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
