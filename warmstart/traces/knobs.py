"""Reshape a trace for an experiment: fold series onto models, compress time,
subsample, cut a window. Every random choice draws from one seeded generator,
so the same seed gives the same trace.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from warmstart.traces.canonical import RESOLUTION_ATTR, TraceError, canonical


def _rebuild(frame: pd.DataFrame, model: object, ts: object, count: object,
             resolution_s: float) -> pd.DataFrame:
    attrs = {k: v for k, v in frame.attrs.items() if k != RESOLUTION_ATTR}
    return canonical(model, ts, count, resolution_s, **attrs)


def map_models(frame: pd.DataFrame, models: int, rng: np.random.Generator) -> pd.DataFrame:
    """Fold N series onto `models` models (model-000 ...), series shuffled by `rng`.

    Each model receives N/models series (round-robin after a seeded shuffle), so
    busy and quiet series mix the way many tenants share one deployment.
    """
    if models < 1:
        raise TraceError(f"models: must be >= 1, got {models}")
    names = np.array(sorted(frame["model"].unique()))
    if models > len(names):
        raise TraceError(f"models: cannot map {len(names)} series onto {models} models")
    order = rng.permutation(len(names))
    width = len(str(models - 1))
    target = {names[s]: f"model-{i % models:0{width}d}" for i, s in enumerate(order)}
    resolution = float(frame.attrs.get(RESOLUTION_ATTR, 0.0))
    return _rebuild(frame, frame["model"].map(target), frame["ts"], frame["count"], resolution)


def compress_time(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Play the trace `factor` times faster from its first timestamp."""
    if not factor > 0:
        raise TraceError(f"time_compress: must be > 0, got {factor}")
    if frame.empty:
        return frame
    t0 = float(frame["ts"].iloc[0])
    resolution = float(frame.attrs.get(RESOLUTION_ATTR, 0.0)) / factor
    ts = t0 + (frame["ts"] - t0) / factor
    return _rebuild(frame, frame["model"], ts, frame["count"], resolution)


def subsample(frame: pd.DataFrame, fraction: float, rng: np.random.Generator) -> pd.DataFrame:
    """Keep each request with probability `fraction` (counts taken as whole requests)."""
    if not 0 < fraction <= 1:
        raise TraceError(f"subsample: must be in (0, 1], got {fraction}")
    counts = np.rint(frame["count"].to_numpy()).astype("int64")
    kept = rng.binomial(counts, fraction).astype("float64")
    resolution = float(frame.attrs.get(RESOLUTION_ATTR, 0.0))
    return _rebuild(frame, frame["model"], frame["ts"], kept, resolution)


def window(frame: pd.DataFrame, start_s: float, duration_s: float | None) -> pd.DataFrame:
    """Rows from `start_s` seconds after the first timestamp, for `duration_s` seconds."""
    if start_s < 0 or (duration_s is not None and duration_s <= 0):
        raise TraceError(f"window: start must be >= 0 and duration > 0, got "
                         f"{start_s}, {duration_s}")
    if frame.empty:
        return frame
    t0 = float(frame["ts"].iloc[0]) + start_s
    keep = frame["ts"] >= t0
    if duration_s is not None:
        keep &= frame["ts"] < t0 + duration_s
    out = frame[keep].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out
