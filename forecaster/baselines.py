"""The simple rules a forecaster has to beat: seasonal naive and EWMA."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecaster.base import DAY_S, WEEK_S, steps_in, target_index
from forecaster.frame import SeriesMatrix
from forecaster.residual import PointForecaster

SEASONS = {"daily": DAY_S, "weekly": WEEK_S}


class SeasonalNaive(PointForecaster):
    """Tomorrow looks like today: the value one season before the target."""

    def __init__(
        self,
        season: str = "daily",
        quantiles: tuple[float, ...] = (0.5, 0.9),
        residual_horizon: int = 12,
        step_s: int | None = None,
    ) -> None:
        self.season = season
        self.quantiles = quantiles
        self.residual_horizon = residual_horizon
        self.step_s = step_s

    def _period(self, matrix: SeriesMatrix) -> int:
        if self.season not in SEASONS:
            raise ValueError(f"season must be one of {sorted(SEASONS)}, got {self.season!r}")
        return steps_in(matrix, SEASONS[self.season], "the season")

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
        halflife = self.halflife_s / matrix.step_s
        level = pd.DataFrame(matrix.values.T).ewm(halflife=halflife, ignore_na=True).mean()
        at_origin = level.to_numpy().T[:, origins]
        return np.repeat(at_origin[:, :, None], horizon, axis=2)
