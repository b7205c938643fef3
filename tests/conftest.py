"""Fixtures shared by every test: real databases migrated by Alembic, engines, configs.

Every test that takes a database (``db_backend``, directly or through ``fresh_database``,
``make_config``, ``simulated_archive``, ``archive_copy``, ``cli_database``...) runs on a SQLite
file and on a real PostgreSQL server started for the session (``pg_server``), each time on a
fresh database of its own; a test whose subject is SQLite itself is marked ``sqlite_only``."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from pg_server import INSTALL_HINT, TempPostgres, find_bindir
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.config import Config, config_from_dict
from archiver.db.engine import open_engine, upgrade

BACKENDS = ("sqlite", "postgresql")

# No timed assertions (CONTRIBUTING.md): Hypothesis's default 200 ms deadline per example is
# one, and fails a property test when a loaded machine (or the other xdist worker) slows it.
settings.register_profile("tgmirror", deadline=None)
settings.load_profile("tgmirror")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that takes a database once per backend (``db_backend``)."""
    if "db_backend" not in metafunc.fixturenames:
        return
    both = not metafunc.definition.get_closest_marker("sqlite_only")
    metafunc.parametrize("db_backend", BACKENDS if both else BACKENDS[:1], scope="session")


@pytest.hookimpl(trylast=True)  # after pytest has grouped the tests by backend
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long tests (marked ``slow``) first, in their order, then the rest in theirs.

    Under pytest-xdist (the README's test command) the other worker fills in around them with
    short tests, instead of one worker running a ten-minute test alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TempPostgres]:
    """A PostgreSQL server of the machine's package manager, on a free loopback port.

    Missing binaries skip the PostgreSQL half of the suite locally, and fail it in CI."""
    bindir = find_bindir()
    if bindir is None:
        reason = f"no PostgreSQL server binaries: {INSTALL_HINT}"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{reason} (CI must test PostgreSQL)")
        pytest.skip(reason)
    server = TempPostgres.start(bindir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: TempPostgres) -> str:
    """A PostgreSQL database migrated to head once per session; tests get copies of it."""
    name = pg_server.create_database()

    async def build() -> None:
        engine = open_engine(pg_server.url(name))
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return name


@contextmanager
def _new_databases(server: TempPostgres) -> Iterator[Callable[[str | None], str]]:
    """Factory: the name of a new database on ``server``, a copy of the database named
    ``template`` (None: empty); every one is dropped on leaving."""
    created: list[str] = []

    def make(template: str | None) -> str:
        created.append(server.create_database(template))
        return created[-1]

    try:
        yield make
    finally:
        for name in created:
            server.drop_database(name)


@pytest.fixture(scope="session")
def pg_session_database(pg_server: TempPostgres, pg_template: str) -> Iterator[Callable[..., str]]:
    """Factory: the name of a PostgreSQL database kept for the session (a copy of
    ``template``, by default the migrated one)."""
    with _new_databases(pg_server) as make:
        yield lambda template=pg_template: make(template)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once per test session; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "tgmirror.db"

    async def build() -> None:
        engine = open_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture
def fresh_database(db_backend: str, request: pytest.FixtureRequest):
    """Factory: the URL of a new PostgreSQL database (a copy of the migrated template, or
    empty), dropped after the test; None on SQLite, whose file lives in the data directory."""
    if db_backend == "sqlite":
        return lambda migrated=True: None
    # Set up here, outside the test's event loop: the template is built with asyncio.run.
    server: TempPostgres = request.getfixturevalue("pg_server")
    template: str = request.getfixturevalue("pg_template")
    copy = request.getfixturevalue("pg_database_copy")
    return lambda migrated=True: server.url(copy(template if migrated else None))


@dataclass(frozen=True)
class CliDatabase:
    """A fresh archive database for a ``tgmirror`` subprocess: its URL, and the line of the
    config's ``[storage]`` table that points at it (empty on SQLite: the default file)."""

    url: str
    setting: str


@pytest.fixture
def cli_database(fresh_database) -> Callable[..., CliDatabase]:
    """Factory: ``cli_database(folder)``, an empty (or ``migrated``) database for a config in
    ``folder`` whose ``storage.data_dir`` is ``data_dir``."""

    def make(folder: Path, *, data_dir: str = "data", migrated: bool = False) -> CliDatabase:
        url = fresh_database(migrated)
        if url is None:
            path = (folder / data_dir / "tgmirror.db").resolve()
            return CliDatabase(f"sqlite+aiosqlite:///{path}", "")
        return CliDatabase(url, f'database = "{url}"\n')

    return make


@pytest.fixture
def cli_db(cli_database, tmp_path: Path) -> CliDatabase:
    """The empty database of a config in tmp_path whose data_dir is ``data``."""
    return cli_database(tmp_path)


@pytest.fixture
def make_config(tmp_path: Path, migrated_template: Path, fresh_database):
    """Factory: a Config whose data directory holds a fresh copy of the migrated database
    (on PostgreSQL: whose ``storage.database`` is a fresh copy; one per ``base``)."""
    urls: dict[Path, str | None] = {}

    def make(
        data: dict | None = None, *, migrated: bool = True, base: Path | None = None
    ) -> Config:
        base = base or tmp_path
        data = {"storage": {"data_dir": "data"}, **(data or {})}
        if base not in urls:
            urls[base] = fresh_database(migrated)
        if urls[base] is not None:
            data["storage"] = {**data["storage"], "database": urls[base]}
        config = config_from_dict(data, base)
        config.storage.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = config.storage.data_dir / "tgmirror.db"
        if migrated and urls[base] is None and not db.exists():
            shutil.copyfile(migrated_template, db)
        return config

    return make


@pytest.fixture
def config(make_config) -> Config:
    """A default Config on a fresh migrated database under tmp_path/data."""
    return make_config()


@pytest.fixture
async def engine(config: Config) -> AsyncIterator[AsyncEngine]:
    """An engine on the fresh migrated database of ``config``."""
    eng = open_engine(config.database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def cli(tmp_path: Path):
    """Run the installed ``tgmirror`` command in a subprocess, as a user would, with no stdin."""
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "tgmirror"

    def run(
        *args: str,
        cwd: Path | None = None,
        env: dict | None = None,
        timeout: float = 120,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("TGMIRROR_")}
        base_env.update({"COLUMNS": "200", "NO_COLOR": "1", **(env or {})})
        return subprocess.run(
            [str(script), *args],
            cwd=cwd or tmp_path,
            env=base_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input if input is not None else "",
        )

    return run


@pytest.fixture
def world(tmp_path: Path):
    """An empty simulated Telegram world in a file under tmp_path."""
    from archiver.simulator import World

    w = World.create(tmp_path / "world.sqlite")
    yield w
    w.close()


@pytest.fixture
def sim_config(make_config, world) -> Config:
    """A config on a fresh migrated database that talks to the ``world`` simulation."""
    return make_config({"simulator": {"world": str(world.path)}})


async def sim_login(config: Config, password: str | None = None) -> None:
    """Sign in to the simulated Telegram through tgmirror's real login flow."""
    from archiver.simulator.auth import LOGIN_CODE
    from archiver.telegram.client import make_client, sign_in

    client = make_client(config)
    await client.connect()
    try:
        await sign_in(client, "+15550000000", lambda: LOGIN_CODE, lambda: password or "")
    finally:
        await client.disconnect()


@pytest.fixture
def sim_worker(sim_config: Config):
    """Factory: ``async with sim_worker() as ctx`` gives a signed-in WorkerContext."""
    from contextlib import asynccontextmanager

    from archiver.telegram.client import connect_authorized
    from archiver.worker.accounts import AccountPool
    from archiver.worker.context import WorkerContext

    @asynccontextmanager
    async def make(config: Config | None = None):
        config = config or sim_config
        await sim_login(config)
        eng = open_engine(config.database_url)
        client = await connect_authorized(config)
        try:
            yield WorkerContext(config, eng, AccountPool.single(config.accounts[0].name, client))
        finally:
            await client.disconnect()
            await eng.dispose()

    return make


HOSTILE_TEXT = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> "quoted" link'


async def _build_archive(root: Path, database: str) -> dict:
    """Archive a generated world through the real archiver, with edits, deletions, erasure,
    into ``database`` (a URL; empty: the SQLite file of ``root``/data)."""
    import dataclasses

    from telethon.tl import types

    from archiver.simulator import ChannelSpec, generate_world
    from archiver.store.channels import set_channel_fields
    from archiver.telegram.client import connect_authorized
    from archiver.worker.accounts import AccountPool
    from archiver.worker.channels import add_channel
    from archiver.worker.context import WorkerContext
    from archiver.worker.sync import sync_channels

    world = generate_world(
        root / "world.sqlite",
        seed=5,
        channels=[
            ChannelSpec("sada_alhaqiqa", "صدى الحقيقة", lang="ar", posts=120, media=True),
            ChannelSpec("svobodnye_vesti", "Свободные вести", lang="ru", posts=90, media=True),
            ChannelSpec("open_wire", "Open Wire", lang="en", posts=230, media=False),
        ],
    )
    ar, ru, en = (world.channel_id(n) for n in ("sada_alhaqiqa", "svobodnye_vesti", "open_wire"))
    ids = {
        "arabic": world.post(ar, text="وصل مُحَمَّد إلى المدينة صباحاً", push=False),
        "russian": world.post(ru, text="Ёлка на площади зажглась вечером", push=False),
        "xss": world.post(
            ru,
            text=HOSTILE_TEXT,
            entities=[
                types.MessageEntityTextUrl(len(HOSTILE_TEXT) - 4, 4, "javascript:window.pwned=3"),
                types.MessageEntityTextUrl(
                    0, 8, 'https://ex.org/"><script>window.pwned=4</script>'
                ),
            ],
            push=False,
        ),
        "edited": world.post(en, text="version one", push=False),
        "deleted": world.post(en, text="this will be deleted", push=False),
        "hidden": world.post(en, text="taken down by the operator zebra", push=False),
    }
    storage = {"data_dir": "data"} | ({"database": database} if database else {})
    config = config_from_dict({"simulator": {"world": str(world.path)}, "storage": storage}, root)
    engine = open_engine(config.database_url)
    await upgrade(engine)
    await sim_login(config)
    client = await connect_authorized(config)
    ctx = WorkerContext(config, engine, AccountPool.single(config.accounts[0].name, client))
    for name in ("sada_alhaqiqa", "svobodnye_vesti", "open_wire"):
        assert (await add_channel(ctx, f"@{name}")).error is None
    await sync_channels(ctx)
    for text in ("version two", "version three", "version four"):
        world.edit(en, ids["edited"], text=text, push=False)
        await sync_channels(ctx)
    world.delete(en, [ids["deleted"]], push=False)
    await sync_channels(ctx)
    async with engine.begin() as conn:
        how = (
            'telegram: signal (CHANNEL_PRIVATE); web: signal (t.me: the plain "Contact @name" page)'
        )
        await set_channel_fields(
            conn,
            ar,
            status="erased",
            status_reason="private",
            erased_at=1735689600,
            status_detail=how,
        )
        await set_channel_fields(
            conn, ru, status="erased", status_reason="deleted", erased_at=1735689600
        )
        from archiver.store.messages import set_post_hidden

        await set_post_hidden(conn, en, ids["hidden"], True)
    await client.disconnect()
    await engine.dispose()
    world.close()
    config = dataclasses.replace(config, simulator=dataclasses.replace(config.simulator))
    return {"config": config, "ar": ar, "ru": ru, "en": en, "ids": ids, "root": root}


@pytest.fixture(scope="session")
def built_archive(db_backend: str, tmp_path_factory: pytest.TempPathFactory, request) -> dict:
    """The archive of ``simulated_archive``, built once per session and backend; on PostgreSQL
    no test connects to its database, so that copies of it can be made at any time."""
    root = tmp_path_factory.mktemp("archive")
    database = ""
    if db_backend == "postgresql":
        server: TempPostgres = request.getfixturevalue("pg_server")
        database = server.url(request.getfixturevalue("pg_session_database")())
    return asyncio.run(_build_archive(root, database))


def _database_copy(archive: dict, request: pytest.FixtureRequest, factory: str) -> dict:
    """``archive`` with its config on a new PostgreSQL copy of its database (made by the
    fixture ``factory``), with ``storage_toml``: the ``[storage]`` lines of a config file
    for it. A SQLite archive keeps its URL: the caller copies its data directory."""
    import dataclasses

    config: Config = archive["config"]
    storage = config.storage
    if storage.database:
        template = storage.database.rsplit("/", 1)[1]
        copy = request.getfixturevalue(factory)
        url = storage.database.rsplit("/", 1)[0] + "/" + copy(template)
        storage = dataclasses.replace(storage, database=url)
    toml = f'data_dir = "{storage.data_dir}"\n'
    toml += f'database = "{storage.database}"\n' if storage.database else ""
    config = dataclasses.replace(config, storage=storage)
    return {**archive, "config": config, "storage_toml": toml}


@pytest.fixture(scope="session")
def simulated_archive(built_archive: dict, request: pytest.FixtureRequest) -> dict:
    """A read-only archive of three channels (Arabic and Russian erased, English active),
    built once per session through the simulator and the real archiver; see _build_archive."""
    return _database_copy(built_archive, request, "pg_session_database")


@pytest.fixture
def archive_copy(built_archive: dict, tmp_path: Path, request: pytest.FixtureRequest) -> dict:
    """A private copy of ``simulated_archive`` that a test may change, in tmp_path/data."""
    import dataclasses

    shutil.copytree(built_archive["root"] / "data", tmp_path / "data")
    config = built_archive["config"]
    storage = dataclasses.replace(config.storage, data_dir=tmp_path / "data")
    moved = {**built_archive, "config": dataclasses.replace(config, storage=storage)}
    return _database_copy(moved, request, "pg_database_copy")


@pytest.fixture
def pg_database_copy(pg_server: TempPostgres) -> Iterator[Callable[[str | None], str]]:
    """Factory: the name of a new copy of the PostgreSQL database ``template`` (None: a new
    empty database), dropped after the test."""
    with _new_databases(pg_server) as make:
        yield make
