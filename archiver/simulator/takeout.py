"""Takeout sessions (core.telegram.org/api/takeout): account.InitTakeoutSession,
InvokeWithTakeout and account.FinishTakeoutSession, as Telegram answers them.

A new takeout must wait, for security, until the user confirms it on another device or a delay
passes: until then InitTakeoutSession answers ``TAKEOUT_INIT_DELAY_X`` (420) with the seconds
left. The delay is a world setting (`World.set_takeout_delay`, default 0: allowed at once).
Once the delay has passed (or `World.allow_takeout`), the account opens sessions freely. A
request wrapped in InvokeWithTakeout with an unknown, foreign or finished session id answers
``TAKEOUT_INVALID``; FinishTakeoutSession outside a takeout answers ``TAKEOUT_REQUIRED`` (403).
"""

from __future__ import annotations

import math
import sqlite3
import time
from typing import Any

from telethon.tl import functions, types

from .accounts import RpcFailure
from .meta import read_meta
from .schema import stable_hash
from .world import World
from .world_limits import TAKEOUT_DELAY_KEY


def takeout_delay(conn: sqlite3.Connection) -> float:
    """Seconds a new takeout waits for (the world setting; 0 when never set)."""
    value = read_meta(conn, TAKEOUT_DELAY_KEY)
    return float(value) if value is not None else 0.0


def session_is_open(conn: sqlite3.Connection, takeout_id: int, user_id: int) -> bool:
    """Whether `takeout_id` is an unfinished session of this account."""
    row = conn.execute(
        "SELECT 1 FROM takeouts WHERE id = ? AND user_id = ? AND finished = 0",
        (takeout_id, user_id),
    ).fetchone()
    return row is not None


class TakeoutHandlers:
    """Mixed into the RPC server: the takeout methods of one connection's account."""

    world: World
    conn: sqlite3.Connection
    viewer: int
    takeout_id: int | None = None
    """The session id of the InvokeWithTakeout wrapping the request being answered, if any."""

    def init_takeout_session(self, request: Any) -> types.account.Takeout:
        now = time.time()
        delay = takeout_delay(self.conn)
        with self.world.transaction() as conn:
            row = conn.execute(
                "SELECT requested FROM takeout_requests WHERE user_id = ?", (self.viewer,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO takeout_requests (user_id, requested) VALUES (?, ?)",
                    (self.viewer, now),
                )
            left = (row["requested"] if row else now) + delay - now
            if left <= 0:
                count = conn.execute("SELECT COUNT(*) FROM takeouts").fetchone()[0]
                takeout_id = abs(stable_hash("takeout", self.viewer, count))
                conn.execute(
                    "INSERT INTO takeouts (id, user_id, started) VALUES (?, ?, ?)",
                    (takeout_id, self.viewer, now),
                )
        if left > 0:  # raised after the commit: the request's time is kept
            raise RpcFailure(f"TAKEOUT_INIT_DELAY_{max(1, math.ceil(left))}", 420)
        return types.account.Takeout(id=takeout_id)

    def finish_takeout_session(self, request: Any) -> bool:
        if self.takeout_id is None:
            raise RpcFailure("TAKEOUT_REQUIRED", 403)
        with self.world.transaction() as conn:
            conn.execute("UPDATE takeouts SET finished = 1 WHERE id = ?", (self.takeout_id,))
        return True

    def check_takeout(self) -> None:
        """Refuse a request wrapped in a takeout session this account cannot use."""
        if self.takeout_id is not None and not session_is_open(
            self.conn, self.takeout_id, self.viewer
        ):
            raise RpcFailure("TAKEOUT_INVALID")

    def takeout_handlers(self) -> dict[type, Any]:
        """The request types this mixin answers, for the server's dispatch table."""
        return {
            functions.account.InitTakeoutSessionRequest: self.init_takeout_session,
            functions.account.FinishTakeoutSessionRequest: self.finish_takeout_session,
        }
