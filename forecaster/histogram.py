"""The hybrid histogram keep-alive policy of "Serverless in the Wild" (ATC'20)
as a baseline forecaster.

Per series, the idle times (minutes between active intervals) set a pre-warm
and a keep-alive window by the rule in `warmstart.hybrid_histogram`, the same
code the simulator's policy runs. Capacity is the last active level while the
idle time is inside the window, else zero. A policy, not a distribution: its
one value is reported at every quantile.
"""

from __future__ import annotations

import numpy as np

from forecaster.base import QuantileForecaster, target_index
from forecaster.frame import SeriesMatrix
from warmstart.hybrid_histogram import MIN_SAMPLES, RANGE_S, IdleHistograms

RANGE_MIN = RANGE_S / 60


def idle_minutes(active: np.ndarray, step_min: float) -> np.ndarray:
    """Gaps between consecutive active intervals of one series, in minutes."""
    where = np.flatnonzero(active)
    return (np.diff(where) - 1) * step_min if where.size > 1 else np.empty(0)


def windows(idle: list[np.ndarray], min_samples: int) -> list[tuple[float, float]]:
    """(from, to) minutes of idle time during which each series is kept warm."""
    histograms = IdleHistograms(len(idle), min_samples)
    for row, minutes in enumerate(idle):
        histograms.observe(np.full(len(minutes), row, dtype=np.int64), minutes * 60.0)
    prewarm, keep = histograms.windows(np.arange(len(idle)))
    return [(p / 60, (p + k) / 60) for p, k in zip(prewarm.tolist(), keep.tolist(), strict=True)]


class HybridHistogram(QuantileForecaster):
    """Keep the last active level warm inside the learned idle-time window."""

    def __init__(
        self,
        min_samples: int = MIN_SAMPLES,
        quantiles: tuple[float, ...] = (0.5, 0.9),
        step_s: int | None = None,
    ) -> None:
        self.min_samples = min_samples
        self.quantiles = quantiles
        self.step_s = step_s

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        step_min = matrix.step_s / 60
        active = np.nan_to_num(matrix.values) > 0
        idle = [idle_minutes(active[i], step_min) for i in range(len(matrix.names))]
        self.windows_ = dict(zip(matrix.names, windows(idle, self.min_samples), strict=True))

    def _predict_origins(
        self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int
    ) -> np.ndarray:
        values = np.nan_to_num(matrix.values)
        steps = np.arange(matrix.n_steps)
        last_active = np.maximum.accumulate(np.where(values > 0, steps, -1), axis=1)[:, origins]
        level = np.take_along_axis(values, np.maximum(last_active, 0), axis=1)
        level = np.where(last_active >= 0, level, 0.0)
        idle = target_index(origins, horizon)[None] - last_active[:, :, None] - 1
        idle_min = idle * matrix.step_s / 60
        bounds = np.array([self.windows_.get(n, (0.0, float(RANGE_MIN))) for n in matrix.names])
        warm = (idle_min >= bounds[:, 0, None, None]) & (idle_min <= bounds[:, 1, None, None])
        point = np.where(warm, level[:, :, None], 0.0)
        return np.repeat(point[..., None], len(self.quantiles_), axis=-1)
