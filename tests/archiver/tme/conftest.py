"""Fixtures: a generated world served as t.me on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from archiver.simulator import ChannelSpec, World, generate_world
from archiver.simulator.web_preview import serve_web


@pytest.fixture(scope="module")
def web_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A world with @news_en: 260 posts of every kind, signatures on."""
    path = tmp_path_factory.mktemp("tme") / "world.sqlite"
    generate_world(path, seed=3, channels=[ChannelSpec("news_en", posts=260, signatures=True)])
    World.open(path).close()
    return path


@pytest.fixture(scope="module")
def tme(web_world: Path) -> Iterator[Starlette]:
    """The world's t.me; `tme.state.base_url` is its address."""
    with serve_web(web_world) as app:
        yield app
