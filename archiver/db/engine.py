"""Open the archive database: the async engine, SQLite PRAGMAs, file permissions, migrations.

Every process opens the database through ``open_engine`` so that, on SQLite, WAL mode, foreign
keys and the busy timeout hold everywhere, and creates it through ``upgrade`` (Alembic), never
``create_all``. PostgreSQL (``postgresql+asyncpg://``) needs none of the PRAGMAs or file modes.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from archiver.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# Alembic (and Mako, Pygments with it) costs every command ~0.3 s to import: only `upgrade`
# and `downgrade` import it; the revision checks every command makes read text and one row.
_REVISION_LINE = re.compile(
    r"^(?P<key>revision|down_revision)\s*(?::[^=\n]*)?=\s*(?P<value>None|'[^']*'|\"[^\"]*\")",
    re.M,
)

BUSY_TIMEOUT_MS = 10_000


def _migrations_dir() -> Path:
    import migrations  # the Alembic folder ships as a package inside the wheel

    return Path(migrations.__file__).resolve().parent


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def prepare_sqlite_file(url: str) -> Path | None:
    """Create the data directory (0700) and an empty database file (0600) if they are missing."""
    path = sqlite_path(url)
    if path is None:
        return None
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot create the database file: {exc.strerror}") from exc
    return path


def _on_sqlite_connect(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


SUPPORTED = ("sqlite+aiosqlite", "postgresql+asyncpg")


def display_url(url: str) -> str:
    """``url`` fit to print: the file of a SQLite URL, any other URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unreadable database URL>"


def _check_url(url: str, setting: str) -> None:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseError(
            f"{setting}: {url!r} is not a database URL; "
            "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/NAME"
        ) from exc
    scheme = parsed.drivername
    if scheme in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        raise DatabaseError(
            f"{setting}: use postgresql+asyncpg://… instead of {scheme}:// "
            "(tgmirror talks to PostgreSQL through asyncpg)"
        )
    if scheme not in SUPPORTED:
        raise DatabaseError(
            f"{setting}: {scheme}:// is not supported; "
            "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/NAME"
        )
    if scheme == "postgresql+asyncpg":
        try:
            import asyncpg  # noqa: F401
        except ImportError as exc:
            raise DatabaseError(
                f"{setting} is a PostgreSQL URL but asyncpg is not installed; "
                "install it with `pip install 'tgmirror[pg]'`"
            ) from exc


def open_engine(url: str, *, create: bool = True, setting: str = "storage.database") -> AsyncEngine:
    """Create the async engine for ``url`` with the project's connection settings.

    With ``create=False`` a missing SQLite file is an error instead of a new empty database.
    A PostgreSQL database is never created here: its server and role belong to the operator.
    ``setting`` is where the URL came from, for the message when it is unusable.
    """
    _check_url(url, setting)
    if create:
        prepare_sqlite_file(url)
    else:
        path = sqlite_path(url)
        if path is not None and not path.exists():
            raise DatabaseError(f"{path}: no database here; run `tgmirror db upgrade` first")
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
    return engine


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic config pointing at the packaged migrations and at ``url``."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@cache
def known_revisions() -> dict[str, str | None]:
    """Every migration this version of tgmirror ships: revision -> the one it follows."""
    links: dict[str, str | None] = {}
    for path in sorted(_migrations_dir().joinpath("versions").glob("*.py")):
        found = {m["key"]: m["value"] for m in _REVISION_LINE.finditer(path.read_text("utf-8"))}
        if "revision" in found:
            down = found.get("down_revision", "None")
            links[found["revision"][1:-1]] = None if down == "None" else down[1:-1]
    return links


def head_revision() -> str:
    """The newest migration this version of tgmirror knows: the one no other follows."""
    links = known_revisions()
    heads = set(links) - set(links.values())
    if len(heads) != 1:
        raise DatabaseError(f"the packaged migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    async with engine.connect() as conn:
        return await conn.run_sync(_version_num)


def _version_num(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to ``revision``; returns (revision before, revision after)."""
    before = await current_revision(engine)
    if before is not None and before not in known_revisions():
        raise DatabaseError(
            f"the database is at migration {before}, which this tgmirror does not know: "
            "it was written by a newer version; upgrade tgmirror"
        )
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    async with engine.begin() as conn:
        await conn.run_sync(_run_alembic, cfg, "upgrade", revision)
    return before, await current_revision(engine) or ""


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` empties it)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    async with engine.begin() as conn:
        await conn.run_sync(_run_alembic, cfg, "downgrade", revision)


def _run_alembic(connection: sa.Connection, cfg: AlembicConfig, action: str, rev: str) -> None:
    from alembic import command

    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, rev)
