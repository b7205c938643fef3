"""Random transient faults: a seeded share of RPC answers turns into an error that Telegram sends
when it is struggling (500s, timeouts, short flood waits), or is lost on the way.

The settings live in the world's ``meta`` table, so a daemon in another process follows them as
soon as they change, and every fault injected is counted there by kind. None of these faults is
a statement about a channel: an archiver that takes one for evidence of erasure, or drops the
page it was fetching, has a bug.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass

from .meta import read_meta, write_meta

KINDS = ("RPC_CALL_FAIL", "INTERNAL", "TIMEOUT", "FLOOD_WAIT", "LOST")
"""RPC_CALL_FAIL / INTERNAL: 500 errors; TIMEOUT: Telegram's -503; FLOOD_WAIT: 1 to 3 seconds;
LOST: the server handles the request but its answer never arrives; the client finds the
connection silent ``lost_delay`` seconds later, reconnects and sends the request again."""

SETTINGS_KEY = "random_faults"
COUNT_PREFIX = "faults_injected:"
ANSWERS_KEY = "answers_under_faults"


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """How often answers fail (``rate`` in 0..1), with which kinds, from which seed.

    ``lost_delay`` stands for Telethon's own recovery from a silent connection: it has no
    per-request timeout, and re-sends pending requests when its keep-alive ping (every 60 s)
    finds the previous ping unanswered, so against Telegram a lost answer costs 60 to 120 s.
    The simulated sender does the same on `_keepalive_ping`, and also after ``lost_delay``.
    """

    rate: float
    seed: int = 0
    kinds: tuple[str, ...] = KINDS
    lost_delay: float = 3.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {self.rate}")
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be some of {', '.join(KINDS)}, got {self.kinds}")
        if self.lost_delay < 0:
            raise ValueError(f"lost_delay must not be negative, got {self.lost_delay}")


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault: ``error`` is the (code, message) Telegram answers, or None when the
    answer is lost and the client re-sends the request after ``lost_delay`` seconds."""

    kind: str
    error: tuple[int, str] | None
    lost_delay: float = 0.0


def store_settings(conn: sqlite3.Connection, settings: FaultSettings | None) -> None:
    """Save (or with None, turn off) random faults; call inside a world transaction."""
    value = None
    if settings is not None:
        fields = {
            "rate": settings.rate,
            "seed": settings.seed,
            "kinds": list(settings.kinds),
            "lost_delay": settings.lost_delay,
        }
        value = json.dumps(fields)
    write_meta(conn, SETTINGS_KEY, value)


def load_settings(conn: sqlite3.Connection) -> FaultSettings | None:
    """The random fault settings of a world, or None when they are off."""
    value = read_meta(conn, SETTINGS_KEY)
    if value is None:
        return None
    data = json.loads(value)
    return FaultSettings(data["rate"], data["seed"], tuple(data["kinds"]), data["lost_delay"])


def fault_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many faults of each kind were injected in this world, by every process."""
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE key LIKE ? ORDER BY key", (COUNT_PREFIX + "%",)
    )
    return {key.removeprefix(COUNT_PREFIX): int(value) for key, value in rows}


def answers_under_faults(conn: sqlite3.Connection) -> int:
    """How many answers were drawn for while random faults were on (failed ones included)."""
    value = read_meta(conn, ANSWERS_KEY)
    return int(value) if value is not None else 0


def _count(conn: sqlite3.Connection, kind: str | None) -> None:
    """Count one answer drawn for, and the fault injected into it if any."""
    keys = [ANSWERS_KEY] + ([COUNT_PREFIX + kind] if kind else [])
    conn.execute("BEGIN IMMEDIATE")
    try:
        for key in keys:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key)"
                " DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                (key,),
            )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class FaultDice:
    """Decides, answer by answer, whether it becomes a fault: one per sender, so that a given
    seed and sequence of requests always gives the same faults."""

    def __init__(self) -> None:
        self._rng = random.Random()
        self._seed: int | None = None

    def draw(self, conn: sqlite3.Connection) -> Fault | None:
        """The fault to inject for the next answer, counted in the world; None to answer it."""
        settings = load_settings(conn)
        if settings is None or settings.rate <= 0:
            return None
        if self._seed != settings.seed:
            self._rng.seed(settings.seed)
            self._seed = settings.seed
        if self._rng.random() >= settings.rate:
            _count(conn, None)
            return None
        kind = self._rng.choice(settings.kinds)
        _count(conn, kind)
        if kind == "LOST":
            return Fault(kind, None, settings.lost_delay)
        if kind == "FLOOD_WAIT":
            return Fault(kind, (420, f"FLOOD_WAIT_{self._rng.randint(1, 3)}"))
        if kind == "TIMEOUT":
            return Fault(kind, (-503, "Timeout"))
        return Fault(kind, (500, kind))
