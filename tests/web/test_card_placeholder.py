"""A post t.me could not render shows on the mirror as such: the label and t.me's notice,
with the caption t.me did show, never as an empty card."""

from __future__ import annotations

from types import SimpleNamespace

from archiver.config import Config
from archiver.site.environment import make_environment
from archiver.store.posts import Post


def test_a_placeholder_card_says_telegram_has_the_post() -> None:
    fields: dict[str, object] = {name: None for name in Post.__slots__}
    fields.update(
        pk=1,
        channel_id=7,
        msg_id=5,
        date=1_700_000_000,
        text="Roll it",
        hidden=False,
        first_seen_at=1,
        captured_at=1,
        source="web",
        revision_count=0,
        files=[],
        media_kind="unsupported",
        media={"type": "not_previewed", "shown": "Please open Telegram to view this post"},
    )
    env = make_environment(Config())
    cards = env.get_template("_macros.html").module.cards  # type: ignore[attr-defined]
    html = str(cards([[Post(**fields)]], SimpleNamespace(id=7, username="wire")))  # type: ignore[arg-type]
    assert "Unsupported media" in html
    assert '<q lang="en">Please open Telegram to view this post</q>' in html
    assert "Roll it" in html
