"""The takeout session of one account, used for backfill (``archive.takeout = "auto"``).

Requests wrapped in ``InvokeWithTakeout`` count against takeout's own, larger limits: the data
export of Telegram Desktop works this way. Telegram may refuse a new takeout session with
TAKEOUT_INIT_DELAY_X until the user confirms the export on another device (or X seconds pass):
then the user is told once, backfill goes on without takeout, and the session is asked for
again every ``retry_every`` seconds (the user may confirm before X is over) and at X at the
latest. A session that ends (TAKEOUT_INVALID) is opened again on the next page.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from telethon import TelegramClient, errors, functions

log = logging.getLogger(__name__)

DELAY_NOTICE = (
    "Telegram asked to confirm the data export (takeout) on another device where this account "
    "is signed in; backfill goes on without takeout meanwhile, and uses it once allowed"
)
ENDED_ERRORS = (errors.TakeoutInvalidError, errors.TakeoutRequiredError)
"""Answers to a wrapped request saying the takeout session is over or was never valid."""


class TakeoutGate:
    """Opens, lends and finishes one account's takeout session."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, retry_every: float = 600.0
    ) -> None:
        self._clock = clock
        self.retry_every = retry_every
        self._lock = asyncio.Lock()
        self.takeout_id: int | None = None
        self.retry_at = 0.0
        """``clock()`` time before which a new session is not asked for."""
        self.delayed_until: int | None = None
        """Unix time until which Telegram delays takeout (TAKEOUT_INIT_DELAY), if it does."""
        self.notice_due = False
        """True once the delay is learnt and until the worker has recorded the notice."""
        self.unavailable: str | None = None

    async def wrap(self, client: TelegramClient, request: Any) -> Any:
        """``request`` wrapped in the account's takeout session, or as is while there is none."""
        takeout_id = await self._session(client)
        if takeout_id is None:
            return request
        return functions.InvokeWithTakeoutRequest(takeout_id, request)

    def ended(self) -> None:
        """The session stopped working (TAKEOUT_INVALID): ask for a new one next time."""
        self.takeout_id = None

    async def finish(self, client: TelegramClient) -> None:
        """End the session, if one is open (``account.FinishTakeoutSession``)."""
        takeout_id, self.takeout_id = self.takeout_id, None
        if takeout_id is None:
            return
        try:
            request = functions.account.FinishTakeoutSessionRequest(success=True)
            await client(functions.InvokeWithTakeoutRequest(takeout_id, request))
        except (errors.RPCError, ConnectionError, OSError) as exc:
            log.info(
                "could not finish the takeout session (%s); Telegram ends it on its own",
                exc.__class__.__name__,
            )

    async def _session(self, client: TelegramClient) -> int | None:
        if self.takeout_id is not None or self.unavailable or self._clock() < self.retry_at:
            return self.takeout_id
        async with self._lock:
            if self.takeout_id is not None or self._clock() < self.retry_at:
                return self.takeout_id
            try:
                session = await client(
                    functions.account.InitTakeoutSessionRequest(message_channels=True)
                )
            except errors.TakeoutInitDelayError as exc:
                self.retry_at = self._clock() + min(exc.seconds, self.retry_every)
                first = self.delayed_until is None
                self.delayed_until = int(time.time()) + exc.seconds
                if first:
                    self.notice_due = True
                    log.warning(
                        "%s (Telegram allows it in %d s at the latest)", DELAY_NOTICE, exc.seconds
                    )
                return None
            except errors.RPCError as exc:
                self.unavailable = f"{exc.__class__.__name__}: {exc}"[:200]
                log.warning(
                    "takeout is not available (%s); backfill goes on without it", self.unavailable
                )
                return None
            self.takeout_id = int(session.id)
            if self.delayed_until is not None:
                self.delayed_until = None
                self.notice_due = True  # the notice can go
            log.info("backfill uses a takeout session")
            return self.takeout_id
