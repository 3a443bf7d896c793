"""`load_trace`: the one entry point from a trace name or file to a frame."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from warmstart.traces import knobs
from warmstart.traces.canonical import TraceError, read_canonical
from warmstart.traces.shared import LOADERS, servegen_clients, traces_dir

SAMPLE = "sample"
_SAMPLE_FILE = "servegen_sample.csv.gz"


def load_sample() -> pd.DataFrame:
    """The packaged ServeGen excerpt (Apache-2.0; see traces/data/ATTRIBUTION.md)."""
    with resources.as_file(resources.files("warmstart.traces") / "data" / _SAMPLE_FILE) as p:
        frame = pd.read_csv(p, usecols=["model", "client_id", "timestamp_s", "rate"])
    return servegen_clients(frame[frame["rate"] > 0], f"warmstart/traces/data/{_SAMPLE_FILE}")


def trace_names() -> tuple[str, ...]:
    return (SAMPLE, *LOADERS)


def _source(name_or_path: str | Path, directory: str | Path | None) -> pd.DataFrame:
    key = str(name_or_path)
    if key == SAMPLE:
        return load_sample()
    if key in LOADERS:
        return LOADERS[key](traces_dir(directory))
    path = Path(key)
    if path.suffix in (".csv", ".gz") or path.exists():
        return read_canonical(path)
    raise TraceError(f"trace: {key!r} is neither a file nor one of {', '.join(trace_names())}")


def load_trace(
    name_or_path: str | Path,
    *,
    traces_dir: str | Path | None = None,
    models: int | None = None,
    time_compress: float = 1.0,
    subsample: float = 1.0,
    start_s: float = 0.0,
    duration_s: float | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Load a named shared trace, the packaged `sample`, or a canonical CSV file.

    Knobs apply in this order: window (start_s, duration_s, in the source's
    time), fold onto `models` models, subsample, time-compress. `frame.attrs`
    carries `name`, `source`, `license` and `resolution_s`.
    """
    frame = _source(name_or_path, traces_dir)
    rng = np.random.default_rng(seed)
    if start_s or duration_s is not None:
        frame = knobs.window(frame, start_s, duration_s)
    if models is not None:
        frame = knobs.map_models(frame, models, rng)
    if subsample != 1.0:
        frame = knobs.subsample(frame, subsample, rng)
    if time_compress != 1.0:
        frame = knobs.compress_time(frame, time_compress)
    frame.attrs["name"] = str(name_or_path)
    return frame
