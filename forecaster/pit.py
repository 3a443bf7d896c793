"""Randomised-PIT coverage: calibration that zeros and other atoms cannot fake.

Demand is a count per step, so its predictive distribution has atoms (most of
all at zero) and a quantile forecast covers a zero whatever its level. The
randomised probability integral transform (Czado, Gneiting & Held, 2009) draws
PIT uniformly between F(y-) and F(y); for a calibrated forecast P(PIT <= tau)
is tau exactly, atoms or not. We report its expectation per level, in closed
form: 1 where the tau-quantile lies above the outcome, 0 where below, and
(tau - F(y-)) / (F(y) - F(y-)) where the outcome sits on the quantile.

Only quantiles are forecast, so F(y-) and F(y) are read off the levels: the
outcome's atom spans the levels whose quantile equals it, F(y-) lies between
the last level below and the first level on it (0 for a zero outcome: demand
is never negative), F(y) between the last level on it and the next (or 1).
Midpoints of those brackets are used; more levels make the brackets narrower.
"""

from __future__ import annotations

import numpy as np


def _neighbours(levels: np.ndarray, index: np.ndarray) -> np.ndarray:
    """levels[index] with levels[-1] read as 0 and levels[K] as 1."""
    padded: np.ndarray = np.concatenate([[0.0], levels, [1.0]])
    picked: np.ndarray = padded[index + 1]
    return picked


def pit_coverage(
    actual: np.ndarray, predicted: np.ndarray, quantiles: tuple[float, ...], step_s: int
) -> dict[str, float | None]:
    """Per level, the mean of P(randomised PIT <= level) over known points.

    `actual` (N,) and `predicted` (N, K, sorted per row) are rates; both are
    compared as whole requests per step.
    """
    known = ~np.isnan(actual)
    if not known.any():
        return {f"{q:g}": None for q in quantiles}
    y = np.round(actual[known] * step_s)[:, None]
    f = np.round(predicted[known] * step_s)
    tau = np.asarray(quantiles, dtype=np.float64)
    below = (f < y).sum(axis=1)  # levels whose quantile lies under the outcome
    last_on = below + (f == y).sum(axis=1) - 1  # the last level whose quantile equals it
    lower = np.where(y[:, 0] > 0, (_neighbours(tau, below - 1) + _neighbours(tau, below)) / 2, 0)
    upper = (_neighbours(tau, last_on) + _neighbours(tau, last_on + 1)) / 2
    span = np.where(upper > lower, upper - lower, 1.0)
    inside = np.clip((tau[None, :] - lower[:, None]) / span[:, None], 0.0, 1.0)
    share = np.where(f > y, 1.0, np.where(f == y, inside, 0.0))
    return {f"{q:g}": float(v) for q, v in zip(quantiles, share.mean(axis=0), strict=True)}


def pit_error(coverage: dict[str, float | None]) -> float | None:
    """Mean absolute gap between PIT coverage and its level: 0 is perfectly calibrated."""
    gaps = [abs(v - float(q)) for q, v in coverage.items() if v is not None]
    return float(np.mean(gaps)) if gaps else None
