"""A TelegramClient whose every request, Telethon's own included, goes through its account's
``RequestPacer``.

Telethon sends all requests through ``_call`` (``client(request)``, ``get_messages``,
``download_media`` on the home DC and on exported senders to other DCs), so pacing there
covers sync, the daemon, media downloads and probes alike. Telethon's own flood handling is
turned off (``flood_sleep_threshold=0``): the pacer sleeps, learns and retries instead.
"""

from __future__ import annotations

from typing import Any

from telethon import TelegramClient

from archiver.telegram.request_pacer import RequestPacer
from archiver.telegram.takeout import TakeoutGate


class PacedTelegramClient(TelegramClient):  # type: ignore[misc]
    """``TelegramClient`` with a ``pacer`` and a ``takeout`` gate (one client per account)."""

    def __init__(self, *args: Any, sleep_threshold: float = 60.0, **kwargs: Any) -> None:
        kwargs["flood_sleep_threshold"] = 0
        super().__init__(*args, **kwargs)
        self.pacer = RequestPacer(sleep_threshold=sleep_threshold)
        self.takeout = TakeoutGate()

    async def _call(
        self,
        sender: Any,
        request: Any,
        ordered: bool = False,
        flood_sleep_threshold: int | None = None,
    ) -> Any:
        async def transmit() -> Any:
            # Telethon remembers waits per outer constructor, which lumps every
            # takeout-wrapped method together; the pacer keeps them per method instead.
            self._flood_waited_requests.clear()
            return await super(PacedTelegramClient, self)._call(
                sender, request, ordered, flood_sleep_threshold
            )

        return await self.pacer.send(request, transmit)
