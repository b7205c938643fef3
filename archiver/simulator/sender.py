"""`SimulatedSender`: stands in for Telethon's MTProtoSender, answering from a world file.

Everything else in the `TelegramClient` stays real. Answers are serialised to wire bytes and parsed
back with the request's own `read_result`, as the real sender does with Telegram's bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
import time
from pathlib import Path
from typing import Any

from telethon import TelegramClient
from telethon.crypto import AuthKey
from telethon.errors import rpc_message_to_error
from telethon.extensions import BinaryReader
from telethon.tl import types
from telethon.tl.tlobject import TLObject

from . import accounting, link, updates
from .accounts import RpcFailure
from .datacenters import HOME_DC, create_exported_sender
from .faults import FaultDice
from .rpc import NO_AUTH_NEEDED, UNWRAPPED, Server
from .world import World

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.15  # seconds between looks at the world's change log
VECTOR_ID = 0x1CB5C415
BOOL_IDS = {True: 0x997275B5, False: 0xBC799737}


def wire_bytes(result: Any) -> bytes:
    """Serialise an answer as Telegram would send it (vectors and Bools included)."""
    if isinstance(result, bool):
        return struct.pack("<I", BOOL_IDS[result])
    if isinstance(result, list):
        items = [bytes(x) if isinstance(x, TLObject) else struct.pack("<q", x) for x in result]
        return struct.pack("<Ii", VECTOR_ID, len(items)) + b"".join(items)
    return bytes(result)


def handshake_or_login(request: TLObject) -> bool:
    """Requests left alone by random faults: connecting and signing in are not archiving."""
    while isinstance(request, UNWRAPPED):
        request = request.query
    return isinstance(request, NO_AUTH_NEEDED)


def roundtrip(request: TLObject | None, result: Any) -> Any:
    """Send `result` through Telethon's real decoding for `request` (None: a pushed update)."""
    reader = BinaryReader(wire_bytes(result))
    return reader.tgread_object() if request is None else request.read_result(reader)


class SimulatedSender:
    """The part of MTProtoSender that TelegramClient uses, backed by a world file.

    The client's main sender talks to `HOME_DC` with the session's auth key; an exported sender
    (`datacenters.create_exported_sender`) is another connection, to `dc_id`, with a key of its
    own that `auth.importAuthorization` signs in. Only the main sender receives updates.
    """

    def __init__(
        self,
        client: TelegramClient,
        world_path: str | Path,
        authorized: bool,
        dc_id: int | None = None,
    ) -> None:
        self._client = client
        self._world_path = Path(world_path)
        self._authorize = authorized
        self.dc_id = HOME_DC if dc_id is None else dc_id
        self._exported = dc_id is not None
        key = None if self._exported else client.session.auth_key
        self.auth_key = key if key is not None and key.key else AuthKey(os.urandom(256))
        self._world: World | None = None
        self._server: Server | None = None
        self._connected = False
        self._disconnected: asyncio.Future[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._stalled: list[tuple[TLObject, asyncio.Future[Any]]] = []
        self._link = link.Link()
        # Requests whose answer was lost: the connection is silent since `_silent_since`, and
        # they are re-sent when the client notices (see `_keepalive_ping`).
        self._unanswered: list[tuple[TLObject, asyncio.Future[Any]]] = []
        self._silent_since: float | None = None
        self._resend_after = 0.0
        self._ping_unanswered = False
        self._reconnect_task: asyncio.Task[None] | None = None
        self._dice = FaultDice()
        self._outage_since: float | None = None
        self._seq = 0

    # -- the MTProtoSender surface -------------------------------------------------------------

    async def connect(self, connection: Any) -> bool:
        """Open the world; True means newly connected. Fails with ConnectionError during outage."""
        if self._connected:
            return False
        world = World.open(self._world_path)
        if world.meta("outage") == "1":
            world.close()
            raise ConnectionError("simulated network outage: cannot reach Telegram")
        # SQLite integers are signed 64-bit; auth key ids are unsigned.
        key_id = struct.unpack("<q", struct.pack("<Q", self.auth_key.key_id))[0]
        if self._authorize:
            world.authorize(key_id)
        self._world, self._server = world, Server(world, key_id, self.dc_id)
        self._seq = updates.last_seq(world.conn)
        self._connected = True
        self._outage_since = None
        self._disconnected = asyncio.get_running_loop().create_future()
        self._poller = asyncio.create_task(self._poll_loop())
        return True

    def is_connected(self) -> bool:
        return self._connected

    def _transport_connected(self) -> bool:
        return self._connected and self._outage_since is None

    def _keepalive_ping(self, ping_id: int) -> None:
        """Telethon's keep-alive (every 60 s): as in MTProtoSender, a ping still unanswered at
        the next one means a dead connection, so reconnect and re-send every pending request.
        Only a connection that lost an answer leaves pings unanswered."""
        if self._silent_since is None:
            return  # the pong arrives
        if self._ping_unanswered:
            self._reconnect()
        else:
            self._ping_unanswered = True

    @property
    def disconnected(self) -> asyncio.Future[None]:
        if self._disconnected is None:
            self._disconnected = asyncio.get_running_loop().create_future()
            self._disconnected.set_result(None)
        return asyncio.shield(self._disconnected)

    async def disconnect(self) -> None:
        self._close(None)
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnect_task
            self._reconnect_task = None
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None

    def send(self, request: Any, ordered: bool = False) -> Any:
        """One future per request (a list for a list), answered from the world."""
        if not self._connected:
            raise ConnectionError("Cannot send requests while disconnected")
        if isinstance(request, list):
            return [self._send_one(r) for r in request]
        return self._send_one(request)

    # -- internals -----------------------------------------------------------------------------

    def _send_one(self, request: TLObject) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self._outage_since is None and self._world and self._world.meta("outage") == "1":
            self._outage_since = time.monotonic()
        if self._outage_since is not None:
            self._stalled.append((request, future))
        else:
            self._answer(request, future)
        return future

    def _answer(self, request: TLObject, future: asyncio.Future[Any]) -> None:
        """Send `request` to the server and settle `future` when its answer has come over the
        link, unless a random fault (`World.set_random_faults`) fails or loses it."""
        assert self._server is not None
        if future.done():
            return
        fault = None if handshake_or_login(request) else self._dice.draw(self._server.conn)
        if fault is not None and fault.error is not None:
            code, message = fault.error
            self._server.count(request)
            accounting.note_error(self._server.conn, message)
            error = types.RpcError(code, message)
            self._deliver(future, len(bytes(error)), error=rpc_message_to_error(error, request))
            return
        result, failure, size = self._ask_server(request)
        if fault is not None:  # lost: the server answered, the answer never arrives
            self._unanswered.append((request, future))
            if self._silent_since is None:
                self._silent_since, self._resend_after = time.monotonic(), fault.lost_delay
            return
        self._deliver(future, size, result=result, error=failure)

    def _ask_server(self, request: TLObject) -> tuple[Any, BaseException | None, int]:
        """The server's answer to `request` as Telethon decodes it (or the exception it
        raises), with the answer's size in bytes on the wire."""
        assert self._server is not None
        try:
            # The server sees the request as Telegram would: parsed back from its wire bytes.
            result = self._server.handle(BinaryReader(bytes(request)).tgread_object())
            data = wire_bytes(result)
            return request.read_result(BinaryReader(data)), None, len(data)
        except RpcFailure as exc:
            error = types.RpcError(exc.code, exc.message)
            return None, rpc_message_to_error(error, request), len(bytes(error))
        except Exception as exc:  # a simulator bug must fail the call, never hang it
            log.exception("simulated Telegram failed answering %s", type(request).__name__)
            return None, exc, 0

    def _deliver(
        self,
        future: asyncio.Future[Any],
        size: int,
        *,
        result: Any = None,
        error: BaseException | None = None,
    ) -> None:
        assert self._server is not None
        settings = link.load_settings(self._server.conn)
        self._link.deliver(future, settings, size, result=result, error=error)

    def _reconnect(self) -> None:
        """What MTProtoSender does once it finds the connection dead: connect again, re-send
        every request still waiting for its answer, and let the client ask `get_me`."""
        pending, self._unanswered = self._unanswered, []
        self._silent_since, self._ping_unanswered = None, False
        log.info("simulated connection went silent; re-sending %d request(s)", len(pending))
        for request, future in pending:
            self._answer(request, future)
        if self._exported:
            return  # Telethon's exported senders have no auto-reconnect callback
        if self._reconnect_task is None or self._reconnect_task.done():
            self._reconnect_task = asyncio.create_task(self._client._handle_auto_reconnect())

    def _close(self, error: BaseException | None) -> None:
        self._connected = False
        waiting = [f for _, f in self._stalled] + [f for _, f in self._unanswered]
        for future in waiting:
            if not future.done():
                future.set_exception(error or ConnectionError("disconnected"))
        self._stalled.clear()
        self._unanswered.clear()
        self._silent_since, self._ping_unanswered = None, False
        self._link.close(error or ConnectionError("disconnected"))
        if self._disconnected is not None and not self._disconnected.done():
            self._disconnected.set_result(None)
        if self._world is not None:
            self._world.close()
            self._world = None

    def _stall_limit(self) -> float:
        """How long Telethon's own reconnect attempts would keep requests waiting."""
        retries = max(1, getattr(self._client, "_connection_retries", 5) or 1)
        return retries * float(getattr(self._client, "_retry_delay", 1) or 0)

    async def _poll_loop(self) -> None:
        while self._connected:
            try:
                self._poll_once()
            except Exception:
                log.exception("simulated sender failed polling %s", self._world_path)
            await asyncio.sleep(POLL_INTERVAL)

    def _poll_once(self) -> None:
        world, server = self._world, self._server
        if world is None or server is None:
            return
        if world.meta("outage") == "1":
            now = time.monotonic()
            self._outage_since = self._outage_since or now
            if now - self._outage_since >= self._stall_limit():
                log.info("simulated outage outlasted reconnect attempts; disconnecting")
                self._close(ConnectionError("simulated network outage: connection lost"))
            return
        self._outage_since = None
        stalled, self._stalled = self._stalled, []
        for request, future in stalled:
            self._answer(request, future)
        silent = self._silent_since
        if silent is not None and time.monotonic() - silent >= self._resend_after:
            self._reconnect()  # the keep-alive noticing, at `lost_delay` instead of 60-120 s
        if self._exported:
            return  # Telegram pushes updates on the account's main connection only
        for change in updates.pending_changes(world.conn, self._seq):
            self._seq = change["seq"]
            built = updates.build(world.conn, change, server.user_id())
            if built is not None:
                self._client._updates_queue.put_nowait(roundtrip(None, built))


def attach(client: TelegramClient, world_path: str | Path, *, authorized: bool = True) -> None:
    """Make `client` talk to the simulated world at `world_path` instead of Telegram.

    Call before `client.connect()`. With `authorized=True` the client's auth key counts as logged
    in; pass False to go through sign-in (code `auth.LOGIN_CODE`, 2FA with the world password).
    """
    client._sender = SimulatedSender(client, world_path, authorized)

    async def exported_sender(dc_id: int) -> SimulatedSender:
        return await create_exported_sender(client, world_path, dc_id)

    # Downloads from another DC borrow a sender made here (Telethon's own borrowing, caching
    # and FILE_MIGRATE handling stay real).
    client._create_exported_sender = exported_sender
