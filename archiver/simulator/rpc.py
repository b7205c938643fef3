"""Answer one Telethon request from the world: dispatch by request type, or fail like Telegram.

Handlers return TL objects (or lists for vector results) or raise `RpcFailure`; the sender turns
the failure into the exception Telethon itself would raise.
"""

from __future__ import annotations

import inspect
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from telethon.tl import functions, types
from telethon.tl.tlobject import TLObject

from . import accounting, quotas, tl_build, world_follow
from .accounts import LoginHandlers, RpcFailure, is_banned, refusal, signed_in_user
from .auth import SrpServer
from .channel_serving import ChannelHandlers
from .datacenters import HOME_DC, dc_options
from .export_auth import DatacenterHandlers
from .file_serving import FileHandlers
from .membership import MembershipHandlers
from .schema import channel_hash
from .takeout import TakeoutHandlers
from .world import World

log = logging.getLogger(__name__)

UNWRAPPED = (
    functions.InvokeWithLayerRequest,
    functions.InitConnectionRequest,
    functions.InvokeWithoutUpdatesRequest,
)
NO_AUTH_NEEDED = (
    functions.help.GetConfigRequest,
    functions.auth.SendCodeRequest,
    functions.auth.SignInRequest,
    functions.account.GetPasswordRequest,
    functions.auth.CheckPasswordRequest,
    functions.auth.ImportAuthorizationRequest,
)


def unwrap(request: TLObject) -> tuple[TLObject, str, int | None]:
    """The request inside its wrappers, the name of the quota bucket it draws from (its class
    name, with `quotas.TAKEOUT_PREFIX` inside a takeout) and the takeout session id if any."""
    takeout_id = None
    while isinstance(request, (*UNWRAPPED, functions.InvokeWithTakeoutRequest)):
        if isinstance(request, functions.InvokeWithTakeoutRequest):
            takeout_id = int(request.takeout_id)
        request = request.query
    prefix = quotas.TAKEOUT_PREFIX if takeout_id is not None else ""
    return request, prefix + type(request).__name__, takeout_id


def request_channel_id(request: TLObject) -> int | None:
    """The channel a request is about, if any (for channel-scoped injected failures)."""
    for name in ("channel", "peer"):
        target = getattr(request, name, None)
        if target is not None and hasattr(target, "channel_id"):
            return int(target.channel_id)
    location = getattr(request, "location", None)
    channel_id = getattr(getattr(location, "peer", None), "channel_id", None)
    return int(channel_id) if channel_id is not None else None


def _config(this_dc: int) -> types.Config:
    now = int(time.time())
    fields: dict[str, Any] = {
        "date": tl_build.utc(now),
        "expires": tl_build.utc(now + 3600),
        "test_mode": False,
        "this_dc": this_dc,
        "dc_txt_domain_name": "sim.invalid",
        "me_url_prefix": "https://t.me/",
        "dc_options": dc_options(),
    }
    for name, param in inspect.signature(types.Config.__init__).parameters.items():
        if name not in fields and name != "self" and param.default is inspect.Parameter.empty:
            fields[name] = 4096
    return types.Config(**fields)


class Server(
    LoginHandlers,
    ChannelHandlers,
    TakeoutHandlers,
    MembershipHandlers,
    DatacenterHandlers,
    FileHandlers,
):
    """The simulated Telegram as seen by one connection (one auth key, one account, one DC)."""

    def __init__(self, world: World, auth_key_id: int, dc_id: int = HOME_DC) -> None:
        self.world = world
        self.conn = world.conn
        self.auth_key_id = auth_key_id
        self.dc_id = dc_id
        self.srp = SrpServer()
        self.viewer = self.user_id()
        self.handlers: dict[type, Callable[[Any], Any]] = {
            functions.help.GetConfigRequest: lambda r: _config(self.dc_id),
            functions.users.GetUsersRequest: self.get_users,
            functions.auth.SendCodeRequest: self.send_code,
            functions.auth.SignInRequest: self.sign_in,
            functions.account.GetPasswordRequest: lambda r: self.srp.password_info(
                self.world.meta("password")
            ),
            functions.auth.CheckPasswordRequest: self.check_password,
            functions.auth.LogOutRequest: self.log_out,
            functions.updates.GetStateRequest: lambda r: types.updates.State(
                pts=1, qts=0, date=tl_build.utc(time.time()), seq=0, unread_count=0
            ),
            functions.updates.GetDifferenceRequest: lambda r: types.updates.DifferenceEmpty(
                date=tl_build.utc(time.time()), seq=0
            ),
            **self.channel_handlers(),
            **self.takeout_handlers(),
            functions.channels.JoinChannelRequest: self.join_channel,
            functions.channels.LeaveChannelRequest: self.leave_channel,
            **self.datacenter_handlers(),
            **self.file_handlers(),
        }

    # -- plumbing ----------------------------------------------------------------------------

    def handle(self, request: TLObject) -> Any:
        """Answer `request` or raise RpcFailure; unknown requests fail loudly, never hang.

        Every request is counted, and FLOOD_WAIT seconds answered are added up, in the world
        (`accounting`), whichever process answers; `get_file` counts its bytes in the same
        transaction that logs the part, so a kill -9 cannot leave the two disagreeing.
        """
        request, bucket, self.takeout_id = unwrap(request)
        try:
            result = self._handle(request, bucket)
        except RpcFailure as exc:
            accounting.note_error(self.conn, exc.message)
            raise
        return result

    def count(self, request: TLObject) -> None:
        """Count a request that reached the server but is answered without being handled (a
        random fault)."""
        with self.world.transaction() as conn:
            accounting.count_request(conn, unwrap(request)[1])

    def _handle(self, request: TLObject, bucket: str) -> Any:
        user = None
        if not isinstance(request, NO_AUTH_NEEDED):
            user = signed_in_user(self.conn, self.auth_key_id)
        self._admit(request, bucket, None if user is None else int(user["id"]))
        if not isinstance(request, NO_AUTH_NEEDED):
            if user is None:
                raise RpcFailure("AUTH_KEY_UNREGISTERED", 401)
            about_channel = isinstance(request, functions.contacts.ResolveUsernameRequest)
            refused = refusal(user, about_channel or request_channel_id(request) is not None)
            if refused is not None:
                raise RpcFailure(refused)
            self.viewer = int(user["id"])
            self.check_takeout()
        handler = self.handlers.get(type(request))
        if handler is None:
            log.error("simulated Telegram cannot answer %s", type(request).__name__)
            raise RpcFailure(f"SIMULATOR_UNSUPPORTED_{type(request).__name__.upper()}", 400)
        return handler(request)

    def _admit(self, request: TLObject, bucket: str, user_id: int | None) -> None:
        """Count the request; past the account's quota for `bucket` answer FLOOD_WAIT, else
        the failure a test injected for it (`World.fail_next`), if any. One transaction."""
        settings = quotas.load_settings(self.conn)
        failure = None
        with self.world.transaction() as conn:
            accounting.count_request(conn, bucket)
            wait = None
            if settings is not None and user_id is not None:
                wait = quotas.take_token(conn, settings, user_id, bucket, time.time())
            if wait is None:
                failure = self._injected_failure(conn, request)
        if wait is not None:
            raise RpcFailure(f"FLOOD_WAIT_{wait}", 420)
        if failure is not None:
            raise RpcFailure(failure)

    @staticmethod
    def _injected_failure(conn: sqlite3.Connection, request: TLObject) -> str | None:
        """Take the next failure injected for this request, if any (inside a transaction)."""
        row = conn.execute(
            "SELECT id, error FROM failures WHERE method = ? AND remaining > 0"
            " AND (channel_id IS NULL OR channel_id = ?) ORDER BY id LIMIT 1",
            (type(request).__name__, request_channel_id(request)),
        ).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE failures SET remaining = remaining - 1 WHERE id = ?", (row[0],))
        return str(row["error"])

    def _chat(self, row: sqlite3.Row) -> Any:
        """A channel as this connection's account sees it (its hash; forbidden if banned;
        `left` unless the account joined it)."""
        banned = is_banned(self.conn, row["id"], self.viewer)
        photo_dc = self._file(row["photo_id"])["dc_id"] if row["photo_id"] else HOME_DC
        chat = tl_build.channel(row, viewer=self.viewer, forbidden=banned, photo_dc=photo_dc)
        if isinstance(chat, types.Channel):
            chat.left = not world_follow.is_member(self.conn, row["id"], self.viewer)
        return chat

    def _file(self, file_id: int) -> sqlite3.Row:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM files WHERE id = ?", (file_id,)
        ).fetchone()
        if row is None:
            raise RpcFailure("FILE_ID_INVALID")
        return row

    def _channel_row(self, target: Any, *, readable: bool = True) -> sqlite3.Row:
        """The channel a request names; CHANNEL_INVALID / CHANNEL_PRIVATE as Telegram says."""
        if isinstance(target, types.InputChannelEmpty | types.InputPeerEmpty) or not hasattr(
            target, "channel_id"
        ):
            raise RpcFailure("CHANNEL_INVALID" if readable else "PEER_ID_INVALID")
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM channels WHERE id = ?", (target.channel_id,)
        ).fetchone()
        if (
            row is None
            or row["status"] == "deleted"
            or target.access_hash != (channel_hash(row["id"], row["access_hash"], self.viewer))
        ):
            raise RpcFailure("CHANNEL_INVALID")
        private = row["status"] == "private" or is_banned(self.conn, row["id"], self.viewer)
        if readable and private:
            raise RpcFailure("CHANNEL_PRIVATE")
        return row
