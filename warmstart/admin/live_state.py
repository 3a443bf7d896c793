"""What a running simulation has shown so far, kept for the admin API: the
latest node and model rows, forecast-vs-actual series, cold starts with their
estimate, decisions. Written from the simulation's thread, read by requests;
each write swaps whole values under one lock.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from warmstart.admin.decisions import DecisionBuffer
from warmstart.admin.schemas import Band, ColdStartOut, ModelOut, NodeOut
from warmstart.domain.pod import PodDemand
from warmstart.estimate import NodeView

SERIES_POINTS = 288  # a day at the advisor's 5-minute step


@dataclass
class Series:
    t: deque[float] = field(default_factory=lambda: deque(maxlen=SERIES_POINTS))
    actual: deque[float] = field(default_factory=lambda: deque(maxlen=SERIES_POINTS))
    band: deque[Band] = field(default_factory=lambda: deque(maxlen=SERIES_POINTS))


@dataclass
class LiveState:
    origin: float = 0.0
    span_s: float = 1.0
    now: float = 0.0
    done: bool = False
    error: str = ""
    nodes: tuple[NodeOut, ...] = ()
    models: tuple[ModelOut, ...] = ()
    views: dict[str, NodeView] = field(default_factory=dict)
    pods: dict[str, PodDemand] = field(default_factory=dict)
    image_bytes: dict[str, int] = field(default_factory=dict)
    forecasts: dict[str, tuple[float, Band]] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    cold_starts: deque[ColdStartOut] = field(default_factory=lambda: deque(maxlen=2000))
    decisions: DecisionBuffer = field(default_factory=DecisionBuffer)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def progress(self) -> float:
        return 1.0 if self.done else min(1.0, max(0.0, (self.now - self.origin) / self.span_s))

    def observe(self, actual: dict[str, float], now: float) -> None:
        """Close the interval ending `now`: each model's actual rate beside the
        band forecast for it one call ago."""
        with self.lock:
            for model, rate in actual.items():
                previous = self.forecasts.get(model)
                if previous is None:
                    continue
                s = self.series.setdefault(model, Series())
                s.t.append(now)
                s.actual.append(rate)
                s.band.append(previous[1])
