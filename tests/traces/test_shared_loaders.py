"""Named loaders read the shared public traces into the canonical frame."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared_data import needs_shared_traces as needs_shared
from warmstart.traces import ENV_DIR, LOADERS, TraceError, load_trace, traces_dir
from warmstart.traces.shared import DEFAULT_DIR


@needs_shared
@pytest.mark.parametrize(
    ("name", "series", "requests"),
    [
        ("servegen", 5, None),
        ("gentd26", 87, 26_823),  # 86 models + the 25 rows naming none
        ("gentd26-5min", 86, None),
        ("azure-code", 1, 8_819),
        ("azure-conv", 1, 19_366),
        ("mooncake", 1, 12_031),
        ("nab-twitter", 10, None),
    ],
)
def test_loader_returns_the_canonical_frame(name: str, series: int, requests: int | None) -> None:
    frame = load_trace(name)
    assert list(frame.columns) == ["model", "ts", "count"]
    assert frame["ts"].is_monotonic_increasing
    assert frame["model"].nunique() == series
    if requests is not None:
        assert frame["count"].sum() == requests


@needs_shared
def test_servegen_counts_are_rate_times_window() -> None:
    # README: m-large's first window has total_rate 212.78 req/s over 600 s.
    frame = load_trace("servegen")
    first = frame[(frame["model"] == "m-large") & (frame["ts"] == 0)]
    assert first["count"].tolist() == [round(212.78 * 600)]
    assert frame.attrs["resolution_s"] == 600.0


@needs_shared
def test_servegen_clients_has_one_series_per_active_client() -> None:
    frame = load_trace("servegen-clients")
    assert frame["model"].str.startswith("m-large/client-").sum() > 0
    assert frame["model"].nunique() > 300


def test_directory_comes_from_argument_then_env(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "env"))
    assert traces_dir() == tmp_path / "env"
    assert traces_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv(ENV_DIR)
    assert traces_dir() == DEFAULT_DIR


def test_missing_shared_file_names_the_file_and_the_override(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match=r"mooncake_fast25_conversation_arrivals.csv not found"):
        load_trace("mooncake", traces_dir=tmp_path)


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(TraceError, match="servegen-clients"):
        load_trace("no-such-trace")


def test_every_loader_is_reachable_by_name() -> None:
    assert {"servegen", "servegen-clients", "gentd26", "azure-code", "azure-conv",
            "mooncake"} <= set(LOADERS)
