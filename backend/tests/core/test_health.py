import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_health_reports_every_part_ok_without_auth() -> None:
    response = APIClient().get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_health_names_the_part_that_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.core import health

    def broken() -> bool:
        raise ConnectionError("cache unreachable")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = APIClient().get("/api/health/")
    assert response.status_code == 503
    assert response.json()["cache"] == "down"
    assert response.json()["down"] == ["cache"]
    assert response.json()["database"] == "ok"
