"""The simulator's `hybrid-histogram` policy: the ATC'20 rule of
`warmstart.hybrid_histogram` per model, its windows updated as idle times
arrive, replicas placed least-allocated."""

from __future__ import annotations

import numpy as np

from warmstart.hybrid_histogram import (
    BIN_S,
    HEAD,
    MARGIN,
    MIN_SAMPLES,
    RANGE_S,
    TAIL,
    IdleHistograms,
)
from warmstart.sim.catalog import ModelSpec
from warmstart.sim.placement import least_allocated
from warmstart.sim.policies import Policy


class HybridHistogram(Policy):
    """`head`/`tail`: the idle-time percentiles (as fractions) that set the
    pre-warm and keep-alive windows; `margin`: how much each is widened."""

    def __init__(self, head: float = HEAD, tail: float = TAIL, margin: float = MARGIN) -> None:
        super().__init__("hybrid-histogram", least_allocated, idle_s=RANGE_S)
        self.shape = (head, tail, margin)
        self.idle = IdleHistograms(0)

    def bind(self, models: list[ModelSpec]) -> None:
        super().bind(models)
        self.idle = IdleHistograms(len(models), MIN_SAMPLES, *self.shape)
        self.stale = np.zeros(len(models), dtype=bool)

    def observe_idle(self, models: np.ndarray, idle_s: np.ndarray) -> None:
        self.idle.observe(models, idle_s)
        self.stale[models] = True

    def windows(self, models: np.ndarray, idle_s: np.ndarray,
                grace_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Windows are worked out only when they can decide something, once per
        idle spell rather than at every step of a busy model: nothing idle for
        less than the grace is unloaded, nor anything idle for less than its
        keep-alive plus pre-warm, which is a bin or more (with a margin >= 0)."""
        floor = BIN_S if self.shape[2] >= 0 else 0.0
        due = self.stale[models] & (idle_s >= min(grace_s, floor))
        rows = np.unique(models[due])
        if rows.size:
            self.prewarm_s[rows], self.keepalive_s[rows] = self.idle.windows(rows)
            self.stale[rows] = False
        return super().windows(models, idle_s, grace_s)


def hybrid_histogram(head: float = HEAD, tail: float = TAIL,
                     margin: float = MARGIN) -> HybridHistogram:
    return HybridHistogram(head, tail, margin)
