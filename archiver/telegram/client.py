"""Build the Telethon client from the config, and sign in.

The one place that decides between the real network and the simulated Telegram named by
``[simulator] world``: everything after ``make_client`` is ordinary Telethon.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable

from telethon import TelegramClient, errors
from telethon.sessions import Session, StringSession

from archiver.config import Config
from archiver.config_accounts import Account
from archiver.errors import ConfigError, LoginError, NotLoggedInError
from archiver.logs import SECRETS
from archiver.telegram.paced_client import PacedTelegramClient

log = logging.getLogger(__name__)

API_HELP = (
    "get an api_id and api_hash at https://my.telegram.org (API development tools) and put "
    "them under [telegram] in tgmirror.toml, or set TGMIRROR_API_ID and TGMIRROR_API_HASH"
)


def make_client(config: Config, account: Account | None = None) -> TelegramClient:
    """A TelegramClient with the session of ``account`` (default: the config's first; file
    created 0600), not connected."""
    simulated = config.simulator.world is not None
    if not simulated and (not config.telegram.api_id or not config.telegram.api_hash):
        raise ConfigError(f"no Telegram API credentials: {API_HELP}")
    session = (account or config.accounts[0]).session
    session.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not session.exists():
        os.close(os.open(session, os.O_CREAT | os.O_WRONLY, 0o600))
    # Flood waits are the pacer's (``request_pacer.py``): it sleeps through those up to a
    # minute, learns the method's rate from them and resends the same request.
    client = PacedTelegramClient(
        str(session),
        config.telegram.api_id or 1,
        config.telegram.api_hash or "simulated",
        sleep_threshold=60,
        request_retries=5,
        # After the last retry, raise Telegram's own error (a transient RPCError the worker
        # retries later, never evidence of erasure), not Telethon's bare ValueError.
        raise_last_call_error=True,
        connection_retries=5,
        receive_updates=True,
    )
    os.chmod(session, 0o600)
    protect_session(client.session)
    world = config.simulator.world
    if world is not None:
        from archiver.simulator import attach

        if not world.exists():
            raise ConfigError(f"{world}: simulated world file not found")
        attach(client, world, authorized=False)
    return client


def protect_session(session: Session) -> None:
    """Keep the session's auth key out of logs, as bytes, hex, base64 and string session."""
    key = session.auth_key
    if key is None or not key.key:
        return
    raw = bytes(key.key)
    SECRETS.add(
        raw.hex(), base64.b64encode(raw).decode(), StringSession.save(session), repr(raw)[2:-1]
    )


async def connect_authorized(config: Config, account: Account | None = None) -> TelegramClient:
    """Connect ``account`` (default: the first) and check that its session is signed in;
    says how to fix it if not."""
    account = account or config.accounts[0]
    client = make_client(config, account)
    await client.connect()
    protect_session(client.session)
    if not await client.is_user_authorized():
        await client.disconnect()
        how = "`tgmirror login`"
        if len(config.accounts) > 1:
            how = f"`tgmirror --session {account.name} login`"
        raise NotLoggedInError(f"not signed in to Telegram (session {account.session}); run {how}")
    return client


async def connect_accounts(config: Config) -> list[tuple[Account, TelegramClient]]:
    """Connect every account of the config; those not signed in are left out with a warning,
    and if none is, the first one's error says how to sign in."""
    connected: list[tuple[Account, TelegramClient]] = []
    first_error: NotLoggedInError | None = None
    for account in config.accounts:
        try:
            connected.append((account, await connect_authorized(config, account)))
        except NotLoggedInError as exc:
            first_error = first_error or exc
            log.warning("account %s: %s; archiving with the other accounts", account.name, exc)
    if not connected:
        assert first_error is not None
        raise first_error
    return connected


async def sign_in(
    client: TelegramClient,
    phone: str,
    ask_code: Callable[[], str],
    ask_password: Callable[[], str],
) -> str:
    """Telethon's sign-in flow: send the code, sign in, and the 2FA password if one is set.

    Returns the display name of the account signed in.
    """
    SECRETS.add(phone)
    protect_session(client.session)
    try:
        await client.send_code_request(phone)
        try:
            code = ask_code().strip()
            SECRETS.add(code)
            me = await client.sign_in(phone=phone, code=code)
        except errors.SessionPasswordNeededError:
            password = ask_password()
            SECRETS.add(password)
            me = await client.sign_in(password=password)
    except (
        errors.PhoneNumberInvalidError,
        errors.PhoneCodeInvalidError,
        errors.PhoneCodeExpiredError,
        errors.PasswordHashInvalidError,
        errors.PhoneNumberBannedError,
    ) as exc:
        raise LoginError(f"Telegram refused the login: {exc.__class__.__name__}") from exc
    name = " ".join(p for p in (getattr(me, "first_name", ""), getattr(me, "last_name", "")) if p)
    return name or getattr(me, "username", "") or "your account"
