"""History from trace files in the simulator's canonical format.

Parsing belongs to `warmstart.traces`; this module only turns a trace into the
forecaster's long table at a step the trace can support and, when asked,
masks collection gaps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warmstart.traces import load_trace, rate_series

DEFAULT_STEP_S = 300
"""Step for per-request traces, which carry no window of their own."""
MIN_GRID_S = 60
"""A file whose timestamps all sit on a grid this coarse or coarser holds counts per bin."""


def count_grid(frame: pd.DataFrame) -> int:
    """The bin width of a file of counts per bin (every timestamp on one grid), else 0.

    A canonical CSV carries no window, so a file of 1-minute counts looks like
    requests arriving on whole minutes. Per-request traces have second (or
    finer) timestamps and no grid of a minute or more.
    """
    seconds = np.unique(frame["ts"].to_numpy(dtype=np.float64))
    if seconds.size < 2 or (seconds != np.round(seconds)).any():
        return 0
    grid = int(np.gcd.reduce(np.diff(seconds).astype(np.int64)))
    return grid if grid >= MIN_GRID_S and not (seconds[0] % grid) else 0


def check_step(step_s: int, native_s: int) -> None:
    """A step must be whole multiples of the trace's own window: finer would invent detail."""
    if step_s < native_s or step_s % native_s:
        raise ValueError(
            f"--step {step_s} s does not fit the trace's {native_s}-s bins; "
            f"use a multiple of {native_s} s"
        )


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
    # The trace's own window: declared by a windowed source, or the grid of a counts file.
    native = int(frame.attrs.get("resolution_s") or 0) or count_grid(frame)
    if step_s is not None and native:
        check_step(step_s, native)
    table = rate_series(frame, step_s or native or DEFAULT_STEP_S)
    return mask_group_gaps(table) if mask_gaps else table
