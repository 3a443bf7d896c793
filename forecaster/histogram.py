"""The hybrid histogram keep-alive policy of "Serverless in the Wild" (ATC'20).

Per series, a histogram of idle times (minutes between active intervals, 1-min
bins up to a 4-hour range) sets a pre-warm window (5th percentile x 0.9) and a
keep-alive window (99th percentile x 1.1). Capacity is the last active level
while inside the window, else zero. Where the histogram is not representative
(bin-count CV below 2) or most idle times fall past the range, the paper keeps
the series warm for the whole range (it reaches for ARIMA only in the second
case; here the whole range stands in for it). A policy, not a distribution: its
one value is reported at every quantile.
"""

from __future__ import annotations

import numpy as np

from forecaster.base import QuantileForecaster, target_index
from forecaster.frame import SeriesMatrix

RANGE_MIN = 240
"""The paper's histogram range: 4 hours of 1-minute bins."""


def idle_minutes(active: np.ndarray, step_min: float) -> np.ndarray:
    """Gaps between consecutive active intervals of one series, in minutes."""
    where = np.flatnonzero(active)
    return (np.diff(where) - 1) * step_min if where.size > 1 else np.empty(0)


def windows(idle: np.ndarray, min_samples: int) -> tuple[float, float]:
    """(pre-warm, keep-alive) minutes for one series' idle times."""
    in_range = idle[idle < RANGE_MIN]
    if idle.size < min_samples or in_range.size < idle.size / 2:
        return 0.0, float(RANGE_MIN)
    counts = np.bincount(in_range.astype(int), minlength=RANGE_MIN)
    if counts.std() / counts.mean() < 2:
        return 0.0, float(RANGE_MIN)
    low, high = np.percentile(in_range, [5, 99])
    return float(low * 0.9), float(high * 1.1)


class HybridHistogram(QuantileForecaster):
    """Keep the last active level warm inside the learned idle-time window."""

    def __init__(
        self,
        min_samples: int = 10,
        quantiles: tuple[float, ...] = (0.5, 0.9),
        step_s: int | None = None,
    ) -> None:
        self.min_samples = min_samples
        self.quantiles = quantiles
        self.step_s = step_s

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        step_min = matrix.step_s / 60
        active = np.nan_to_num(matrix.values) > 0
        self.windows_ = {
            name: windows(idle_minutes(active[i], step_min), self.min_samples)
            for i, name in enumerate(matrix.names)
        }

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
