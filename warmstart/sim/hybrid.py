"""The simulator's `hybrid-histogram` policy: the ATC'20 rule of
`warmstart.hybrid_histogram` per model, its windows updated as idle times
arrive, replicas placed least-allocated."""

from __future__ import annotations

import numpy as np

from warmstart.hybrid_histogram import HEAD, MARGIN, MIN_SAMPLES, RANGE_S, TAIL, IdleHistograms
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

    def observe_idle(self, models: np.ndarray, idle_s: np.ndarray) -> None:
        self.idle.observe(models, idle_s)
        rows = np.unique(models)
        self.prewarm_s[rows], self.keepalive_s[rows] = self.idle.windows(rows)


def hybrid_histogram(head: float = HEAD, tail: float = TAIL,
                     margin: float = MARGIN) -> HybridHistogram:
    return HybridHistogram(head, tail, margin)
