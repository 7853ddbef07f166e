"""The shipped Grafana dashboard and Prometheus rules only query figures /metrics exports,
and the alerts the deployment guide promises exist."""

import json
import re
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from tests.conftest import World

MONITORING = Path(__file__).resolve().parents[3] / "monitoring"


def exported_names(world: World) -> set[str]:
    APIClient().get("/api/health/")
    world.client("sysadmin").get("/api/audit/verify/")
    text = APIClient().get("/metrics").content.decode()
    names = set()
    for family in text_string_to_metric_families(text):
        names |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_count", "_sum")}
    return names


def queried_names(text: str) -> set[str]:
    return set(re.findall(r"\bdms_[a-z_]+", text))


def test_dashboard_queries_only_exported_metrics(world: World) -> None:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    expressions = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])

    assert dashboard["uid"] == "cipla-dms"
    assert queried_names(expressions) <= exported_names(world)


def test_alert_rules_cover_the_promised_conditions_and_query_exported_metrics(world: World) -> None:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"][0]["rules"]
    alerts = {rule["alert"]: rule["expr"] for rule in rules}

    assert {"DmsAuditChainBroken", "DmsTargetDown", "DmsCeleryWorkerDown", "DmsHigh5xxRate"} <= set(alerts)
    assert "DmsDatabasePoolSaturated" in alerts
    assert queried_names(" ".join(alerts.values())) <= exported_names(world)
