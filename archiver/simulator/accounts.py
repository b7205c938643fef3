"""The simulated Telegram's accounts: who a connection is signed in as, and what that account
may do.

Each user has its own sessions (auth keys), its own access hashes of channels
(`schema.channel_hash`), and its own troubles: banned from a channel (CHANNEL_PRIVATE for it
alone), a flood wait on channel requests (`FLOOD_WAIT_<s>`), or deactivated
(`USER_DEACTIVATED_BAN` on every request). `LoginHandlers` answers the sign-in requests;
a phone number no account has signs in as the world's first user, the archivist.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from telethon.tl import functions, types

from . import tl_build
from .auth import LOGIN_CODE, PHONE_CODE_HASH, SrpServer
from .schema import SELF_USER_ID
from .world import World


class RpcFailure(Exception):
    """An RPC error as Telegram answers it: `code` (400, 401, 420, …) and `message`."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else error_code(message)


def error_code(message: str) -> int:
    """The HTTP-like code Telegram uses for an error name."""
    if message.startswith(("FLOOD_WAIT", "FLOOD_PREMIUM_WAIT", "SLOWMODE_WAIT")):
        return 420
    if message.startswith(("AUTH_KEY_", "SESSION_", "USER_DEACTIVATED")):
        return 401
    if message in ("CHAT_WRITE_FORBIDDEN", "CHANNEL_PUBLIC_GROUP_NA", "USER_BANNED_IN_CHANNEL"):
        return 403
    if message.startswith(("INTERNAL", "RPC_CALL_FAIL", "RPC_MCGET_FAIL")) or message.endswith(
        "_TIMEOUT"
    ):
        return 500
    if message.startswith(("FILE_MIGRATE", "NETWORK_MIGRATE", "PHONE_MIGRATE", "USER_MIGRATE")):
        return 303
    return 400


def signed_in_user(conn: sqlite3.Connection, auth_key_id: int) -> sqlite3.Row | None:
    """The user an auth key is signed in as, or None."""
    user: sqlite3.Row | None = conn.execute(
        "SELECT u.* FROM authorizations a JOIN users u ON u.id = a.user_id WHERE a.auth_key_id = ?",
        (auth_key_id,),
    ).fetchone()
    return user


def refusal(user: sqlite3.Row, about_channel: bool) -> str | None:
    """The error Telegram answers this account with before looking at the request, if any:
    deactivated accounts get nothing; a flooded one nothing about channels."""
    if user["deactivated"]:
        return "USER_DEACTIVATED_BAN"
    wait = (user["flood_until"] or 0) - int(time.time())
    if about_channel and wait > 0:
        return f"FLOOD_WAIT_{wait}"
    return None


def is_banned(conn: sqlite3.Connection, channel_id: int, user_id: int) -> bool:
    """Whether the user was banned from the channel (it reads as private to them alone)."""
    row = conn.execute(
        "SELECT 1 FROM channel_bans WHERE channel_id = ? AND user_id = ?", (channel_id, user_id)
    ).fetchone()
    return row is not None


def _phone_user(conn: sqlite3.Connection, phone: str) -> sqlite3.Row:
    digits = "".join(ch for ch in phone if ch.isdigit())
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM users WHERE phone = ?", (digits,)
    ).fetchone()
    if row is None:
        row = conn.execute("SELECT * FROM users WHERE id = ?", (SELF_USER_ID,)).fetchone()
    assert row is not None  # the world always has its own user
    return row


class LoginHandlers:
    """Sign-in requests (code, 2FA, log out) and `users.GetUsers` for the signed-in user."""

    world: World
    conn: sqlite3.Connection
    auth_key_id: int
    srp: SrpServer
    _signing_in: int | None = None

    def user_id(self) -> int:
        """The user this connection is signed in as (the archivist before signing in)."""
        user = signed_in_user(self.conn, self.auth_key_id)
        return int(user["id"]) if user is not None else SELF_USER_ID

    def user_row(self, user_id: int) -> types.User:
        row = self.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return tl_build.user(row, is_self=user_id == self.user_id())

    def get_users(self, request: functions.users.GetUsersRequest) -> list[types.User]:
        me = self.user_row(self.user_id())
        return [me for u in request.id if isinstance(u, types.InputUserSelf)]

    def send_code(self, request: functions.auth.SendCodeRequest) -> types.auth.SentCode:
        if _phone_user(self.conn, request.phone_number)["deactivated"]:
            raise RpcFailure("PHONE_NUMBER_BANNED")
        return types.auth.SentCode(
            type=types.auth.SentCodeTypeApp(length=len(LOGIN_CODE)),
            phone_code_hash=PHONE_CODE_HASH,
        )

    def sign_in(self, request: functions.auth.SignInRequest) -> types.auth.Authorization:
        if request.phone_code != LOGIN_CODE:
            raise RpcFailure("PHONE_CODE_INVALID")
        user_id = int(_phone_user(self.conn, request.phone_number)["id"])
        if self.world.meta("password") is not None:
            self._signing_in = user_id
            raise RpcFailure("SESSION_PASSWORD_NEEDED", 401)
        self.world.authorize(self.auth_key_id, user_id)
        return types.auth.Authorization(user=self.user_row(user_id))

    def check_password(self, request: functions.auth.CheckPasswordRequest) -> Any:
        if not isinstance(request.password, types.InputCheckPasswordSRP):
            raise RpcFailure("PASSWORD_HASH_INVALID")
        if not self.srp.check(request.password):
            raise RpcFailure("PASSWORD_HASH_INVALID")
        user_id = self._signing_in or SELF_USER_ID
        self.world.authorize(self.auth_key_id, user_id)
        return types.auth.Authorization(user=self.user_row(user_id))

    def log_out(self, request: functions.auth.LogOutRequest) -> types.auth.LoggedOut:
        with self.world.transaction() as conn:
            conn.execute("DELETE FROM authorizations WHERE auth_key_id = ?", (self.auth_key_id,))
        return types.auth.LoggedOut()
