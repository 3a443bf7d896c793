"""The provisioner's Prometheus metrics, on a registry of its own (injected, so
tests read exactly what one provisioner counted)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class ProvisionerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.pod_errors = Counter(
            "warmstart_provisioner_pod_errors", "Pending pods skipped, once per pod and "
            "reason: unreadable (a field of the spec could not be read) or unplaceable "
            "(no node template can take it)", ["kind"], registry=self.registry)
