"""Put a production agent together from its settings and its clients (the `run` wiring)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from prometheus_client import CollectorRegistry

from agent.cri import CriImages
from agent.daemon import Agent
from agent.image_prepull import ImagePrepuller
from agent.node_metrics import NodeMetrics
from agent.nvml import Nvml
from agent.observe import Extras
from agent.prefetch_worker import PrefetchWorker
from agent.publisher import NodeCachePublisher
from agent.settings import AgentSettings
from agent.waterfall_collector import WaterfallCollector
from agent.waterfall_store import WaterfallMetrics, WaterfallStore
from warmstart.clock import Clock
from warmstart.kube import KubeClient


def _prepuller(settings: AgentSettings) -> ImagePrepuller | None:
    if settings.cri_socket is None:
        return None
    return ImagePrepuller(CriImages(settings.cri_socket), settings.image_gc_high_threshold_percent)


def assemble(
    settings: AgentSettings,
    client: KubeClient,
    http: httpx.Client,
    nvml: Nvml,
    clock: Clock,
    registry: CollectorRegistry,
    extras: Extras,
) -> Agent:
    """An agent that publishes, collects waterfalls and runs Prefetches on one worker thread."""
    store = WaterfallStore(WaterfallMetrics(registry))
    collector = WaterfallCollector(client, settings.node_name, store, http)
    worker = PrefetchWorker(
        client,
        settings,
        http,
        clock,
        collector.models_in_use,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch"),
        images=_prepuller(settings),
    )
    publisher = NodeCachePublisher(client, settings.node_name)
    metrics = NodeMetrics(registry)
    return Agent(settings, nvml, clock, store, publisher, collector, worker, extras, metrics)
