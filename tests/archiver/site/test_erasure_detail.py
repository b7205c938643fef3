"""``sightings``: the stored erasure detail, as the worker really writes it, read per source."""

from __future__ import annotations

from telethon.tl import types

from archiver.site.erasure_detail import (
    NO_ANSWER,
    NO_CHANNEL,
    RESTRICTS,
    TELEGRAM,
    TME,
    TME_NOTICE,
    Sighting,
    sightings,
)
from archiver.tme.parse import PreviewPage
from archiver.worker.channel_status import Observation
from archiver.worker.probe import observe_chat
from archiver.worker.web_erasure import combine, page_observation


def _detail(obs: Observation) -> str:
    assert obs.detail is not None
    return obs.detail


def test_a_forbidden_channel_is_telegram_refusing_access_with_its_type_kept() -> None:
    forbidden = types.ChannelForbidden(id=1, access_hash=2, title="Gone")
    assert sightings(_detail(observe_chat(forbidden))) == [
        Sighting(TELEGRAM, "refuses access to the channel", "ChannelForbidden")
    ]
    assert sightings("CHANNEL_PRIVATE") == [
        Sighting(TELEGRAM, "refuses access to the channel", "CHANNEL_PRIVATE")
    ]
    assert sightings("CHANNEL_INVALID")[0].seen == "no longer knows the channel"


def test_a_restriction_keeps_telegrams_own_words() -> None:
    text = "This channel can't be displayed because it violated Telegram's Terms of Service."
    channel = types.Channel(
        id=1,
        title="Banned",
        photo=types.ChatPhotoEmpty(),
        date=None,
        restricted=True,
        restriction_reason=[types.RestrictionReason(platform="all", reason="terms", text=text)],
        access_hash=2,
    )
    assert sightings(_detail(observe_chat(channel))) == [
        Sighting(TELEGRAM, RESTRICTS, f"terms: {text}")
    ]


def test_a_chat_of_another_type_is_no_channel() -> None:
    assert sightings(_detail(observe_chat(types.ChatEmpty(id=1)))) == [
        Sighting(TELEGRAM, NO_CHANNEL, "ChatEmpty")
    ]


def test_each_tme_page_says_what_it_showed() -> None:
    said = {
        kind: sightings(_detail(page_observation(PreviewPage(kind))))
        for kind in ("preview", "nobody", "user", "channel")
    }
    assert said["nobody"] == [Sighting(TME, "has no page for the name any more")]
    assert said["user"] == [Sighting(TME, "shows a user or a bot under the name")]
    assert said["channel"] == [Sighting(TME, "shows the channel without a preview")]
    assert said["preview"] == [Sighting(TME, "shows the channel's preview")]
    notice = "This channel is blocked in your country; (see details)"
    blocked = page_observation(PreviewPage("blocked", notice=notice))
    assert sightings(_detail(blocked)) == [Sighting(TME, TME_NOTICE, notice)]


def test_both_sources_are_read_one_by_one_even_with_brackets_and_semicolons_inside() -> None:
    notice = "Blocked (in Russia); by court order"
    both = combine(
        {
            "telegram": Observation("signal", "private", "CHANNEL_PRIVATE"),
            "web": page_observation(PreviewPage("blocked", notice=notice)),
        }
    )
    assert sightings(_detail(both)) == [
        Sighting(TELEGRAM, "refuses access to the channel", "CHANNEL_PRIVATE"),
        Sighting(TME, TME_NOTICE, notice),
    ]
    unsure = combine(
        {
            "telegram": Observation("signal", "deleted", "CHANNEL_INVALID"),
            "web": Observation("inconclusive", detail="t.me: HTTP 503"),
        }
    )
    assert sightings(_detail(unsure))[1] == Sighting(TME, NO_ANSWER, "HTTP 503")


def test_a_detail_it_does_not_know_is_shown_as_it_is() -> None:
    assert sightings(None) == []
    assert sightings("account main cannot find it; 42") == [
        Sighting("", "", "account main cannot find it; 42")
    ]
