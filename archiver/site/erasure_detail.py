"""How an erasure was established, in words a reader understands, from ``channels.status_detail``.

The worker stores what each source answered in a compact technical form: Telegram's error or
type (``CHANNEL_PRIVATE``, ``ChannelForbidden``), a restriction's ``reason: text``, what t.me
showed (``t.me: the plain "Contact @name" page``), or, for a channel read from both,
``telegram: signal (…); web: signal (…)``. ``sightings`` turns that into one `Sighting` per
source: who looked, what they saw (a phrase the page translates) and the original evidence
(Telegram's code or notice, kept verbatim so a reader can check it). A detail it does not
recognise is shown as it is, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archiver.site.locales import N_

TELEGRAM = N_("Telegram")
TME = "t.me"

TELEGRAM_CODES = {
    "ChannelForbidden": N_("refuses access to the channel"),
    "CHANNEL_PRIVATE": N_("refuses access to the channel"),
    "CHANNEL_INVALID": N_("no longer knows the channel"),
}
TME_PAGES = {
    "preview shown": N_("shows the channel's preview"),
    'the plain "Contact @name" page': N_("has no page for the name any more"),
    "a user's or bot's page": N_("shows a user or a bot under the name"),
    "a channel page without preview": N_("shows the channel without a preview"),
}
RESTRICTS = N_("restricts the channel")
TME_NOTICE = N_("shows a notice that the channel is blocked")
NO_CHANNEL = N_("returns no channel")
NO_ANSWER = N_("gave no answer")

_SOURCE = re.compile(r"(?:^|; )(telegram|web): (ok|signal|inconclusive) \(")
_RESTRICTION = re.compile(r"([a-z_]+): (.+)", re.S)
"""A restriction, ``reason: text`` (core.telegram.org/constructor/restrictionReason)."""
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z]*")


@dataclass(frozen=True, slots=True)
class Sighting:
    """One source's view: ``source`` and ``seen`` are msgids (translated where shown; empty
    when unknown), ``evidence`` is Telegram's own code or words, verbatim."""

    source: str
    seen: str
    evidence: str = ""


def sightings(detail: str | None) -> list[Sighting]:
    """The sources' views recorded in ``detail`` (``channels.status_detail``); [] for none."""
    if not detail:
        return []
    parts = _combined(detail)
    if parts is not None:
        return parts
    return [_single(detail)]


def _combined(detail: str) -> list[Sighting] | None:
    """``telegram: signal (…); web: inconclusive (…)``: one sighting per source, else None.
    A source's part runs to the next source's name, so brackets and semicolons in a notice
    stay inside it."""
    starts = list(_SOURCE.finditer(detail))
    if not starts or starts[0].start() != 0:
        return None
    found: list[Sighting] = []
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        inner = detail[match.end() : following.start() if following else len(detail)]
        if not inner.endswith(")"):
            return None
        inner = inner[:-1]
        source, kind = match.groups()
        if kind == "inconclusive":
            label = TME if source == "web" else TELEGRAM
            found.append(Sighting(label, NO_ANSWER, inner.removeprefix("t.me: ")))
        else:
            found.append(_single(inner))
    return found


def _single(detail: str) -> Sighting:
    """One source's detail, as the probe (Telegram) or the t.me witness wrote it."""
    if detail.startswith("t.me: "):
        shown = detail.removeprefix("t.me: ")
        if shown in TME_PAGES:
            return Sighting(TME, TME_PAGES[shown])
        if shown.startswith("blocked notice: "):
            return Sighting(TME, TME_NOTICE, shown.removeprefix("blocked notice: "))
        return Sighting(TME, NO_ANSWER, shown)
    if detail in TELEGRAM_CODES:
        return Sighting(TELEGRAM, TELEGRAM_CODES[detail], detail)
    if restriction := _RESTRICTION.fullmatch(detail):
        return Sighting(TELEGRAM, RESTRICTS, f"{restriction[1]}: {restriction[2]}")
    if _TYPE_NAME.fullmatch(detail):
        return Sighting(TELEGRAM, NO_CHANNEL, detail)
    return Sighting("", "", detail)
