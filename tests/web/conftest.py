"""Web fixtures: the app on a simulator-built archive, through httpx's ASGI transport."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from web.app import create_app


def make_client(config):
    app = create_app(config)

    class Client:
        async def __aenter__(self) -> httpx.AsyncClient:
            self._life = app.router.lifespan_context(app)
            await self._life.__aenter__()
            self._client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://mirror.test"
            )
            return await self._client.__aenter__()

        async def __aexit__(self, *exc) -> None:
            await self._client.__aexit__(*exc)
            await self._life.__aexit__(*exc)

    return Client()


@pytest.fixture
async def client(simulated_archive):
    """The mirror with the default policy: only erased channels are public."""
    async with make_client(simulated_archive["config"]) as c:
        yield c


@pytest.fixture
async def client_all(simulated_archive):
    """The mirror publishing every channel."""
    config = simulated_archive["config"]
    web = dataclasses.replace(config.web, publish="all", admin_token="s3cret-token")
    async with make_client(dataclasses.replace(config, web=web)) as c:
        yield c
