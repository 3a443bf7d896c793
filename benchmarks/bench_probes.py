"""What the scheduler benchmark reads off running processes: CPU seconds and
peak memory from /proc, handler quantiles and fail-opens from the extender's
Prometheus metrics, and the moment each pod binds from a pod watch."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from warmstart.kube import KubeClient
from warmstart.kube.resources import PODS

HANDLER = "warmstart_extender_handler_seconds"
FAIL_OPEN = "warmstart_extender_fail_open"
LISTS = "warmstart_extender_prioritize_lists"


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int, field: str = "VmHWM") -> float:
    """Resident memory from /proc (VmHWM: the peak, VmRSS: now), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def histogram_quantiles(text: str, verb: str, quantiles: tuple[float, ...] = (0.5, 0.99)
                        ) -> dict[str, float | int | None]:
    """`verb`'s handler-time quantiles in ms, interpolated within buckets as
    Prometheus's histogram_quantile does, and the call count."""
    buckets: list[tuple[float, float]] = []
    for family in text_string_to_metric_families(text):
        if family.name != HANDLER:
            continue
        buckets = sorted((float(s.labels["le"]), s.value) for s in family.samples
                         if s.name.endswith("_bucket") and s.labels.get("verb") == verb)
    total = buckets[-1][1] if buckets else 0.0
    found: dict[str, float | int | None] = {"calls": int(total)}
    for q in quantiles:
        found[f"p{round(q * 100)}_ms"] = _quantile(buckets, q * total) if total else None
    return found


def _quantile(buckets: list[tuple[float, float]], rank: float) -> float:
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower * 1000
            share = (rank - below) / (count - below) if count > below else 1.0
            return (lower + (upper - lower) * share) * 1000
        lower, below = upper, count
    return lower * 1000


def counter_total(text: str, family: str, **labels: str) -> int:
    """The sum of a counter's samples whose labels include `labels`."""
    return int(sum(s.value for f in text_string_to_metric_families(text) if f.name == family
                   for s in f.samples if s.name.endswith("_total")
                   and labels.items() <= s.labels.items()))


class BindWatch:
    """Watches a namespace's pods from `resource_version`; records when each binds."""

    def __init__(self, kube: KubeClient, namespace: str, resource_version: str,
                 expected: int) -> None:
        self.bound: dict[str, tuple[float, str]] = {}  # pod -> (monotonic s, node)
        self.first = threading.Event()
        self.done = threading.Event()
        self._expected = expected
        self._stream = kube.watch(PODS, namespace, resource_version=resource_version,
                                  timeout_s=3600)
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        for event in self._stream:
            node = (event.object.get("spec") or {}).get("nodeName")
            name = event.object.get("metadata", {}).get("name", "")
            if node and name not in self.bound:
                self.bound[name] = (time.monotonic(), node)
                self.first.set()
                if len(self.bound) >= self._expected:
                    self.done.set()
                    return

    def stop(self) -> None:
        self._stream.close()
        self._thread.join(10)
