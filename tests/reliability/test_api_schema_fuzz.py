"""Schemathesis generates requests from the app's own OpenAPI schema against uvicorn on a
loopback port: none may cause a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from live_mirror import live_mirror


@pytest.fixture
def live_url(simulated_archive):
    with live_mirror(simulated_archive["config"]) as url:
        yield url


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
