"""History from trace files in the simulator's canonical format.

Parsing belongs to `warmstart.traces`; this module only turns a trace into the
forecaster's long table and, when asked, masks collection gaps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warmstart.traces import load_trace, rate_series

DEFAULT_STEP_S = 300
"""Step for per-request traces, which carry no window of their own."""


def trace_step(frame: pd.DataFrame) -> int:
    """The trace's own window, or the default for per-request traces."""
    return int(frame.attrs.get("resolution_s") or 0) or DEFAULT_STEP_S


def mask_group_gaps(table: pd.DataFrame) -> pd.DataFrame:
    """Unknown, not zero: bins where every series of a group is 0 ('group/...' names).

    A whole model reporting nothing (ServeGen's collection gaps) is a gap in the
    record; masking it keeps false zeros out of both training and scoring.
    """
    group = table["series"].str.split("/", n=1).str[0]
    total = table.groupby([group, table["ds"]])["y"].transform("sum")
    return table.assign(y=np.where(total > 0, table["y"], np.nan))


def trace_history(
    trace: str | Path,
    step_s: int | None = None,
    *,
    mask_gaps: bool = False,
    traces_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Long table `series, ds, y` (requests/s) of a named trace or a canonical CSV."""
    frame = load_trace(str(trace), traces_dir=traces_dir)
    table = rate_series(frame, step_s or trace_step(frame))
    return mask_group_gaps(table) if mask_gaps else table
