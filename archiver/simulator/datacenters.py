"""Telegram's datacenters as the simulator models them: files on DCs 1-5, and second connections.

Every file lives on one DC (`default_dc`, or `World.set_file_dc`); a GetFile on a connection to
another DC answers FILE_MIGRATE_X. Telethon then borrows an *exported sender*: a new connection
to DC X, with a fresh auth key, authorised by `auth.exportAuthorization` on the main connection
and `auth.importAuthorization` on the new one (core.telegram.org/api/datacenter; the server
side is `export_auth`). The account itself stays on `HOME_DC`, Telethon's default DC.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telethon.tl import functions, types

from . import tl_build
from .schema import stable_hash

if TYPE_CHECKING:
    from pathlib import Path

    from telethon import TelegramClient

    from .sender import SimulatedSender

DC_IDS = (1, 2, 3, 4, 5)
HOME_DC = tl_build.DC_ID


def default_dc(file_id: int) -> int:
    """The DC a new file is stored on: spread over DCs 1-5, the same for a file id every time."""
    return DC_IDS[stable_hash("dc", file_id) % len(DC_IDS)]


def dc_options() -> list[types.DcOption]:
    """What help.getConfig lists: one address per DC (never dialled: the transport is local)."""
    return [types.DcOption(id=dc, ip_address=f"127.0.0.{dc}", port=443) for dc in DC_IDS]


async def create_exported_sender(
    client: TelegramClient, world_path: str | Path, dc_id: int
) -> SimulatedSender:
    """Telethon's `_create_exported_sender`, with a simulated connection to `dc_id`.

    The steps are Telethon's own (telegrambaseclient.py): look the DC up in help.getConfig,
    connect a new sender, export the authorisation on the main connection and import it on the
    new one inside InvokeWithLayer(InitConnection(...)).
    """
    from telethon.tl.alltlobjects import LAYER

    from .sender import SimulatedSender

    dc = await client._get_dc(dc_id)
    sender = SimulatedSender(client, world_path, authorized=False, dc_id=dc_id)
    await sender.connect(
        client._connection(
            dc.ip_address,
            dc.port,
            dc.id,
            loggers=client._log,
            proxy=client._proxy,
            local_addr=client._local_addr,
        )
    )
    try:
        auth = await client(functions.auth.ExportAuthorizationRequest(dc_id))
        client._init_request.query = functions.auth.ImportAuthorizationRequest(
            id=auth.id, bytes=auth.bytes
        )
        await sender.send(functions.InvokeWithLayerRequest(LAYER, client._init_request))
    except BaseException:
        await sender.disconnect()
        raise
    return sender
