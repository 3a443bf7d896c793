"""The simple rules a forecaster has to beat: seasonal naive and EWMA."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from forecaster.base import DAY_S, WEEK_S, steps_in, target_index
from forecaster.frame import SeriesMatrix
from forecaster.residual import PointForecaster

SEASONS = {"daily": DAY_S, "weekly": WEEK_S}
AUTO = "auto"
WEEKLY_FROM_S = 2 * WEEK_S
"""Weekly needs a week of lags and then a week of errors to learn its quantiles from:
with less, every time of the week is seen once or never."""


def auto_season(span_s: int) -> tuple[str, str]:
    """(season, why) for a training history spanning `span_s` seconds."""
    days, needed = span_s / DAY_S, WEEKLY_FROM_S // DAY_S
    if span_s >= WEEKLY_FROM_S:
        return "weekly", f"{days:.1f} days of training history (weekly from {needed})"
    return "daily", f"{days:.1f} days of training history; weekly needs {needed}"


class SeasonalNaive(PointForecaster):
    """Tomorrow looks like today: the value one season before the target.

    `season="auto"` (the default) takes the weekly season when the training
    history holds two weeks, else the daily one; `season_` says which.
    """

    def __init__(
        self,
        season: str = AUTO,
        quantiles: tuple[float, ...] = (0.5, 0.9),
        residual_horizon: int = 12,
        step_s: int | None = None,
    ) -> None:
        self.season = season
        self.quantiles = quantiles
        self.residual_horizon = residual_horizon
        self.step_s = step_s

    def _fit_matrix(self, matrix: SeriesMatrix) -> None:
        if self.season not in (AUTO, *SEASONS):
            raise ValueError(f"season must be one of {[AUTO, *SEASONS]}, got {self.season!r}")
        chosen = auto_season(matrix.n_steps * matrix.step_s)
        self.season_, self.season_why_ = chosen if self.season == AUTO else (self.season, "set")
        super()._fit_matrix(matrix)

    def fitted_choices(self) -> dict[str, str]:
        return {"season": self.season_, "why": self.season_why_}

    def _period(self, matrix: SeriesMatrix) -> int:
        return steps_in(matrix, SEASONS[self.season_], "the season")

    def _first_origin(self, matrix: SeriesMatrix) -> int:
        return self._period(matrix)

    def _point(self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int) -> np.ndarray:
        period = self._period(matrix)
        targets = target_index(origins, horizon)
        seasons_back = -(-np.arange(1, horizon + 1) // period)  # ceil: never peek past the origin
        source = targets - seasons_back[None, :] * period
        padded = np.where(source >= 0, source, 0)
        return np.where(source >= 0, matrix.values[:, padded], np.nan)


class EWMA(PointForecaster):
    """An exponentially weighted level, held flat over the horizon."""

    def __init__(
        self,
        halflife_s: int = 3_600,
        quantiles: tuple[float, ...] = (0.5, 0.9),
        residual_horizon: int = 12,
        step_s: int | None = None,
    ) -> None:
        self.halflife_s = halflife_s
        self.quantiles = quantiles
        self.residual_horizon = residual_horizon
        self.step_s = step_s

    def _point(self, matrix: SeriesMatrix, origins: np.ndarray, horizon: int) -> np.ndarray:
        at_origin = self._levels(matrix.values[:, : int(origins.max()) + 1], matrix.step_s)
        return np.repeat(at_origin[:, origins, None], horizon, axis=2)

    def _levels(self, values: np.ndarray, step_s: int) -> np.ndarray:
        """The level after every step: pandas' adjusted EWMA. Without gaps it is
        one linear filter (the simulator asks every few minutes, over a
        thousand series), the weighted sum over its running total of weights."""
        halflife = self.halflife_s / step_s
        if np.isnan(values).any():  # gaps: pandas skips them when weighting
            level = pd.DataFrame(values.T).ewm(halflife=halflife, ignore_na=True).mean()
            gapped: np.ndarray = level.to_numpy().T
            return gapped
        decay = 0.5 ** (1 / halflife)
        sums = lfilter([1.0], [1.0, -decay], values, axis=1)
        weights = (1 - decay ** np.arange(1, values.shape[1] + 1)) / (1 - decay)
        levels: np.ndarray = sums / weights
        return levels
