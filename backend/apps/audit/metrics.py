"""The audit trail's figures for /metrics: chain length and the last verification."""

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from apps.core import metrics

logger = logging.getLogger(__name__)


class AuditChainCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        from apps.audit.models import AuditChainHead

        try:
            head = AuditChainHead.objects.filter(id=1).values_list("last_sequence", flat=True).first()
        except DatabaseError as error:  # the database being down shows in the health check
            logger.warning("metrics: audit chain length unavailable: %s", error)
        else:
            length = GaugeMetricFamily("dms_audit_chain_length", "Events in the audit chain (all processes).")
            length.add_metric([], head or 0)
            yield length

        result = metrics.last_chain_verification()
        valid = GaugeMetricFamily(
            "dms_audit_chain_valid", "Last audit chain verification: 1 intact, 0 broken, -1 never run."
        )
        valid.add_metric([], -1 if result is None else int(bool(result["valid"])))
        yield valid
        if result is not None:
            at = GaugeMetricFamily("dms_audit_chain_verified_timestamp_seconds", "When the chain was last verified.")
            at.add_metric([], result["at"])
            yield at
            checked = GaugeMetricFamily("dms_audit_chain_verified_events", "Events checked by the last verification.")
            checked.add_metric([], result["checked"])
            yield checked


metrics.SCRAPE_COLLECTORS.append(AuditChainCollector())
