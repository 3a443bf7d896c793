"""Named loaders for the public traces in `../shared/traces/` (see its README).

Each loader reads one source file in its own columns and returns the canonical
frame, so the simulator and the forecaster never learn a source's quirks.
Traces whose clock starts at zero (ServeGen, Mooncake) start at epoch 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from warmstart.traces.canonical import TraceError, canonical, parse_timestamps

ENV_DIR = "WARMSTART_TRACES_DIR"
# The shared folder sits beside the repository: <repo>/../shared/traces.
_REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = _REPO_ROOT.parent / "shared" / "traces"

Loader = Callable[[Path], pd.DataFrame]


def traces_dir(override: str | Path | None = None) -> Path:
    """The argument, else $WARMSTART_TRACES_DIR, else ../shared/traces beside the repo."""
    if override is not None:
        return Path(override)
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else DEFAULT_DIR


def _file(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise TraceError(
            f"trace file {name} not found in {directory} "
            f"(pass --traces-dir or set {ENV_DIR})"
        )
    return path


def _read(directory: Path, name: str, columns: list[str]) -> pd.DataFrame:
    path = _file(directory, name)
    try:
        return pd.read_csv(path, usecols=columns)
    except ValueError as exc:
        raise TraceError(f"{path}: expected columns {columns}: {exc}") from exc


def servegen_clients(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """One series per ServeGen client; rate x 600 s is the window's request count."""
    series = frame["model"].astype(str) + "/client-" + frame["client_id"].astype(str)
    counts = (frame["rate"] * 600).round()
    return canonical(series, frame["timestamp_s"], counts, 600.0, source=source,
                     license="Apache-2.0 (alibaba/ServeGen)")


def _servegen(directory: Path) -> pd.DataFrame:
    name = "servegen_model_total_rate_10min.csv"
    frame = _read(directory, name, ["model", "timestamp_s", "total_rate"])
    return canonical(frame["model"], frame["timestamp_s"], (frame["total_rate"] * 600).round(),
                     600.0, source=name, license="Apache-2.0 (alibaba/ServeGen)")


def _servegen_clients(directory: Path) -> pd.DataFrame:
    name = "servegen_client_rates_10min.csv.gz"
    frame = _read(directory, name, ["model", "client_id", "timestamp_s", "rate"])
    return servegen_clients(frame[frame["rate"] > 0], name)


_GENTD26_LICENSE = "research or study use only (alibaba/clusterdata)"


def _gentd26(directory: Path) -> pd.DataFrame:
    name = "alibaba_gentd26_lora_request_trace.csv.gz"
    frame = _read(directory, name, ["gmt_create", "checkpoint_model_version_id"])
    ts = parse_timestamps(frame["gmt_create"], name, "gmt_create")
    # 25 requests name no base model; keep them as one series rather than drop them.
    models = frame["checkpoint_model_version_id"].fillna("unknown")
    return canonical(models, ts, 1.0, 0.0,
                     source=name, license=_GENTD26_LICENSE)


def _gentd26_5min(directory: Path) -> pd.DataFrame:
    name = "alibaba_gentd26_model_requests_5min_sparse.csv"
    frame = _read(directory, name, ["model", "bin_start", "requests"])
    ts = parse_timestamps(frame["bin_start"], name, "bin_start")
    return canonical(frame["model"], ts, frame["requests"], 300.0,
                     source=name, license=_GENTD26_LICENSE)


def _azure(kind: str) -> Loader:
    def load(directory: Path) -> pd.DataFrame:
        name = f"AzureLLMInferenceTrace_{kind}.csv"
        frame = _read(directory, name, ["TIMESTAMP"])
        ts = parse_timestamps(frame["TIMESTAMP"], name, "TIMESTAMP")
        return canonical(f"azure-{kind}", ts, 1.0, 0.0, source=name,
                         license="CC-BY-4.0 (Azure/AzurePublicDataset)")

    return load


def _mooncake(directory: Path) -> pd.DataFrame:
    name = "mooncake_fast25_conversation_arrivals.csv"
    frame = _read(directory, name, ["timestamp_ms"])
    return canonical("mooncake", frame["timestamp_ms"] / 1000.0, 1.0, 0.0, source=name,
                     license="Apache-2.0 (kvcache-ai/Mooncake)")


def _nab_twitter(directory: Path) -> pd.DataFrame:
    name = "nab_twitter_volume_5min.csv.gz"
    frame = _read(directory, name, ["series", "timestamp", "value"])
    ts = parse_timestamps(frame["timestamp"], name)
    return canonical(frame["series"], ts, frame["value"], 300.0, source=name,
                     license="MIT (numenta/NAB)")


LOADERS: dict[str, Loader] = {
    "servegen": _servegen,
    "servegen-clients": _servegen_clients,
    "gentd26": _gentd26,
    "gentd26-5min": _gentd26_5min,
    "azure-code": _azure("code"),
    "azure-conv": _azure("conv"),
    "mooncake": _mooncake,
    "nab-twitter": _nab_twitter,
}
