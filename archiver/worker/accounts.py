"""The Telegram accounts of one worker, and which one archives each channel.

A worker may sign in with several accounts (``[[telegram.accounts]]``). Channels are spread
over them; a channel moves to another account when its account must wait out a long flood
wait, can no longer read the channel (banned from it) or is signed out or deactivated.

Every function that talks to Telegram takes the account it talks as (``TelegramAccount``) as
a parameter: which account a request goes out with is always visible at the call.
``TelegramAccount.access_hash`` is the channel's access hash for that account. Telegram gives
each account its own access hashes, so a hash one account learnt is never sent by another:
each looks the channel up in its own session's entity cache, else resolves its username
(checking that the id is the same).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telethon import TelegramClient, errors, functions, types, utils

from archiver.errors import NotLoggedInError
from archiver.store.channel_accounts import (
    channel_account_rows,
    set_access_hash,
    set_archiving,
    set_lost,
)
from archiver.store.channels import Channel
from archiver.store.events import add_event

if TYPE_CHECKING:
    from archiver.worker.context import WorkerContext

log = logging.getLogger(__name__)

ACCOUNT_ERRORS = (errors.UnauthorizedError,)
"""Errors about the account itself (AUTH_KEY_UNREGISTERED, SESSION_REVOKED, USER_DEACTIVATED,
USER_DEACTIVATED_BAN): no request of it will work any more."""

LOST_ACCESS = (errors.ChannelPrivateError, errors.UserBannedInChannelError)
"""Errors saying this account cannot read the channel; whether anyone can is for the probe."""


@dataclass(eq=False)
class TelegramAccount:
    """One signed-in account: its client, and what is known of its troubles."""

    name: str
    client: TelegramClient
    resting_until: float = 0.0
    """``time.monotonic()`` until which a flood wait keeps it off channel work."""
    retired: str | None = None
    """Why it can no longer be used at all (signed out, deactivated), or None."""
    lost: dict[int, str] = field(default_factory=dict)
    """Channels it cannot read though they may exist (channel id → what Telegram said)."""
    hashes: dict[int, int] = field(default_factory=dict)
    """Access hashes of channels for this account, learnt by ``learn_hash``."""
    rehashed: set[int] = field(default_factory=set)
    """Channels whose refused access hash this account resolved again in this run."""

    def can_archive(self, channel_id: int, now: float) -> bool:
        return self.retired is None and channel_id not in self.lost and self.resting_until <= now

    def access_hash(self, channel: Channel) -> int:
        """The channel's access hash for this account: learnt for it (``learn_hash``), else
        the stored one (the first account's, which added the channel)."""
        known = self.hashes.get(channel.id)
        return known if known is not None else channel.access_hash or 0


class AccountPool:
    """The worker's accounts, and the account each channel is archived with."""

    def __init__(self, accounts: list[TelegramAccount]) -> None:
        if not accounts:
            raise ValueError("an account pool needs at least one account")
        self.accounts = accounts
        self.primary = accounts[0]
        """The first account of the config: it adds channels (``add_channel``); with a single
        account it does everything."""
        self.assigned: dict[int, TelegramAccount] = {}
        self.recorded: dict[int, TelegramAccount] = {}
        """The account last written to ``channel_accounts`` as archiving each channel."""
        self.stored_hashes: dict[int, dict[str, int | None]] = {}
        """Access hashes read from (or written to) ``channel_accounts``, by channel and account."""

    @classmethod
    def empty(cls) -> AccountPool:
        """No account at all: every channel is read from t.me/s (``source = "web"``); it has
        no ``primary``, and nothing that needs Telegram is reached."""
        pool = cls.__new__(cls)
        pool.accounts, pool.assigned, pool.recorded = [], {}, {}
        return pool

    @classmethod
    def single(cls, name: str, client: TelegramClient) -> AccountPool:
        """A pool of one account (``tgmirror sync`` with one session, the demo, tests)."""
        return cls([TelegramAccount(name, client)])

    def __len__(self) -> int:
        return len(self.accounts)

    @property
    def several(self) -> bool:
        return len(self.accounts) > 1

    def live(self) -> list[TelegramAccount]:
        return [a for a in self.accounts if a.retired is None]

    def choose(self, channel_id: int) -> TelegramAccount:
        """The account to archive the channel with now (kept in ``assigned``).

        It keeps its account while that one can archive it; otherwise the live account
        with the fewest channels that can read it and is not resting, else the one resting
        the shortest. Raises ``NotLoggedInError`` when every account is signed out."""
        now = time.monotonic()
        current = self.assigned.get(channel_id)
        if current is not None and current.can_archive(channel_id, now):
            return current
        live = self.live()
        if not live:
            reasons = "; ".join(f"{a.name}: {a.retired}" for a in self.accounts)
            raise NotLoggedInError(
                f"no Telegram account can be used any more ({reasons}); sign them in again "
                "with `tgmirror --session NAME login`"
            )
        load = {id(a): 0 for a in live}
        for account in self.assigned.values():
            if id(account) in load:
                load[id(account)] += 1
        ready = [a for a in live if a.can_archive(channel_id, now)]
        if ready:
            chosen = min(ready, key=lambda a: load[id(a)])
        else:
            readable = [a for a in live if channel_id not in a.lost] or live
            chosen = min(readable, key=lambda a: a.resting_until)
        self.assigned[channel_id] = chosen
        return chosen

    def archives_with(self, channel_id: int, account: TelegramAccount) -> bool:
        """Whether the channel is archived with ``account`` (always, with one account)."""
        return not self.several or self.assigned.get(channel_id) is account

    def others(self, channel_id: int, besides: TelegramAccount) -> list[TelegramAccount]:
        """Accounts other than ``besides`` that could look at the channel now."""
        now = time.monotonic()
        return [a for a in self.accounts if a is not besides and a.can_archive(channel_id, now)]

    def rest(self, account: TelegramAccount, seconds: int, channel_id: int) -> bool:
        """Keep ``account`` off channel work for ``seconds``; True if another account can
        take the channel now."""
        account.resting_until = max(account.resting_until, time.monotonic() + seconds)
        if not self.others(channel_id, account):
            return False
        log.warning(
            "channel %s: account %s must wait %d s; another account goes on",
            channel_id,
            account.name,
            seconds,
        )
        return True

    def retire(self, account: TelegramAccount, reason: str) -> None:
        """Stop using ``account`` for good (signed out or deactivated)."""
        if account.retired is None:
            account.retired = reason
            log.error(
                "account %s can no longer be used (%s); its channels move to the other accounts",
                account.name,
                reason,
            )


async def assign(ctx: WorkerContext, channel: Channel) -> TelegramAccount:
    """The account to archive ``channel`` with now, its access hash for the channel learnt
    first; with several accounts, a change is recorded (``channel_accounts``, an event)."""
    pool = ctx.accounts
    if not pool.several:
        return pool.choose(channel.id)
    if channel.id not in pool.stored_hashes:
        await _restore(ctx, channel)
    for _ in range(len(pool) + 1):
        account = pool.choose(channel.id)
        try:
            known = await learn_hash(account, channel)
        except ACCOUNT_ERRORS as exc:
            pool.retire(account, exc.__class__.__name__)
            continue
        except errors.FloodWaitError as exc:
            if pool.rest(account, exc.seconds, channel.id):
                continue
            break
        except (errors.RPCError, ConnectionError, OSError, TimeoutError) as exc:
            log.info(
                "account %s cannot look channel %s up yet (%s)",
                account.name,
                channel.id,
                exc.__class__.__name__,
            )
            break
        if known is None:
            await record_lost(ctx, account, channel, "cannot find it by id or username")
            continue
        await _store_hash(ctx, account, channel.id, known)
        break
    else:  # every try moved it on: the choice as it stands now
        account = pool.choose(channel.id)
    previous = pool.recorded.get(channel.id)
    if previous is not account:
        async with ctx.write() as conn:
            before = await set_archiving(conn, channel.id, account.name, ctx.now())
            before = previous.name if previous is not None else before
            if before is not None:
                detail = {"account": account.name, "previous": before}
                await add_event(conn, channel.id, "account_changed", ctx.now(), detail)
        if before is not None:
            log.warning(
                "channel %s: now archived with account %s instead of %s",
                channel.id,
                account.name,
                before,
            )
        pool.recorded[channel.id] = account
    return account


async def _restore(ctx: WorkerContext, channel: Channel) -> None:
    """Pick up where the last run left the channel: the account archiving it (kept, so a
    restart moves nothing) and each account's stored access hash (so none is resolved)."""
    pool = ctx.accounts
    async with ctx.read() as conn:
        rows = await channel_account_rows(conn, channel.id)
    by_name = {a.name: a for a in pool.accounts}
    pool.stored_hashes[channel.id] = {r.account: r.access_hash for r in rows}
    for row in rows:
        account = by_name.get(row.account)
        if account is None:
            continue
        if row.access_hash is not None:
            account.hashes.setdefault(channel.id, row.access_hash)
        if row.state == "archiving" and channel.id not in pool.assigned:
            pool.assigned[channel.id] = pool.recorded[channel.id] = account


async def _store_hash(
    ctx: WorkerContext, account: TelegramAccount, channel_id: int, access_hash: int
) -> None:
    stored = ctx.accounts.stored_hashes.setdefault(channel_id, {})
    if stored.get(account.name) == access_hash:
        return
    async with ctx.write() as conn:
        await set_access_hash(conn, channel_id, account.name, access_hash, ctx.now())
    stored[account.name] = access_hash


async def learn_hash(account: TelegramAccount, channel: Channel) -> int | None:
    """The channel's access hash for ``account``: from its session's entity cache, else by
    resolving the channel's username (only if it still names this channel); None if this
    account cannot find it."""
    if channel.id in account.hashes:
        return account.hashes[channel.id]
    found: int | None = None
    try:
        marked = utils.get_peer_id(types.PeerChannel(channel.id))
        peer = account.client.session.get_input_entity(marked)
        found = peer.access_hash
    except ValueError:
        if channel.username:
            try:
                resolved = await account.client(
                    functions.contacts.ResolveUsernameRequest(channel.username)
                )
            except (errors.UsernameNotOccupiedError, errors.UsernameInvalidError):
                resolved = None
            chats = resolved.chats if resolved is not None else []
            found = next((c.access_hash for c in chats if c.id == channel.id), None)
    if found is not None:
        account.hashes[channel.id] = found
    return found


async def record_lost(
    ctx: WorkerContext, account: TelegramAccount, channel: Channel, detail: str
) -> None:
    """``account`` cannot read ``channel`` (other accounts may): never archive it with that
    account again in this run, and record it (``channel_accounts``, an event, the log)."""
    if channel.id in account.lost:
        return
    account.lost[channel.id] = detail
    if ctx.accounts.assigned.get(channel.id) is account:
        del ctx.accounts.assigned[channel.id]
    log.warning(
        "account %s lost access to channel %s (%s): %s",
        account.name,
        channel.id,
        channel.title,
        detail,
    )
    async with ctx.write() as conn:
        await set_lost(conn, channel.id, account.name, detail, ctx.now())
        event = {"account": account.name, "detail": detail}
        await add_event(conn, channel.id, "account_lost_access", ctx.now(), event)
