"""Turn a canonical trace into request rates per time bin: the forecaster's
input, a long table `series, ds, y` (statsforecast's convention, with `series`
for `unique_id`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from warmstart.traces.canonical import RESOLUTION_ATTR, TraceError


def bin_counts(
    ts: np.ndarray, count: np.ndarray, step_s: float, origin: float, resolution_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, bin index, requests) pieces: each row's count spread evenly over
    [ts, ts + resolution_s) and cut at the bin edges `origin + k * step_s`."""
    start = (ts - origin) / step_s
    first = np.floor(start).astype("int64")
    if resolution_s <= 0:
        return np.arange(len(ts)), first, count
    end = start + resolution_s / step_s
    pieces = np.maximum(np.ceil(end).astype("int64") - first, 1)
    row = np.repeat(np.arange(len(ts)), pieces)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    bins = first[row] + offset
    overlap = np.minimum(end[row], bins + 1) - np.maximum(start[row], bins)
    return row, bins, count[row] * overlap / (end[row] - start[row])


def rate_series(frame: pd.DataFrame, step_s: float) -> pd.DataFrame:
    """Requests per second per series in bins of `step_s`, every bin present.

    Bins are aligned to multiples of `step_s` since the epoch and span the whole
    trace for every series (zero-filled); `ds` is the bin start, a UTC Timestamp.
    Sorted by series, then ds.
    """
    if not step_s > 0:
        raise TraceError(f"step_s: must be > 0, got {step_s}")
    if frame.empty:
        return pd.DataFrame({"series": pd.Series(dtype=str),
                             "ds": pd.Series(dtype="datetime64[ns, UTC]"),
                             "y": pd.Series(dtype="float64")})
    ts = frame["ts"].to_numpy(dtype="float64")
    origin = float(np.floor(ts.min() / step_s) * step_s)
    codes, names = pd.factorize(frame["model"], sort=True)
    row, bins, counts = bin_counts(ts, frame["count"].to_numpy(dtype="float64"), step_s,
                                   origin, float(frame.attrs.get(RESOLUTION_ATTR, 0.0)))
    n_bins = int(bins.max()) + 1
    grid = np.zeros((len(names), n_bins))
    np.add.at(grid, (codes[row], bins), counts)
    ds = pd.to_datetime(origin + step_s * np.arange(n_bins), unit="s", utc=True)
    return pd.DataFrame({
        "series": np.repeat(np.asarray(names, dtype=object), n_bins).astype(str),
        "ds": np.tile(ds, len(names)),
        "y": (grid / step_s).ravel(),
    })
