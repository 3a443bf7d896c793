"""A node's agent run in the test's process against the real API server: the
same `Agent` the DaemonSet runs (its NodeCache publisher and Prefetch worker),
ticked by hand, so a test sees each publish and each fetch as it happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry

from agent.daemon import Agent
from agent.nvml import PynvmlNvml
from agent.prefetch_worker import PrefetchWorker
from agent.publisher import NodeCachePublisher
from agent.settings import AgentSettings
from agent.waterfall_store import WaterfallMetrics, WaterfallStore
from warmstart.clock import SystemClock
from warmstart.kube import KubeClient


@contextmanager
def agent_on(kube: KubeClient, node: str, cache_dir: Path) -> Iterator[Agent]:
    """The agent of `node`, caching under `cache_dir`, publishing at every tick;
    a tick runs due Prefetches inline."""
    settings = AgentSettings(node_name=node, cache_dir=cache_dir, disk_probe=False,
                             debounce_s=0, min_publish_interval_s=0, max_publish_delay_s=0)
    clock = SystemClock()
    with httpx.Client() as http:
        worker = PrefetchWorker(kube, settings, http, clock, frozenset)
        store = WaterfallStore(WaterfallMetrics(CollectorRegistry()))
        yield Agent(settings, PynvmlNvml(), clock, store,
                    publisher=NodeCachePublisher(kube, node), prefetches=worker)
