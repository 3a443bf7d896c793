"""Request traces in one canonical shape, for the simulator and the forecaster.

`load_trace(name_or_path, ...)` gives a DataFrame `model, ts, count` sorted by
`ts` (epoch seconds); `rate_series(frame, step_s)` turns it into the long table
`series, ds, y` (requests per second per bin).
"""

from warmstart.traces.canonical import (
    COLUMNS,
    RESOLUTION_ATTR,
    TraceError,
    canonical,
    read_canonical,
    write_canonical,
)
from warmstart.traces.load import SAMPLE, load_sample, load_trace, trace_names
from warmstart.traces.rates import rate_series
from warmstart.traces.shared import ENV_DIR, LOADERS, traces_dir

__all__ = [
    "COLUMNS",
    "ENV_DIR",
    "LOADERS",
    "RESOLUTION_ATTR",
    "SAMPLE",
    "TraceError",
    "canonical",
    "load_sample",
    "load_trace",
    "rate_series",
    "read_canonical",
    "trace_names",
    "traces_dir",
    "write_canonical",
]
