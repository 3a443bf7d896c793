"""Scores of a quantile forecast against what happened.

Inputs are aligned arrays: `actual` (..., ) and `predicted` (..., Q); points
whose actual is unknown (NaN) are left out of every score.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from forecaster.capacity import replicas_for
from forecaster.newsvendor import NewsvendorCosts


class Score(BaseModel):
    """One model's backtest result, in the shape `--json` prints."""

    model_config = ConfigDict(frozen=True)

    newsvendor_cost: float
    pinball: dict[str, float]
    coverage: dict[str, float]
    under_replica_minutes: float
    over_replica_minutes: float


def pinball(actual: np.ndarray, predicted: np.ndarray, quantile: float) -> float:
    """Mean quantile (pinball) loss: under-forecasts weigh q, over-forecasts 1 - q."""
    diff = actual - predicted
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))


def replica_gaps(
    actual: np.ndarray, provisioned_rate: np.ndarray, requests_per_replica: float, step_s: int
) -> tuple[float, float]:
    """(under, over) replica-minutes: replicas missing and idle, summed over points."""
    need = replicas_for(actual, requests_per_replica)
    have = replicas_for(provisioned_rate, requests_per_replica)
    minutes = step_s / 60
    under = float(np.clip(need - have, 0, None).sum() * minutes)
    over = float(np.clip(have - need, 0, None).sum() * minutes)
    return under, over


def score(
    actual: np.ndarray,
    predicted: np.ndarray,
    quantiles: tuple[float, ...],
    costs: NewsvendorCosts,
    requests_per_replica: float,
    step_s: int,
    leads: int,
) -> Score:
    """Every metric of one model; replica-minutes are averaged over the `leads`."""
    known = ~np.isnan(actual)
    y, f = actual[known], predicted[known]
    critical = quantiles.index(min(quantiles, key=lambda q: abs(q - costs.critical_quantile())))
    under, over = replica_gaps(y, f[:, critical], requests_per_replica, step_s)
    under, over = under / leads, over / leads
    return Score(
        newsvendor_cost=costs.cost(under, over),
        pinball={f"{q:g}": pinball(y, f[:, k], q) for k, q in enumerate(quantiles)},
        coverage={f"{q:g}": float(np.mean(y <= f[:, k])) for k, q in enumerate(quantiles)},
        under_replica_minutes=under,
        over_replica_minutes=over,
    )
