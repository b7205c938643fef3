"""What every command needs: the loaded config, an engine, consoles, running a coroutine."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
import typer
from rich.console import Console
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.config import Config, load_config
from archiver.db.engine import current_revision, display_url, head_revision, open_engine
from archiver.errors import DatabaseError, TgmirrorError
from archiver.logs import protect_config

log = logging.getLogger(__name__)
console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")


def get_config(ctx: typer.Context) -> Config:
    """Load the config named by ``--config`` (or found by the lookup order), with only the
    account of ``--session`` if given; its secrets are kept out of logs from here on."""
    root = ctx.find_root()
    config = load_config(root.obj)
    session: Path | None = root.meta.get("tgmirror.session")
    if session is not None:  # an account's name, else a path (absolute: not in data_dir)
        named = str(session) in {account.name for account in config.accounts}
        config = config.only_account(str(session) if named else session.resolve())
    protect_config(config)
    log.debug("configuration: %s", config)
    return config


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion; failures a user can act on become one TgmirrorError."""
    try:
        return asyncio.run(coro)
    except BaseExceptionGroup as group:
        raise _actionable(group) from group
    except sa_exc.OperationalError as exc:
        raise _database_error(exc) from exc
    except (ConnectionError, socket.gaierror, sa_exc.DBAPIError) as exc:
        if not _cannot_connect(exc):
            raise
        reason = str(exc.orig) if isinstance(exc, sa_exc.DBAPIError) else str(exc)
        raise DatabaseError(
            f"cannot open the database ({reason}); check storage.database "
            "and that the server is running"
        ) from exc


def _cannot_connect(exc: BaseException) -> bool:
    """A network failure, or PostgreSQL refusing the database or role (SQLSTATE 3D, 28)."""
    if not isinstance(exc, sa_exc.DBAPIError):
        return True
    code = getattr(exc.orig, "pgcode", None) or ""
    return code.startswith(("3D", "28"))


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for exc in group.exceptions:
        out += _leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc]
    return out


def _actionable(group: BaseExceptionGroup) -> BaseException:
    """The first leaf a user can act on (concurrent channel tasks fail as a group)."""
    for exc in _leaves(group):
        if isinstance(exc, TgmirrorError):
            return exc
        if isinstance(exc, sa_exc.OperationalError):
            return _database_error(exc)
    return group


def _database_error(exc: sa_exc.OperationalError) -> DatabaseError:
    reason = str(exc.orig) if exc.orig is not None else str(exc)
    if any(word in reason for word in ("disk", "full", "readonly", "read-only")):
        return DatabaseError(
            f"cannot write the database ({reason}): the disk may be full or read-only; "
            "free space and run the command again (everything committed so far is kept)"
        )
    return DatabaseError(f"database error: {reason}")


def name_connections(engine: AsyncEngine, name: str) -> None:
    """Show ``name`` as the application of the engine's PostgreSQL connections
    (``pg_stat_activity``), so an operator sees which worker each connection belongs to."""
    if engine.dialect.name != "postgresql":
        return

    def add_name(_dialect: object, _record: object, _args: object, params: dict[str, Any]) -> None:
        params.setdefault("server_settings", {})["application_name"] = name[:63]

    sa.event.listen(engine.sync_engine, "do_connect", add_name)


@asynccontextmanager
async def migrated_engine(config: Config, *, name: str = "tgmirror") -> AsyncIterator[AsyncEngine]:
    """An engine on a database that is at the newest migration; says how to fix it if not.

    ``name`` is what PostgreSQL shows as the connections' application."""
    engine = open_engine(config.database_url, create=False)
    name_connections(engine, name)
    try:
        if await current_revision(engine) != head_revision():
            raise DatabaseError(
                f"{display_url(config.database_url)}: the database is missing or not up to date; "
                "run `tgmirror db upgrade` first"
            )
        yield engine
    finally:
        await engine.dispose()
