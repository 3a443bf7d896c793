"""Rolling-origin backtest: every model and baseline, the same held-out days.

Inputs are checked before anything is fitted (`forecaster.backtest_input`).
Models are fitted once on the history before the held-out days, then forecast
H steps from an origin every H steps inside them, seeing only data up to each
origin: every held-out point is forecast once, and every lead 1..H is scored
equally often.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from forecaster.backtest_input import check_backtest
from forecaster.base import QuantileForecaster, target_index
from forecaster.baselines import EWMA, SeasonalNaive
from forecaster.frame import SeriesMatrix
from forecaster.gbm import QuantileGBM
from forecaster.histogram import HybridHistogram
from forecaster.metrics import Score, score, zero_share
from forecaster.newsvendor import NewsvendorCosts

CDF_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
"""Levels that sketch each predictive distribution for the randomised PIT."""


def provisioning_quantiles(costs: NewsvendorCosts) -> tuple[float, ...]:
    """What a saved model serves: the median, the 90% and the newsvendor q*."""
    return tuple(sorted({0.5, 0.9, round(costs.critical_quantile(), 4)}))


def evaluation_quantiles(costs: NewsvendorCosts) -> tuple[float, ...]:
    """The CDF levels (the median and the 90% among them) and the newsvendor q*.

    Each quantile is its own model, so the extra levels leave q*'s forecast as
    a saved model makes it; they only let the backtest read the distribution.
    """
    return tuple(sorted({*CDF_LEVELS, *provisioning_quantiles(costs)}))


def default_models(quantiles: tuple[float, ...], horizon: int) -> dict[str, QuantileForecaster]:
    """The model and every baseline, all trained for the same horizon (in steps)."""
    return {
        "QuantileGBM": QuantileGBM(quantiles=quantiles, train_horizon=horizon),
        "SeasonalNaive": SeasonalNaive(quantiles=quantiles, residual_horizon=horizon),
        "EWMA": EWMA(quantiles=quantiles, residual_horizon=horizon),
        "HybridHistogram": HybridHistogram(quantiles=quantiles),
    }


class HeldOut(NamedTuple):
    """The held-out days: training ends at `split`; `actual` is (series, origins, horizon)."""

    split: int
    origins: np.ndarray
    actual: np.ndarray


def held_out(matrix: SeriesMatrix, horizon: int, holdout_days: float) -> HeldOut:
    """An origin every `horizon` steps in the last `holdout_days`, and the actuals it
    forecasts (NaN past the end)."""
    split = matrix.n_steps - check_backtest(matrix, horizon, holdout_days)
    origins = np.arange(split - 1, matrix.n_steps - 1, horizon)
    targets = target_index(origins, horizon)
    inside = targets < matrix.n_steps
    actual = np.where(inside, matrix.values[:, np.where(inside, targets, 0)], np.nan)
    return HeldOut(split, origins, actual)


def held_out_zero_share(matrix: SeriesMatrix, horizon: int, holdout_days: float) -> float | None:
    """Share of the known held-out points with zero demand; None if none is known."""
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
        result = score(
            actual, predicted, model.quantiles_, costs, requests_per_replica, matrix.step_s
        )
        results[name] = result.model_copy(update={"fitted": model.fitted_choices()})
    return results
