"""Features for the global quantile model, computed once per history matrix.

Everything is relative to a forecast origin t and a lead h (target t + h):
levels are divided by the series' trailing-week mean so one model serves series
whose rates differ by orders of magnitude; calendar terms describe the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecaster.base import DAY_S, WEEK_S
from forecaster.frame import SeriesMatrix

HOUR_S = 3_600
TOD_TERMS = 3
DOW_TERMS = 2
LAGS = 4
FEATURE_NAMES = (
    "lead",
    "log_scale",
    *(f"lag{k}" for k in range(LAGS)),
    *("mean_1h", "max_1h", "mean_1d", "max_1d", "cv_1h", "active_1d"),
    *("yesterday", "last_week"),
    *(f"tod_{f}{k}" for k in range(1, TOD_TERMS + 1) for f in ("sin", "cos")),
    *(f"dow_{f}{k}" for k in range(1, DOW_TERMS + 1) for f in ("sin", "cos")),
)


def _rolling(frame: pd.DataFrame, steps: int) -> pd.core.window.Rolling:
    return frame.rolling(max(steps, 1), min_periods=1)


def fourier(seconds: np.ndarray, period_s: int, terms: int) -> list[np.ndarray]:
    phase = 2 * np.pi * (seconds % period_s) / period_s
    return [f(k * phase) for k in range(1, terms + 1) for f in (np.sin, np.cos)]


@dataclass(frozen=True)
class OriginFeatures:
    """Per-(series, origin) arrays of a matrix, ready to be gathered into rows."""

    matrix: SeriesMatrix
    scale: np.ndarray
    per_origin: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, matrix: SeriesMatrix) -> OriginFeatures:
        step = matrix.step_s
        frame = pd.DataFrame(matrix.values.T)
        week_mean = _rolling(frame, WEEK_S // step).mean().to_numpy().T
        scale = np.where(np.nan_to_num(week_mean) > 0, week_mean, 1.0)
        hour, day = _rolling(frame, HOUR_S // step), _rolling(frame, DAY_S // step)
        mean_1h = hour.mean().to_numpy().T
        cv_1h = np.where(
            mean_1h > 0, hour.std().to_numpy().T / np.where(mean_1h > 0, mean_1h, 1), 0
        )
        active = _rolling((frame > 0).astype(float), DAY_S // step).mean().to_numpy().T
        levels = [hour.max(), day.mean(), day.max()]
        per_origin = (
            np.log1p(scale),
            *(_shift(matrix.values, k) / scale for k in range(LAGS)),
            mean_1h / scale,
            levels[0].to_numpy().T / scale,
            levels[1].to_numpy().T / scale,
            levels[2].to_numpy().T / scale,
            cv_1h,
            active,
        )
        return cls(matrix, scale, per_origin)

    def rows(self, series: np.ndarray, origin: np.ndarray, lead: np.ndarray) -> np.ndarray:
        """Feature rows (len(series), len(FEATURE_NAMES)) for flat index vectors."""
        values, step = self.matrix.values, self.matrix.step_s
        target = origin + lead
        scale = self.scale[series, origin]
        columns = [lead.astype(float)]
        columns += [array[series, origin] for array in self.per_origin]
        for back in (DAY_S // step, WEEK_S // step):
            source = target - back * np.ceil(lead / back).astype(int)
            seen = source >= 0
            columns.append(
                np.where(seen, values[series, np.where(seen, source, 0)], np.nan) / scale
            )
        seconds = self.matrix.times(target)
        columns += fourier(seconds, DAY_S, TOD_TERMS) + fourier(seconds, WEEK_S, DOW_TERMS)
        return np.column_stack(columns).astype(np.float32)


def _shift(values: np.ndarray, k: int) -> np.ndarray:
    """values[:, t - k] at position t (NaN before the start)."""
    if k == 0:
        return values
    out = np.full_like(values, np.nan)
    out[:, k:] = values[:, :-k]
    return out
