"""Keep it fixed: a bounded schemathesis run against the API's own OpenAPI schema, in process
(WSGI) on the test database, signed in as a System Administrator (who reaches every
operation). Any 5xx fails the suite; the examples are derandomized, so a failure reproduces.
SCHEMATHESIS_MAX_EXAMPLES raises the bound for a deeper run by hand."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from apps.auth.authentication import tokens_for
from tests.conftest import World

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"))


@pytest.fixture
def api_schema(world: World, settings: Any) -> Iterator[Any]:
    from config.wsgi import application

    # Thousands of requests from one user: the per-user rate limit would answer 429 to most.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}

    # The WSGI handler closes the database connection after each request; inside the test's
    # transaction that connection must stay (Django's test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.timeout(900)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case: Any, world: World) -> None:
    access = tokens_for(world.user("sysadmin"))["access"]
    response = case.call(headers={"Authorization": f"Bearer {access}"})
    case.validate_response(response, checks=[not_a_server_error])
