"""Keep the latest waterfall of each pod, and export stage histograms once per start.

Per-pod records feed the admin API (newest last, bounded). The Prometheus
histograms observe a pod's stages once, when it first becomes Ready; a pod
that restarts later is not counted twice. Incomplete pods are gauged by the
stage they wait on, so a stuck rollout is visible before it finishes.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Gauge, Histogram

from agent.waterfall_record import STAGES, PodWaterfall

# From a warm start (sub-second) to the brief's worst cold start (8 min) and beyond.
BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 90, 120, 180, 300, 480, 600, 900, 1800)


class WaterfallMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.stage = Histogram(
            "warmstart_startup_stage_seconds",
            "Measured seconds per start-up stage of a pod",
            ["stage"],
            registry=registry,
            buckets=BUCKETS,
        )
        self.ready = Histogram(
            "warmstart_startup_ready_seconds",
            "Pod creation to Ready",
            registry=registry,
            buckets=BUCKETS,
        )
        self.first_inference = Histogram(
            "warmstart_startup_first_inference_seconds",
            "Pod creation to first inference",
            registry=registry,
            buckets=BUCKETS,
        )
        self.waiting = Gauge(
            "warmstart_startup_waiting_pods",
            "Pods not Ready yet, by what they wait on",
            ["waiting_on"],
            registry=registry,
        )


class WaterfallStore:
    def __init__(self, metrics: WaterfallMetrics, max_pods: int = 2000) -> None:
        self._metrics = metrics
        self._max = max_pods
        self._records: OrderedDict[str, PodWaterfall] = OrderedDict()
        self._observed: set[str] = set()

    def update(self, record: PodWaterfall) -> None:
        self._records.pop(record.uid, None)
        self._records[record.uid] = record
        while len(self._records) > self._max:
            gone, _ = self._records.popitem(last=False)
            self._observed.discard(gone)
        if record.complete and record.uid not in self._observed:
            self._observed.add(record.uid)
            self._observe(record)
        self._gauge_waiting()

    def forget(self, uid: str) -> None:
        """The pod was deleted: it no longer waits on anything."""
        self._records.pop(uid, None)
        self._observed.discard(uid)
        self._gauge_waiting()

    def records(self) -> list[PodWaterfall]:
        return list(self._records.values())

    def recent_images(self, now: datetime, window: timedelta) -> tuple[str, ...]:
        """Images of pods whose containers started within `window`: their libraries
        are likely still in the page cache (a warm-CUDA signal)."""
        return tuple(
            sorted(
                {
                    image
                    for r in self._records.values()
                    if r.times.container_started and now - r.times.container_started <= window
                    for image in r.images
                }
            )
        )

    def _observe(self, record: PodWaterfall) -> None:
        for stage in STAGES:
            if stage in record.stages:
                self._metrics.stage.labels(stage).observe(record.stages[stage])
        if record.time_to_ready_s is not None:
            self._metrics.ready.observe(record.time_to_ready_s)
        if record.time_to_first_inference_s is not None:
            self._metrics.first_inference.observe(record.time_to_first_inference_s)

    def _gauge_waiting(self) -> None:
        waiting = Counter(r.waiting_on for r in self._records.values() if r.waiting_on)
        for on in ("node", "image", "container", "app"):
            self._metrics.waiting.labels(on).set(waiting.get(on, 0))
