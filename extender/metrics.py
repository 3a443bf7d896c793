"""Prometheus metrics of one extender app, in its own registry (no globals, so
tests can build as many apps as they like)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from extender.index import NodeIndex
from extender.survivors import Survivors

# Handler times sit around a millisecond; buckets resolve 50 µs to 0.5 s.
_BUCKETS = (5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5)
VERBS = ("filter", "prioritize", "floor", "explain")


class _SurvivorLists(Collector):
    def __init__(self, passed: Survivors) -> None:
        self._passed = passed

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "warmstart_extender_prioritize_lists",
            "Prioritize calls by how their nodes were found: as our filter's reply, or by name.",
            labels=["found"],
        )
        family.add_metric(["filter-reply"], self._passed.found)
        family.add_metric(["by-name"], self._passed.missed)
        yield family


class ExtenderMetrics:
    def __init__(self, index: NodeIndex, passed: Survivors) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(_SurvivorLists(passed))
        self.latency = Histogram(
            "warmstart_extender_handler_seconds",
            "Time spent inside an extender handler, by verb.",
            ["verb"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "warmstart_extender_node_decisions",
            "Per-node outcomes: filter passed/failed, prioritize scored (above 0)/unscored.",
            ["verb", "outcome"],
            registry=self.registry,
        )
        self.fail_open = Counter(
            "warmstart_extender_fail_open",
            "Calls answered fail-open (all nodes pass, no scores), by verb and reason.",
            ["verb", "reason"],
            registry=self.registry,
        )
        self.bad_requests = Counter(
            "warmstart_extender_bad_requests",
            "Malformed calls answered with HTTP 400, by verb.",
            ["verb"],
            registry=self.registry,
        )
        staleness = Gauge(
            "warmstart_extender_index_staleness_seconds",
            "Seconds since the index last heard from the API server.",
            registry=self.registry,
        )
        staleness.set_function(index.seconds_since_sync)
        oldest = Gauge(
            "warmstart_extender_oldest_inventory_seconds",
            "Age of the oldest NodeCache status held.",
            registry=self.registry,
        )
        oldest.set_function(index.oldest_inventory_age)
        nodes = Gauge(
            "warmstart_extender_indexed_nodes", "Nodes in the index.", registry=self.registry
        )
        nodes.set_function(lambda: float(index.node_count()))
        self.timers = {verb: self.latency.labels(verb) for verb in VERBS}
