"""Fixtures shared by every test: real SQLite files migrated by Alembic, engines, configs."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from archiver.config import Config, config_from_dict
from archiver.db.engine import open_engine, upgrade


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
def make_config(tmp_path: Path, migrated_template: Path):
    """Factory: a Config whose data directory holds a fresh copy of the migrated database."""

    def make(
        data: dict | None = None, *, migrated: bool = True, base: Path | None = None
    ) -> Config:
        base = base or tmp_path
        config = config_from_dict({"storage": {"data_dir": "data"}, **(data or {})}, base)
        config.storage.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = config.storage.data_dir / "tgmirror.db"
        if migrated and not db.exists():
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
    from archiver.worker.context import WorkerContext

    @asynccontextmanager
    async def make(config: Config | None = None):
        config = config or sim_config
        await sim_login(config)
        eng = open_engine(config.database_url)
        client = await connect_authorized(config)
        try:
            yield WorkerContext(config, eng, client)
        finally:
            await client.disconnect()
            await eng.dispose()

    return make
