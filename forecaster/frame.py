"""The long table (`series, ds, y`) in, a dense series-by-time matrix out.

Every model works on one regular grid so features, baselines and backtests are
plain array indexing; gaps stay NaN (unknown), never silently zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LONG_COLUMNS = ("series", "ds", "y")


class FrameError(ValueError):
    """The history table is unusable; the message names the column at fault."""


@dataclass(frozen=True)
class SeriesMatrix:
    """Dense history: `values[i, t]` is series `names[i]` at `start + t * step_s`."""

    names: tuple[str, ...]
    start: int
    step_s: int
    values: np.ndarray

    @property
    def n_steps(self) -> int:
        return int(self.values.shape[1])

    def times(self, index: np.ndarray) -> np.ndarray:
        """Epoch seconds of grid positions."""
        return self.start + np.asarray(index, dtype=np.int64) * self.step_s

    @property
    def end(self) -> int:
        """Epoch seconds of the last grid point."""
        return self.start + (self.n_steps - 1) * self.step_s

    def until(self, n_steps: int) -> SeriesMatrix:
        """The first `n_steps` points, e.g. the training part of a backtest."""
        return SeriesMatrix(self.names, self.start, self.step_s, self.values[:, :n_steps])


def to_epoch_seconds(ds: pd.Series) -> np.ndarray:
    """`ds` as integer epoch seconds, whether given as datetimes or numbers."""
    if pd.api.types.is_datetime64_any_dtype(ds):
        stamps = pd.to_datetime(ds, utc=True)
        return np.asarray((stamps - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1))
    if pd.api.types.is_numeric_dtype(ds):
        return np.asarray(ds, dtype=np.float64).round().astype(np.int64)
    raise FrameError(f"column 'ds' must hold datetimes or epoch seconds, got {ds.dtype}")


def infer_step(seconds: np.ndarray) -> int:
    """The grid step: the smallest gap between distinct timestamps."""
    distinct = np.unique(seconds)
    if distinct.size < 2:
        raise FrameError("column 'ds' needs at least two distinct timestamps to infer the step")
    return int(np.diff(distinct).min())


def to_matrix(frame: pd.DataFrame, step_s: int | None = None) -> SeriesMatrix:
    """Validate a long table and spread it onto a regular grid (absent = NaN)."""
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise FrameError(f"history table lacks column(s) {missing}; expected {list(LONG_COLUMNS)}")
    if frame.empty:
        raise FrameError("history table is empty")
    seconds = to_epoch_seconds(frame["ds"])
    y = pd.to_numeric(frame["y"], errors="coerce").to_numpy(dtype=np.float64)
    garbage = np.isnan(y) & frame["y"].notna().to_numpy()
    if garbage.any():
        raise FrameError(f"column 'y' holds a non-number: {frame['y'][garbage].iloc[0]!r}")
    if (y[~np.isnan(y)] < 0).any():
        raise FrameError("column 'y' holds a negative demand")
    step = step_s or infer_step(seconds)
    start = int(seconds.min())
    offsets = seconds - start
    if (offsets % step).any():
        raise FrameError(f"column 'ds' has timestamps off the {step}-s grid")
    names, codes = np.unique(frame["series"].astype(str).to_numpy(), return_inverse=True)
    values = np.full((names.size, int(offsets.max() // step) + 1), np.nan)
    values[codes, offsets // step] = y
    return SeriesMatrix(tuple(str(n) for n in names), start, step, values)


def to_long(matrix: SeriesMatrix) -> pd.DataFrame:
    """The inverse of `to_matrix`, dropping unknown (NaN) points."""
    n, t = matrix.values.shape
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.array(matrix.names, dtype=object), t),
            "ds": np.tile(matrix.times(np.arange(t)), n),
            "y": matrix.values.ravel(),
        }
    )
    return frame.dropna(subset=["y"]).reset_index(drop=True)
