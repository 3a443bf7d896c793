"""Refuse a backtest that cannot run, before anything is fitted.

Fitting the global model takes most of a backtest's time; a history too short
for the held-out days, a step that no season fits, or an empty table must fail
in the first second with one line that says what to change.
"""

from __future__ import annotations

import math

import numpy as np

from forecaster.base import DAY_S
from forecaster.frame import FrameError, SeriesMatrix

MIN_HISTORY_DAYS = 2
"""One day to train the daily season and its errors on, and some held-out time."""


def _days(steps: int, step_s: int) -> str:
    return f"{steps * step_s / DAY_S:.2f} days"


def check_backtest(matrix: SeriesMatrix, horizon: int, holdout_days: float) -> int:
    """The number of held-out steps, once the inputs are known to be usable."""
    step = matrix.step_s
    if not matrix.names or np.isnan(matrix.values).all():
        raise FrameError("history is empty: no series has a known point")
    if DAY_S % step:
        raise FrameError(
            f"step {step} s does not divide a day; the daily season needs one that does "
            "(e.g. 1m, 5m, 10m, 1h)"
        )
    if not (math.isfinite(holdout_days) and holdout_days > 0):
        raise ValueError(f"--holdout-days must be a positive number of days, got {holdout_days}")
    holdout = holdout_days * DAY_S / step
    if abs(holdout - round(holdout)) > 1e-9:
        raise ValueError(f"--holdout-days {holdout_days:g} is not a whole number of {step}-s steps")
    span = matrix.n_steps
    if span * step < MIN_HISTORY_DAYS * DAY_S:
        raise ValueError(
            f"history spans {_days(span, step)} ({span} steps of {step} s); "
            f"a backtest needs at least {MIN_HISTORY_DAYS} days"
        )
    need = DAY_S // step + horizon + 1  # a day of lags, then errors over the horizon
    if span - round(holdout) < need:
        most = math.floor((span - need) * step / DAY_S * 100) / 100
        if holdout >= span:
            raise ValueError(
                f"--holdout-days {holdout_days:g} is longer than the {_days(span, step)} of "
                f"history; hold out at most {most:g} days"
            )
        raise ValueError(
            f"--holdout-days {holdout_days:g} leaves {_days(span - round(holdout), step)} of "
            f"{_days(span, step)} to train on; training needs a day plus the horizon: "
            f"hold out at most {most:g} days"
        )
    return round(holdout)
