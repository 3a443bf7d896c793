"""Scores of a quantile forecast against what happened.

Inputs are aligned arrays: `actual` (..., ) and `predicted` (..., Q); points
whose actual is unknown (NaN) are left out of every score.

Coverage is also reported over the points with non-zero actual demand only:
any non-negative forecast covers a zero, so on intermittent series the total
coverage is `zero_share + (1 - zero_share) * coverage_nonzero` and says little
about the active points; the randomised-PIT coverage (`forecaster.pit`) is the
calibration measure that holds with zeros. A coverage or zero share over no
points is None, never NaN.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from forecaster.capacity import replicas_for
from forecaster.newsvendor import NewsvendorCosts
from forecaster.pit import pit_coverage, pit_error


class Score(BaseModel):
    """One model's backtest result, in the shape `--json` prints."""

    model_config = ConfigDict(frozen=True)

    newsvendor_cost: float
    pinball: dict[str, float]
    coverage: dict[str, float | None]
    coverage_nonzero: dict[str, float | None]
    pit_coverage: dict[str, float | None]
    pit_error: float | None
    under_replica_minutes: float
    over_replica_minutes: float
    fitted: dict[str, str] = {}


def pinball(actual: np.ndarray, predicted: np.ndarray, quantile: float) -> float:
    """Mean quantile (pinball) loss: under-forecasts weigh q, over-forecasts 1 - q."""
    diff = actual - predicted
    return float(np.mean(np.maximum(quantile * diff, (quantile - 1) * diff)))


def share(flags: np.ndarray) -> float | None:
    """Share of True among `flags`; None when there are none to count."""
    return float(np.mean(flags)) if flags.size else None


def coverage(
    actual: np.ndarray,
    predicted: np.ndarray,
    quantiles: tuple[float, ...],
    where: np.ndarray | None = None,
) -> dict[str, float | None]:
    """Per quantile, the share of points (those in `where`, or all) at or below the forecast."""
    y, f = (actual, predicted) if where is None else (actual[where], predicted[where])
    return {f"{q:g}": share(y <= f[:, k]) for k, q in enumerate(quantiles)}


def zero_share(actual: np.ndarray) -> float | None:
    """Share of known (non-NaN) points whose actual is zero."""
    return share(actual[~np.isnan(actual)] == 0)


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
) -> Score:
    """Every metric of one model over the known points (each held-out point once)."""
    known = ~np.isnan(actual)
    y, f = actual[known], predicted[known]
    critical = quantiles.index(min(quantiles, key=lambda q: abs(q - costs.critical_quantile())))
    under, over = replica_gaps(y, f[:, critical], requests_per_replica, step_s)
    pit = pit_coverage(y, f, quantiles, step_s)
    return Score(
        newsvendor_cost=costs.cost(under, over),
        pinball={f"{q:g}": pinball(y, f[:, k], q) for k, q in enumerate(quantiles)},
        coverage=coverage(y, f, quantiles),
        coverage_nonzero=coverage(y, f, quantiles, where=y > 0),
        pit_coverage=pit,
        pit_error=pit_error(pit),
        under_replica_minutes=under,
        over_replica_minutes=over,
    )
