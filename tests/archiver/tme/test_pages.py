"""The simulator's t.me answers what t.me does for each state of a channel, and the parser
reads each answer as the right evidence."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from archiver.simulator import World
from archiver.simulator.web_preview import serve_web
from archiver.tme.parse import PreviewPage, TruncatedPage, parse_page


def _get(base_url: str, path: str) -> PreviewPage:
    with httpx.Client(follow_redirects=True) as client:
        return parse_page(client.get(base_url + path).text, 1)


@pytest.fixture
def world(tmp_path: Path) -> World:
    w = World.create(tmp_path / "world.sqlite")
    w.add_channel("daily", "Daily", "about", signatures=True)
    return w


def test_pages_hold_twenty_posts_and_walk_back_to_the_first(world: World) -> None:
    ch = world.channel_id("daily")
    for n in range(45):
        world.post(ch, f"post {n}", views=1234 + n, post_author="Sara", push=False)
    with serve_web(world.path) as app:
        newest = _get(app.state.base_url, "/s/daily")
        assert [r.msg_id for r in newest.posts] == list(range(26, 46))
        assert newest.before == 26
        older = _get(app.state.base_url, "/s/daily?before=26")
        assert [r.msg_id for r in older.posts] == list(range(6, 26))
        first = _get(app.state.base_url, "/s/daily?before=6")
        assert [r.msg_id for r in first.posts] == [1, 2, 3, 4, 5] and first.before is None
    row = newest.posts[0]
    assert (row.text, row.views, row.post_author) == ("post 25", 1200, "Sara")
    assert row.extra["web"]["views"] == "1.2K"


def test_edited_marker_and_unrenderable_post(world: World) -> None:
    from archiver.simulator import Dice

    ch = world.channel_id("daily")
    mid = world.post(ch, "first", push=False)
    world.edit(ch, mid, "second", push=False)
    card = world.post(ch, "", media=Dice("🎲", 3), push=False)
    with serve_web(world.path) as app:
        page = _get(app.state.base_url, "/s/daily")
    rows = {r.msg_id: r for r in page.posts}
    assert rows[mid].text == "second" and rows[mid].extra["web"]["edited"] is True
    assert rows[card].extra["web"]["unsupported"] is True


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ("delete_channel", "nobody"),
        ("make_private", "nobody"),
        ("ban", "blocked"),
        ("restrict", "blocked"),
    ],
)
def test_erased_channels_look_like_telegram_shows_them(
    world: World, change: str, kind: str
) -> None:
    ch = world.channel_id("daily")
    world.post(ch, "hello", push=False)
    if change == "make_private":
        world.make_private(ch)
        world.set_username(ch, None)  # a private channel has no public username
    else:
        getattr(world, change)(ch)
    with serve_web(world.path) as app:
        page = _get(app.state.base_url, "/s/daily")
    assert page.kind == kind and not page.posts
    if kind == "blocked":
        assert page.notice


def test_a_username_now_of_a_user_and_a_group_without_preview(world: World) -> None:
    world.add_account("Daily", "15550009999")
    world.conn.execute("UPDATE users SET username = 'daily_user' WHERE first_name = 'Daily'")
    world.add_channel("chatroom", "Chat", megagroup=True)
    with serve_web(world.path) as app:
        assert _get(app.state.base_url, "/s/daily_user").kind == "user"
        group = _get(app.state.base_url, "/s/chatroom")
        assert (group.kind, group.title) == ("channel", "Chat")
        assert _get(app.state.base_url, "/s/daily").kind == "preview"


def test_a_truncated_body_is_never_evidence(world: World) -> None:
    world.post(world.channel_id("daily"), "hello", push=False)
    with serve_web(world.path) as app, httpx.Client() as client:
        html = client.get(app.state.base_url + "/s/daily").text
    with pytest.raises(TruncatedPage):
        parse_page(html[: len(html) // 2], 1)
