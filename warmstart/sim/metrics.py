"""What a run measured: request waits, cold starts stage by stage, GPU time
and money, reduced to the report's figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

STAGES = ("node", "image", "model", "cuda", "h2d")
# Each waiting slice (a uniform spread of waits) is represented by this many
# evenly spaced points, enough for percentiles within 1/16 of a slice's width.
SLICE_POINTS = 8


@dataclass(frozen=True, slots=True)
class ColdStart:
    """A replica start that at least one request waited for."""

    model: str
    node: str
    trigger: str
    started_at: float
    ready_at: float
    stages: dict[str, float]
    first_wait_s: float

    @property
    def ttfi_s(self) -> float:
        return self.ready_at - self.started_at


@dataclass
class RunMetrics:
    warm_requests: float = 0.0
    unserved_requests: float = 0.0
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    mass: list[float] = field(default_factory=list)
    cold_starts: list[ColdStart] = field(default_factory=list)
    replica_starts: int = 0
    busy_gpu_s: float = 0.0
    node_seconds: dict[str, float] = field(default_factory=dict)
    gpu_seconds: float = 0.0
    cost_usd: float = 0.0
    nodes_created: int = 0
    events: int = 0  # heap events popped + (model, step) demand aggregates replayed
    # |estimated - actual| / actual start time, one per replica start
    estimate_errors: list[float] = field(default_factory=list)
    spell_waits: list[float] = field(default_factory=list)  # idle-spell arrivals' waits
    unserved_spells: int = 0
    start_seconds: float = 0.0  # actual start times of every replica start, summed
    stagings: int = 0  # models staged into a node's disk or host memory ahead of demand

    def spell_wait(self, wait: float | None) -> None:
        if wait is None:
            self.unserved_spells += 1
        else:
            self.spell_waits.append(wait)

    @property
    def total_wait_s(self) -> float:
        """Request-seconds spent waiting for a replica (each slice: mass x mean wait)."""
        lo, hi, mass = np.asarray(self.lo), np.asarray(self.hi), np.asarray(self.mass)
        return float((mass * (lo + hi) / 2).sum())

    def add_slices(self, slices: list[tuple[float, float, float]]) -> None:
        for lo, hi, mass in slices:
            self.lo.append(lo)
            self.hi.append(hi)
            self.mass.append(mass)

    @property
    def cold_requests(self) -> float:
        return float(sum(self.mass))

    def _points(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = np.asarray(self.lo), np.asarray(self.hi)
        frac = (np.arange(SLICE_POINTS) + 0.5) / SLICE_POINTS
        values = (lo[:, None] + (hi - lo)[:, None] * frac[None, :]).ravel()
        weights = np.repeat(np.asarray(self.mass) / SLICE_POINTS, SLICE_POINTS)
        return values, weights

    def quantiles(self, qs: tuple[float, ...], cold_only: bool) -> list[float]:
        values, weights = self._points()
        if not cold_only:
            values = np.r_[0.0, values]
            weights = np.r_[self.warm_requests, weights]
        return weighted_quantiles(values, weights, qs)

    def stage_means(self) -> dict[str, float]:
        if not self.cold_starts:
            return dict.fromkeys(STAGES, 0.0)
        return {s: float(np.mean([c.stages[s] for c in self.cold_starts])) for s in STAGES}


def weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                       qs: tuple[float, ...]) -> list[float]:
    """The smallest value whose cumulative weight reaches q of the total."""
    total = float(weights.sum())
    if total <= 0:
        return [0.0 for _ in qs]
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    picks = np.searchsorted(cum, np.asarray(qs) * total * (1 - 1e-12))
    return [float(values[order][min(i, len(values) - 1)]) for i in picks]
