"""The acceptance trace: 8 days of 1-minute request counts per model, from GenTD26.

GenTD26's request log (`../shared/traces`) is the only public multi-day
per-request trace there; the Azure LLM traces span an hour. Days 5-12 skip its
ramp-up. `python -m tests.forecaster.minute_trace OUT.csv` writes the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from warmstart.traces import load_trace, rate_series
from warmstart.traces.canonical import canonical, write_canonical

START = "2024-11-20"  # UTC midnight, four days after the log begins
DAYS = 8
STEP_S = 60


def write_minute_trace(path: Path) -> Path:
    """A canonical CSV `model,timestamp,count` of whole minutes; returns `path`."""
    start = pd.Timestamp(START, tz="UTC").timestamp()
    frame = load_trace("gentd26")
    inside = frame[(frame["ts"] >= start) & (frame["ts"] < start + DAYS * 86_400)]
    rates = rate_series(inside, STEP_S)
    busy = rates[rates["y"] > 0]
    seconds = (busy["ds"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    write_canonical(canonical(busy["series"], seconds, (busy["y"] * STEP_S).round()), path)
    return path


if __name__ == "__main__":
    print(write_minute_trace(Path(sys.argv[1])))
