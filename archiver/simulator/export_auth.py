"""auth.exportAuthorization and auth.importAuthorization: signing a second connection, to
another DC, in as the same account (core.telegram.org/api/datacenter)."""

from __future__ import annotations

import os
import sqlite3
from typing import TYPE_CHECKING, Any

from telethon.tl import functions, types

from . import tl_build
from .accounts import RpcFailure
from .datacenters import DC_IDS

if TYPE_CHECKING:
    from .world import World


class DatacenterHandlers:
    """Mixed into the RPC `Server`: exporting the account's authorisation to another DC."""

    world: World
    conn: sqlite3.Connection
    auth_key_id: int
    viewer: int
    dc_id: int

    def datacenter_handlers(self) -> dict[type, Any]:
        return {
            functions.auth.ExportAuthorizationRequest: self.export_authorization,
            functions.auth.ImportAuthorizationRequest: self.import_authorization,
        }

    def export_authorization(self, request: Any) -> types.auth.ExportedAuthorization:
        """A one-time token that signs a connection to `dc_id` in as this account; exporting to
        the DC of this very connection is DC_ID_INVALID, as on Telegram."""
        if request.dc_id not in DC_IDS or request.dc_id == self.dc_id:
            raise RpcFailure("DC_ID_INVALID")
        token = os.urandom(32)
        with self.world.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO exported_authorizations (bytes, user_id, dc_id) VALUES (?, ?, ?)",
                (token, self.viewer, request.dc_id),
            )
        return types.auth.ExportedAuthorization(id=int(cursor.lastrowid or 0), bytes=token)

    def import_authorization(self, request: Any) -> types.auth.Authorization:
        """Sign this connection's auth key in with a token exported for this DC (used once)."""
        row = self.conn.execute(
            "SELECT user_id, dc_id, bytes FROM exported_authorizations WHERE id = ?",
            (request.id,),
        ).fetchone()
        if row is None or bytes(row["bytes"]) != bytes(request.bytes) or row["dc_id"] != self.dc_id:
            raise RpcFailure("AUTH_BYTES_INVALID")
        with self.world.transaction() as conn:
            conn.execute("DELETE FROM exported_authorizations WHERE id = ?", (request.id,))
            conn.execute(
                "INSERT OR REPLACE INTO authorizations (auth_key_id, user_id) VALUES (?, ?)",
                (self.auth_key_id, row["user_id"]),
            )
        user = self.conn.execute("SELECT * FROM users WHERE id = ?", (row["user_id"],)).fetchone()
        return types.auth.Authorization(user=tl_build.user(user, is_self=True))
