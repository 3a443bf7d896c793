"""The agent's loop: observe, build the status, publish if the gate says so; keep
the pods' waterfalls; hand Prefetches to the worker. One `tick` is one pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from agent.cache_scan import scan_cache
from agent.cri import CriError
from agent.inventory import build_inventory
from agent.node_metrics import NodeMetrics
from agent.nvml import Nvml
from agent.observe import Extras, observe, probe_disk
from agent.prefetch_worker import PrefetchWorker
from agent.publish_gate import GateState, decide
from agent.publisher import NodeCachePublisher
from agent.settings import AgentSettings
from agent.waterfall_collector import WaterfallCollector
from agent.waterfall_store import WaterfallStore
from warmstart.clock import Clock
from warmstart.domain import NodeInventory
from warmstart.kube import KubeError

log = logging.getLogger(__name__)
# Images that started within this window count as warm (libraries in page cache).
RECENT_IMAGES = timedelta(hours=1)


class Agent:
    def __init__(
        self,
        settings: AgentSettings,
        nvml: Nvml,
        clock: Clock,
        store: WaterfallStore,
        publisher: NodeCachePublisher | None = None,
        collector: WaterfallCollector | None = None,
        prefetches: PrefetchWorker | None = None,
        extras: Extras | None = None,
        metrics: NodeMetrics | None = None,
    ) -> None:
        self.settings, self.store = settings, store
        self._nvml, self._clock = nvml, clock
        self._publisher, self._collector, self._prefetches = publisher, collector, prefetches
        self._extras = extras or Extras()
        self._metrics = metrics
        self._gate = GateState()
        self._next_probe = clock.monotonic()

    def tick(self) -> NodeInventory:
        now = datetime.fromtimestamp(self._clock.now(), UTC)
        self._guard("waterfalls", self._collector.collect if self._collector else None)
        self._probe_disk_when_due()
        recent = self.store.recent_images(now, RECENT_IMAGES)
        self._extras = replace(self._extras, recent_images=recent,
                               staged_images=self._staged_images())
        obs = observe(self.settings, self._nvml, self._extras)
        inventory = build_inventory(obs, now)
        if self._metrics is not None:
            self._metrics.observe(obs)
        self._publish(inventory)
        self._guard("prefetch", self._prefetches.poll if self._prefetches else None)
        return inventory

    def _staged_images(self) -> tuple[str, ...]:
        if self._prefetches is None:
            return ()
        try:
            return self._prefetches.staged_images()
        except CriError as exc:  # the runtime is down: report nothing rather than stale
            log.warning("container runtime: %s", exc)
            return ()

    def _probe_disk_when_due(self) -> None:
        if not self.settings.disk_probe or self._clock.monotonic() < self._next_probe:
            return
        disk = probe_disk(self.settings, scan_cache(self.settings.cache_dir))
        self._extras = replace(self._extras, disk_bps=disk or self._extras.disk_bps)
        self._next_probe = self._clock.monotonic() + self.settings.probe_interval_s

    def _publish(self, inventory: NodeInventory) -> None:
        decision = decide(self._gate, inventory, self._clock.monotonic(), self.settings)
        if not decision.publish or self._publisher is None:
            self._gate = decision.state
            return
        publisher = self._publisher
        written = self._guard("publish", lambda: publisher.publish(inventory))
        if self._metrics is not None:
            self._metrics.publishes.labels("written" if written else "failed").inc()
        if written:  # a failed write keeps the old state, so the next pass tries again
            log.info("NodeCache published: %s", decision.reason)
            self._gate = decision.state

    def _guard(self, what: str, action: Callable[[], object] | None) -> bool:
        """Run one I/O step; an API outage is logged and the loop goes on."""
        if action is None:
            return False
        try:
            action()
        except KubeError as exc:
            log.warning("%s: %s", what, exc)
            return False
        return True

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(self.settings.scan_interval_s)
