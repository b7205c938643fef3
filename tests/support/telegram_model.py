"""How much of Telegram's real behaviour a reliability suite turns on: the ideal simulator, or
request quotas and a network with latency and bandwidth (scaled so that a suite stays short)."""

from __future__ import annotations

from dataclasses import dataclass, field

from archiver.simulator import World


@dataclass(frozen=True)
class TelegramModel:
    """Quotas (`World.set_limits`) and network (`World.set_network`) to apply to a world."""

    name: str
    limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    penalty: float = 0.0
    rtt_ms: float = 0.0
    bytes_per_second: float | None = None

    def apply(self, world: World) -> None:
        world.set_limits(self.limits, penalty=self.penalty)
        world.set_network(rtt_ms=self.rtt_ms, bytes_per_second=self.bytes_per_second)

    def report(self, world: World) -> str:
        """One line for ``-s`` output: what reached the server and how long it made us wait."""
        return (
            f"{self.name}: {world.flood_wait_seconds()} s of FLOOD_WAIT answered;"
            f" requests {world.request_counts()}"
        )


IDEAL = TelegramModel("ideal")
LIMITED = TelegramModel(
    "limits+network",
    # Small enough that backfills and downloads run into FLOOD_WAIT, large enough that the
    # suites' deadlines hold with the archiver sleeping through the short waits.
    limits={
        "GetHistoryRequest": (5, 2.0),
        "GetFileRequest": (30, 1.0),
        "GetMessagesRequest": (10, 2.0),
        "GetChannelDifferenceRequest": (10, 2.0),
        "GetFullChannelRequest": (5, 2.0),
        "ResolveUsernameRequest": (10, 10.0),
    },
    penalty=1.0,
    rtt_ms=20,
    bytes_per_second=20_000_000,
)
MODELS = [IDEAL, LIMITED]
