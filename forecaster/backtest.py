"""Rolling-origin backtest: every model and baseline, the same held-out days.

Models are fitted once on the history before the held-out days, then forecast
from every step inside them, seeing only data up to each origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from forecaster.base import DAY_S, QuantileForecaster, steps_in, target_index
from forecaster.baselines import EWMA, SeasonalNaive
from forecaster.frame import SeriesMatrix
from forecaster.gbm import QuantileGBM
from forecaster.histogram import HybridHistogram
from forecaster.metrics import Score, score, zero_share
from forecaster.newsvendor import NewsvendorCosts


def evaluation_quantiles(costs: NewsvendorCosts) -> tuple[float, ...]:
    """The median, the 90% the acceptance checks, and the newsvendor q*."""
    return tuple(sorted({0.5, 0.9, round(costs.critical_quantile(), 4)}))


def default_models(quantiles: tuple[float, ...], horizon: int) -> dict[str, QuantileForecaster]:
    """The model and every baseline, all trained for the same horizon (in steps)."""
    return {
        "QuantileGBM": QuantileGBM(quantiles=quantiles, train_horizon=horizon),
        "SeasonalNaive-daily": SeasonalNaive("daily", quantiles, residual_horizon=horizon),
        "SeasonalNaive-weekly": SeasonalNaive("weekly", quantiles, residual_horizon=horizon),
        "EWMA": EWMA(quantiles=quantiles, residual_horizon=horizon),
        "HybridHistogram": HybridHistogram(quantiles=quantiles),
    }


class HeldOut(NamedTuple):
    """The held-out days: training ends at `split`; `actual` is (series, origins, horizon)."""

    split: int
    origins: np.ndarray
    actual: np.ndarray


def held_out(matrix: SeriesMatrix, horizon: int, holdout_days: float) -> HeldOut:
    """Every origin in the last `holdout_days` and the actuals at its targets (NaN past the end)."""
    holdout = steps_in(matrix, int(holdout_days * DAY_S), "the held-out span")
    split = matrix.n_steps - holdout
    if split < 2 or holdout < 1:
        raise ValueError(
            f"{holdout_days} held-out days leave no training data in {matrix.n_steps} steps"
        )
    origins = np.arange(split - 1, matrix.n_steps - 1)
    targets = target_index(origins, horizon)
    inside = targets < matrix.n_steps
    actual = np.where(inside, matrix.values[:, np.where(inside, targets, 0)], np.nan)
    return HeldOut(split, origins, actual)


def held_out_zero_share(matrix: SeriesMatrix, horizon: int, holdout_days: float) -> float | None:
    """Share of the known held-out points (every lead) with zero demand; None if none known."""
    return zero_share(held_out(matrix, horizon, holdout_days).actual)


def backtest(
    matrix: SeriesMatrix,
    models: Mapping[str, QuantileForecaster],
    horizon: int,
    holdout_days: float,
    costs: NewsvendorCosts,
    requests_per_replica: float = 1.0,
) -> dict[str, Score]:
    """Scores per model name over the last `holdout_days` of `matrix`."""
    split, origins, actual = held_out(matrix, horizon, holdout_days)
    train = matrix.until(split)
    results = {}
    for name, model in models.items():
        predicted = model.fit_matrix(train).predict_origins(matrix, origins, horizon)
        results[name] = score(
            actual, predicted, model.quantiles_, costs, requests_per_replica, matrix.step_s, horizon
        )
    return results
