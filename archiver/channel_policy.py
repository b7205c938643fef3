"""What the config says about one channel: its [[channels]] entry and its follow mode.

Questions of the config alone, kept free of Telethon so that ``tgmirror status`` can ask them
without importing it.
"""

from __future__ import annotations

from typing import Literal

from archiver.channel_refs import parse_ref
from archiver.config import ChannelConfig, Config

Mode = Literal["join", "poll"]


def channel_policy(config: Config, channel_id: int, username: str | None) -> ChannelConfig | None:
    """The [[channels]] entry of ``config`` that names this channel, if any."""
    for entry in config.channels:
        try:
            ref = parse_ref(entry.ref)
        except Exception:
            continue
        if ref.channel_id == channel_id or (
            username and ref.username and ref.username.lower() == username.lower()
        ):
            return entry
    return None


def mode_in_config(config: Config, channel_id: int, username: str | None) -> Mode:
    """The follow mode ``config`` asks for a channel: its [[channels]] entry, else live.follow."""
    policy = channel_policy(config, channel_id, username)
    if policy is not None and policy.follow != "default":
        return policy.follow
    return config.live.follow
