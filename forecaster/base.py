"""What every forecaster shares: scikit-learn conventions over the long table.

Models learn from a `SeriesMatrix` and answer for many forecast origins at once
(`predict_origins`), so `predict` (one origin, the end of history) and the
rolling-origin backtest (every origin in the held-out days) run the same code.
"""

from __future__ import annotations

from typing import Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from forecaster.forecast import QuantileForecast, tidy_quantiles
from forecaster.frame import FrameError, SeriesMatrix, to_matrix

DAY_S = 86_400
WEEK_S = 7 * DAY_S
MEMORY_S = WEEK_S + DAY_S
"""History kept inside a fitted model: enough for same-time-last-week features."""


def check_quantiles(quantiles: tuple[float, ...]) -> tuple[float, ...]:
    if not quantiles or any(not 0 < q < 1 for q in quantiles):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {quantiles}")
    return tuple(sorted({float(q) for q in quantiles}))


def target_index(origins: np.ndarray, horizon: int) -> np.ndarray:
    """(origins, horizon) grid positions of the forecast targets t + 1 .. t + H."""
    return np.asarray(origins)[:, None] + np.arange(1, horizon + 1)[None, :]


def steps_in(matrix: SeriesMatrix, seconds: int, what: str) -> int:
    if seconds % matrix.step_s:
        raise FrameError(f"{what} ({seconds} s) is not a multiple of the {matrix.step_s}-s step")
    return seconds // matrix.step_s


class QuantileForecaster(BaseEstimator):  # type: ignore[misc]
    """Base class: subclasses implement `_fit_matrix` and `_predict_origins`."""

    quantiles: tuple[float, ...]
    step_s: int | None

    def fit(self, frame: pd.DataFrame) -> Self:
        return self.fit_matrix(to_matrix(frame, self.step_s))

    def fit_matrix(self, matrix: SeriesMatrix) -> Self:
        self.quantiles_ = check_quantiles(self.quantiles)
        self.step_s_ = matrix.step_s
        self.training_window_ = (matrix.start, matrix.end)
        self._fit_matrix(matrix)
        keep = min(matrix.n_steps, MEMORY_S // matrix.step_s + 1)
        tail = matrix.values[:, matrix.n_steps - keep :]
        self.history_ = SeriesMatrix(
            matrix.names, matrix.end - (keep - 1) * matrix.step_s, matrix.step_s, tail.copy()
        )
        return self

    def predict(self, horizon: int, history: pd.DataFrame | None = None) -> QuantileForecast:
        """Quantiles for the `horizon` steps after the end of `history` (default: training)."""
        check_is_fitted(self)
        matrix = None if history is None else to_matrix(history, self.step_s_)
        return self.predict_matrix(horizon, matrix)

    def predict_matrix(self, horizon: int, matrix: SeriesMatrix | None = None) -> QuantileForecast:
        """`predict` for history already on the grid (default: the end of training)."""
        check_is_fitted(self)
        matrix = self.history_ if matrix is None else matrix
        if matrix.step_s != self.step_s_:
            raise FrameError(
                f"history step {matrix.step_s} s differs from the fitted {self.step_s_} s"
            )
        origin = np.array([matrix.n_steps - 1])
        values = self.predict_origins(matrix, origin, horizon)[:, 0]
        ds = matrix.times(target_index(origin, horizon)[0])
        return QuantileForecast(matrix.names, ds, matrix.step_s, self.quantiles_, values)

    def predict_origins(
        self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int
    ) -> np.ndarray:
        """(series, origins, horizon, quantiles) forecasts made at each origin index."""
        check_is_fitted(self)
        if horizon < 1:
            raise ValueError(f"horizon must be at least one step, got {horizon}")
        return tidy_quantiles(self._predict_origins(matrix, np.asarray(origins), horizon))

    def fitted_choices(self) -> dict[str, str]:
        """What fitting decided that a report should show (e.g. a season), by name."""
        return {}

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        raise NotImplementedError

    def _predict_origins(
        self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int
    ) -> np.ndarray:
        raise NotImplementedError
