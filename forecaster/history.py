"""Where history comes from, chosen by the command line: a trace or Prometheus.

Parses the small textual forms users type (`10m`, `name=promql@label`) with
errors that name the option at fault.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from forecaster.presets import preset_series
from forecaster.prometheus import PrometheusSource, PromSeries
from forecaster.trace_source import trace_history

UNITS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}
DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


def parse_duration(text: str, option: str) -> int:
    """Seconds in '600', '600s', '10m', '2h' or '1d'."""
    match = DURATION.match(text)
    if not match:
        raise ValueError(f"{option}: {text!r} is not a duration like 10m, 1h or 600s")
    seconds = int(match[1]) * UNITS[match[2] or "s"]
    if seconds <= 0:
        raise ValueError(f"{option}: duration must be positive, got {text!r}")
    return seconds


def parse_query(text: str) -> PromSeries:
    """'NAME=PROMQL' or 'NAME=PROMQL@LABEL' (each result named NAME/<label value>)."""
    name, sep, rest = text.partition("=")
    if not sep or not name.strip() or not rest.strip():
        raise ValueError(f"--query: {text!r} is not NAME=PROMQL[@LABEL]")
    query, _, label = rest.rpartition("@") if "@" in rest else (rest, "", "")
    return PromSeries(name.strip(), query.strip(), label.strip() or None)


def parse_time(text: str, option: str) -> float:
    """Epoch seconds from epoch digits or ISO-8601 (UTC when no zone is given)."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        stamp = pd.Timestamp(datetime.fromisoformat(text))
    except ValueError as exc:
        raise ValueError(f"{option}: {text!r} is neither epoch seconds nor ISO-8601") from exc
    return float((stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).timestamp())


def load_history(
    *,
    trace: str | None,
    prometheus: str | None,
    queries: list[str],
    start: str | None,
    end: str | None,
    step_s: int | None,
    mask_gaps: bool,
    traces_dir: str | Path | None = None,
    preset: str | None = None,
) -> pd.DataFrame:
    """The long table from whichever source the options name (exactly one)."""
    if (trace is None) == (prometheus is None):
        raise ValueError("give exactly one history source: --trace or --prometheus")
    if trace is not None:
        return trace_history(trace, step_s, mask_gaps=mask_gaps, traces_dir=traces_dir)
    if not (queries or preset) or start is None or end is None or step_s is None:
        raise ValueError(
            "--prometheus needs --preset or --query (one or more), --start, --end and --step"
        )
    series = [parse_query(q) for q in queries]
    if preset is not None:
        series.insert(0, preset_series(preset, step_s))
    source = PrometheusSource(str(prometheus), series, step_s)
    return source.history(parse_time(start, "--start"), parse_time(end, "--end"))
