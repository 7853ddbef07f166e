"""Directory sign-in tests run against a real slapd (Debian's OpenLDAP server) on a loopback
port. Without slapd installed they skip with the reason; CI installs it
(scripts/install-ci-tools.sh), so there they always run."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apps.auth.models import Unit
from config.directory import directory_settings
from tests.conftest import World
from tests.directory.slapd import SLAPD, Slapd


@pytest.fixture(scope="session")
def slapd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    if not os.access(SLAPD, os.X_OK):
        pytest.skip("slapd is not installed (apt-get install slapd ldap-utils)")
    server = Slapd(tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()


def use_directory(settings: Any, server: Slapd, **overrides: str) -> None:
    for name, value in directory_settings({**server.environment(), **overrides}).items():
        setattr(settings, name, value)


@pytest.fixture
def directory(settings: Any, slapd_server: Slapd, world: World) -> Slapd:
    """The shared test directory, configured as an operator would from the environment."""
    Unit.objects.create(code="BOM", name="Mumbai Plant")
    use_directory(settings, slapd_server)
    return slapd_server


@pytest.fixture
def own_directory(settings: Any, tmp_path: Path, world: World) -> Iterator[Slapd]:
    """A slapd of this test alone, which the test may stop."""
    if not os.access(SLAPD, os.X_OK):
        pytest.skip("slapd is not installed (apt-get install slapd ldap-utils)")
    server = Slapd(tmp_path).start()
    use_directory(settings, server)
    yield server
    server.stop()
