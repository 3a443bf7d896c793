"""One global gradient-boosted model per quantile, shared by every series.

Series are many and short; one model across all of them (on scaled levels)
learns the daily and weekly shape, lag structure and burstiness once, and
still answers for a series it has never seen.

Intermittent series need one more step for the lower quantiles. Each leaf
value is the quantile of its residuals, so where most targets are exactly zero
a median model sits on the tie and predicts zero even for busy series mixed
into those leaves. Models at or below `jitter_up_to` (the median, by default)
therefore see zero targets spread uniformly below one request per step (the
jittering of Machado & Santos Silva's quantiles for counts), and their
forecasts under one request per step read as zero. The upper quantiles that
provisioning uses are fitted on the exact record: there the tie at zero is the
right answer for an idle series, and jitter made idle series look busy (it
doubled over-provisioning on GenTD26 in the backtest).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from forecaster.base import DAY_S, QuantileForecaster
from forecaster.features import FEATURE_NAMES, OriginFeatures
from forecaster.frame import SeriesMatrix

SMALL_PREDICT_ROWS = 20_000
"""Below this, waking OpenMP threads costs more than it saves (a pool's predict)."""


class QuantileGBM(QuantileForecaster):
    """HistGradientBoostingRegressor with quantile loss, one per quantile, direct multi-lead."""

    def __init__(
        self,
        quantiles: tuple[float, ...] = (0.5, 0.9),
        train_horizon: int = 2,
        max_rows: int = 200_000,
        max_iter: int = 150,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 100,
        jitter_requests: float = 1.0,
        jitter_up_to: float = 0.5,
        random_state: int = 0,
        step_s: int | None = None,
    ) -> None:
        self.quantiles = quantiles
        self.train_horizon = train_horizon
        self.max_rows = max_rows
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.jitter_requests = jitter_requests
        self.jitter_up_to = jitter_up_to
        self.random_state = random_state
        self.step_s = step_s

    def _training_rows(self, matrix: SeriesMatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(series, origin, lead) of a sample of training rows with a known target."""
        n, steps = matrix.values.shape
        first = min(DAY_S // matrix.step_s, steps // 4)
        origins = steps - self.train_horizon - first
        if origins < 1:
            raise ValueError(f"QuantileGBM needs more than {first + self.train_horizon} steps")
        total = n * origins * self.train_horizon
        rng = np.random.default_rng(self.random_state)
        pick = (
            rng.choice(total, self.max_rows, replace=False)
            if total > self.max_rows
            else np.arange(total)
        )
        series, rest = np.divmod(pick, origins * self.train_horizon)
        origin, lead = np.divmod(rest, self.train_horizon)
        origin, lead = origin + first, lead + 1
        known = ~np.isnan(matrix.values[series, origin + lead])
        return series[known], origin[known], lead[known]

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        features = OriginFeatures.of(matrix)
        series, origin, lead = self._training_rows(matrix)
        rows = features.rows(series, origin, lead)
        # A feature the window cannot show (last week, in a 3-day history) is dropped.
        self.features_used_ = ~np.isnan(rows).all(axis=0)
        self.feature_names_ = tuple(np.array(FEATURE_NAMES)[self.features_used_])
        raw = matrix.values[series, origin + lead]
        jitter = np.random.default_rng(self.random_state).uniform(0, self._jitter(matrix), raw.size)
        scale = features.scale[series, origin]
        exact, jittered = raw / scale, np.where(raw > 0, raw, jitter) / scale
        rows = rows[:, self.features_used_]
        self.models_ = [
            self._regressor(q).fit(rows, jittered if self._jittered(q) else exact)
            for q in self.quantiles_
        ]

    def _jittered(self, quantile: float) -> bool:
        return self.jitter_requests > 0 and quantile <= self.jitter_up_to

    def _jitter(self, matrix: SeriesMatrix) -> float:
        """One request per step, in the table's unit (requests/s)."""
        return self.jitter_requests / matrix.step_s

    def _regressor(self, quantile: float) -> HistGradientBoostingRegressor:
        return HistGradientBoostingRegressor(
            loss="quantile",
            quantile=quantile,
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            early_stopping=False,
            random_state=self.random_state,
        )

    def _predict_origins(
        self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int
    ) -> np.ndarray:
        features = OriginFeatures.of(matrix)
        n = len(matrix.names)
        series, origin, lead = np.meshgrid(
            np.arange(n), origins, np.arange(1, horizon + 1), indexing="ij"
        )
        series, origin, lead = series.ravel(), origin.ravel(), lead.ravel()
        rows = features.rows(series, origin, lead)[:, self.features_used_]
        scale = features.scale[series, origin]
        with threadpool_limits(limits=1 if len(rows) < SMALL_PREDICT_ROWS else None):
            values = np.column_stack([m.predict(rows) * scale for m in self.models_])
        jittered = np.array([self._jittered(q) for q in self.quantiles_])
        values[:, jittered] = np.where(
            values[:, jittered] < self._jitter(matrix), 0.0, values[:, jittered]
        )
        return values.reshape(n, len(origins), horizon, len(self.models_))
