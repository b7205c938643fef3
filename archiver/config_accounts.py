"""The Telegram accounts of the config: ``[[telegram.accounts]]`` (or the one
``telegram.session``), their names, and the checks of both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.errors import ConfigError

if TYPE_CHECKING:
    from archiver.config import Config


@dataclass(frozen=True)
class AccountConfig:
    """One Telegram account of ``[[telegram.accounts]]``: its session file and a short name."""

    session: Path
    name: str = ""
    """Shown in logs and ``tgmirror status``; empty means the session file's name without
    ``.session``."""


@dataclass(frozen=True)
class Account:
    """A resolved account: its name and the absolute path of its session file."""

    name: str
    session: Path


def account_name(session: Path) -> str:
    """An account's default name: its session file's name without ``.session``."""
    return session.name.removesuffix(".session") or session.name


WORKER_ID_MAX = 128


def check_worker_id(worker_id: str, key: str) -> None:
    """A worker id is 1 to 128 printable characters without spaces (it is shown in status)."""
    if (
        not worker_id
        or len(worker_id) > WORKER_ID_MAX
        or not worker_id.isprintable()
        or any(ch.isspace() for ch in worker_id)
    ):
        raise ConfigError(
            f"{key}: expected 1 to {WORKER_ID_MAX} printable characters without spaces, "
            f"got {worker_id!r}"
        )


def check_accounts(config: Config, where: str) -> None:
    """Account names and session files are valid and each used once."""
    if not config.telegram.accounts:
        return
    names: set[str] = set()
    sessions: set[Path] = set()
    pairs = zip(config.telegram.accounts, config.accounts, strict=True)
    for i, (entry, account) in enumerate(pairs):
        key = f"{where}: telegram.accounts[{i}]"
        if not str(entry.session).strip() or entry.session == Path("."):
            raise ConfigError(f'{key}.session: must name a session file, e.g. "a.session"')
        check_worker_id(account.name, f"{key}.name")
        if account.name in names:
            raise ConfigError(
                f"{key}.name: {account.name!r} names two accounts; give each its own name"
            )
        if account.session in sessions:
            raise ConfigError(
                f"{key}.session: {entry.session} is used by two accounts; a session file "
                "belongs to one account"
            )
        names.add(account.name)
        sessions.add(account.session)


def check_one_way_to_sign_in(data: dict[str, Any], where: str) -> None:
    """``telegram.session`` and ``telegram.accounts`` are not both given."""
    telegram = data.get("telegram")
    if isinstance(telegram, dict) and "session" in telegram and telegram.get("accounts"):
        raise ConfigError(
            f"{where}: telegram.session and telegram.accounts are both set: list every "
            "session under [[telegram.accounts]] and remove telegram.session"
        )
