"""The agent's own gauges: what NVML and the scan saw that the NodeCache status has
no field for (utilisation, memory in use, why no GPU), plus publish outcomes."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from agent.inventory import Observations
from warmstart.domain import CacheTier


class NodeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.gpu_busy = Gauge(
            "warmstart_agent_gpu_utilization_ratio",
            "Share of the last NVML sample the GPU was busy",
            ["uuid"],
            registry=registry,
        )
        self.gpu_used = Gauge(
            "warmstart_agent_gpu_memory_used_bytes",
            "GPU memory in use",
            ["uuid"],
            registry=registry,
        )
        self.no_gpu = Gauge(
            "warmstart_agent_no_gpu",
            "1 when no GPU is reported, labelled with why",
            ["reason"],
            registry=registry,
        )
        self.cached = Gauge(
            "warmstart_agent_cached_bytes",
            "Model bytes per cache tier",
            ["tier"],
            registry=registry,
        )
        self.problems = Gauge(
            "warmstart_agent_scan_problems",
            "Unreadable cache entries and GPUs in the last pass",
            registry=registry,
        )
        self.publishes = Counter(
            "warmstart_agent_publishes",
            "NodeCache status writes by outcome",
            ["outcome"],
            registry=registry,
        )

    def observe(self, obs: Observations) -> None:
        for usage in obs.gpus.utilization:
            self.gpu_busy.labels(usage.uuid).set(usage.gpu_percent / 100)
            self.gpu_used.labels(usage.uuid).set(usage.memory_used_bytes)
        self.no_gpu.clear()
        if obs.gpus.reason:
            self.no_gpu.labels(obs.gpus.reason).set(1)
        # Per cache entry, not per URI: aliases name the same bytes.
        self.cached.labels(obs.disk_tier.value).set(sum(e.bytes for e in obs.cache.entries))
        self.cached.labels(CacheTier.HOST_MEMORY.value).set(sum(obs.resident.values()))
        self.problems.set(len(obs.gpus.problems) + len(obs.cache.problems))
