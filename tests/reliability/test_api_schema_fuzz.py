"""Schemathesis generates requests from the app's own OpenAPI schema against uvicorn on a
loopback port: none may cause a server error."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from web.server import uvicorn_server


@pytest.fixture
def live_url(simulated_archive):
    config = simulated_archive["config"]
    config = dataclasses.replace(config, web=dataclasses.replace(config.web, publish="all"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn_server(config, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_no_request_the_schema_allows_causes_a_server_error(live_url) -> None:
    schema = schemathesis.openapi.from_url(f"{live_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    tried = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case) -> None:
            nonlocal tried
            response = case.call(base_url=live_url)
            tried += 1
            assert response.status_code < 500, (case.method, case.formatted_path, case.query)

        call()
    assert tried > 100
    print(f"\n{tried} generated requests over {len(operations)} operations; server errors: 0")
