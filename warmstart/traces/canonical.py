"""The one trace shape every part reads: `model, ts, count`, sorted by time.

Files are CSV `model,timestamp[,count]`; a timestamp is ISO-8601 (naive means
UTC) or epoch seconds, and a missing count means one request. Bad rows fail
with the file line and column named, so a user can fix the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ("model", "ts", "count")
# How long one row's count is spread over, in seconds (0: a point in time).
# Windowed sources (e.g. 10-min rates) set it so binning can spread the count.
RESOLUTION_ATTR = "resolution_s"


class TraceError(ValueError):
    """A trace cannot be read; the message names the file, line and column."""


def canonical(
    model: object, ts: object, count: object, resolution_s: float = 0.0, **attrs: object
) -> pd.DataFrame:
    """Build the canonical frame: summed per (model, ts), sorted by ts then model."""
    times = np.asarray(ts, dtype="float64")
    # A scalar model or count (one series, one request per row) is broadcast.
    frame = pd.DataFrame(
        {
            "model": np.broadcast_to(np.asarray(model, dtype=object), times.shape).astype(str),
            "ts": times,
            "count": np.broadcast_to(np.asarray(count, dtype="float64"), times.shape),
        }
    )
    frame = frame[frame["count"] > 0]
    frame = frame.groupby(["model", "ts"], as_index=False, sort=False)["count"].sum()
    frame = frame.sort_values(["ts", "model"], kind="stable").reset_index(drop=True)
    frame.attrs.update(attrs)
    frame.attrs[RESOLUTION_ATTR] = float(resolution_s)
    return frame


def _bad_row(path: str, mask: np.ndarray, column: str, raw: pd.Series, why: str) -> TraceError:
    row = int(np.flatnonzero(mask)[0])
    # +2: one for the header line, one because file lines count from 1.
    return TraceError(f"{path}: line {row + 2}, column {column!r}: {why} (got {raw.iloc[row]!r})")


def parse_timestamps(raw: pd.Series, path: str, column: str = "timestamp") -> np.ndarray:
    """Epoch seconds from epoch-second numbers or ISO-8601 text (naive = UTC)."""
    text = raw.astype(str).str.strip()
    numeric: np.ndarray = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64")
    out = numeric.copy()
    iso = np.isnan(numeric)
    if iso.any():
        parsed = pd.to_datetime(text[iso], errors="coerce", utc=True, format="ISO8601")
        seconds = parsed.astype("datetime64[ns, UTC]").to_numpy(dtype="datetime64[ns]")
        values = seconds.astype("int64").astype("float64") / 1e9
        values[pd.isna(parsed).to_numpy()] = np.nan
        out[iso] = values
    bad = ~np.isfinite(out)
    if bad.any():
        raise _bad_row(path, bad, column, raw, "not ISO-8601 or epoch seconds")
    return out


def _counts(frame: pd.DataFrame, path: str) -> np.ndarray:
    if "count" not in frame.columns:
        return np.ones(len(frame))
    raw = frame["count"]
    text = raw.astype(str).str.strip()
    empty = (text == "") | raw.isna().to_numpy()
    counts: np.ndarray = pd.to_numeric(text.mask(empty, "1"), errors="coerce").to_numpy(
        dtype="float64"
    )
    bad = ~np.isfinite(counts) | (counts < 0)
    if bad.any():
        raise _bad_row(path, bad, "count", raw, "must be a number >= 0")
    return counts


def read_canonical(path: str | Path) -> pd.DataFrame:
    """Read a `model,timestamp[,count]` CSV (optionally .gz) into the canonical frame."""
    name = str(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise TraceError(f"{name}: no such trace file") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TraceError(f"{name}: not a CSV file: {exc}") from exc
    missing = [c for c in ("model", "timestamp") if c not in frame.columns]
    extra = [c for c in frame.columns if c not in ("model", "timestamp", "count")]
    if missing or extra:
        raise TraceError(
            f"{name}: header must be model,timestamp[,count]; "
            f"missing {missing}, unexpected {extra}"
        )
    models = frame["model"].astype(str).str.strip()
    empty = (models == "").to_numpy()
    if empty.any():
        raise _bad_row(name, empty, "model", frame["model"], "must not be empty")
    ts = parse_timestamps(frame["timestamp"], name)
    return canonical(models, ts, _counts(frame, name), source=name)


def write_canonical(frame: pd.DataFrame, path: str | Path) -> None:
    """Write `model,timestamp,count` with epoch seconds; reading it back is lossless."""
    out = pd.DataFrame(
        {"model": frame["model"], "timestamp": frame["ts"], "count": frame["count"]}
    )
    out.to_csv(path, index=False)
