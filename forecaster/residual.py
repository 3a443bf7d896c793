"""Quantiles for point baselines from their own in-sample errors.

A point rule platform teams use (same time last week, a moving average) gets
the fairest quantiles it can: its value plus that series' empirical error
quantile at each lead, learned on the training window.
"""

from __future__ import annotations

import warnings

import numpy as np

from forecaster.base import QuantileForecaster, target_index
from forecaster.frame import SeriesMatrix

MAX_RESIDUAL_ORIGINS = 2_000
"""Error quantiles settle long before this many origins; more only costs time."""


class PointForecaster(QuantileForecaster):
    """Subclasses give `_point` (series, origins, horizon); quantiles come from residuals."""

    def _point(self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError

    def _first_origin(self, matrix: SeriesMatrix) -> int:
        """The earliest origin with enough history for the rule."""
        return 0

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        horizon = self.residual_horizon
        first = self._first_origin(matrix)
        last = matrix.n_steps - 1 - horizon
        if last < first:
            raise ValueError(f"{type(self).__name__} needs more than {first + horizon} steps")
        origins = np.unique(np.linspace(first, last, MAX_RESIDUAL_ORIGINS).round().astype(int))
        actual = matrix.values[:, target_index(origins, horizon)]
        errors = actual - self._point(matrix, origins, horizon)
        offsets = _quantiles(errors, np.asarray(self.quantiles_))  # (Q, n, H)
        self.offsets_ = np.nan_to_num(np.moveaxis(offsets, 0, -1))  # (n, H, Q)
        self.series_ = matrix.names

    def _predict_origins(
        self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int
    ) -> np.ndarray:
        point = self._point(matrix, origins, horizon)[..., None]
        offsets = self._offsets_for(matrix.names, horizon)[:, None, :, :]
        forecast: np.ndarray = point + offsets
        return forecast

    def _offsets_for(self, names: tuple[str, ...], horizon: int) -> np.ndarray:
        """Learned offsets per series; a series not seen in training gets none."""
        row = {name: i for i, name in enumerate(self.series_)}
        fitted = self.offsets_.shape[1]
        leads = np.minimum(np.arange(horizon), fitted - 1)
        out = np.zeros((len(names), horizon, len(self.quantiles_)))
        for j, name in enumerate(names):
            if name in row:
                out[j] = self.offsets_[row[name]][leads]
        return out


def _quantiles(errors: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Quantiles over origins (axis 1). NumPy's NaN-aware version loops in Python
    over every (series, lead), so it is kept for errors that have gaps."""
    if not np.isnan(errors).any():
        exact: np.ndarray = np.quantile(errors, quantiles, axis=1)
        return exact
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a series with no known point
        skipping: np.ndarray = np.nanquantile(errors, quantiles, axis=1)
        return skipping
