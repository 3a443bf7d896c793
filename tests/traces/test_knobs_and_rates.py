"""Knobs reshape a trace reproducibly; rate_series bins it for the forecaster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from warmstart.traces import TraceError, canonical, load_trace, rate_series


def _frame() -> pd.DataFrame:
    return canonical(["a", "b", "c", "d", "a"], [0.0, 10.0, 20.0, 30.0, 100.0],
                     [4.0, 2.0, 1.0, 3.0, 10.0])


def test_packaged_sample_loads_without_the_shared_folder() -> None:
    frame = load_trace("sample", traces_dir="/nonexistent")
    assert frame["model"].nunique() == 16
    assert frame.attrs["license"].startswith("Apache-2.0")


def test_map_models_folds_series_and_keeps_every_request() -> None:
    frame = load_trace("sample", models=4, seed=1)
    assert sorted(frame["model"].unique()) == ["model-0", "model-1", "model-2", "model-3"]
    assert frame["count"].sum() == load_trace("sample")["count"].sum()


def test_same_seed_same_trace_other_seed_other_mapping() -> None:
    a = load_trace("sample", models=3, subsample=0.5, seed=7)
    b = load_trace("sample", models=3, subsample=0.5, seed=7)
    c = load_trace("sample", models=3, subsample=0.5, seed=8)
    assert a.equals(b)
    assert not a.equals(c)


def test_mapping_onto_more_models_than_series_is_refused() -> None:
    with pytest.raises(TraceError, match="cannot map 16 series onto 17 models"):
        load_trace("sample", models=17)


def test_time_compress_shrinks_spacing_and_resolution() -> None:
    frame = load_trace("sample", time_compress=10)
    assert frame.attrs["resolution_s"] == 60.0
    assert frame["ts"].max() - frame["ts"].min() == pytest.approx((2 * 86400 - 600) / 10)


def test_subsample_keeps_about_the_fraction() -> None:
    full = load_trace("sample")["count"].sum()
    half = load_trace("sample", subsample=0.5, seed=3)["count"].sum()
    assert half == pytest.approx(full / 2, rel=0.01)


def test_window_cuts_from_the_first_timestamp() -> None:
    frame = load_trace("sample", start_s=86400, duration_s=3600)
    assert frame["ts"].min() >= 86400
    assert frame["ts"].max() < 86400 + 3600


def test_rate_series_zero_fills_and_divides_by_step() -> None:
    rates = rate_series(_frame(), step_s=50)
    # Bins [0,50) and [50,100) and [100,150): a has 4, 0, 10 requests.
    a = rates[rates["series"] == "a"]
    assert a["y"].tolist() == [4 / 50, 0.0, 10 / 50]
    assert len(rates) == 4 * 3
    assert str(rates["ds"].dt.tz) == "UTC"
    assert rates["ds"].iloc[1] == pd.Timestamp("1970-01-01 00:00:50", tz="UTC")


def test_rate_series_spreads_windowed_counts_over_finer_bins() -> None:
    frame = canonical(["m"], [0.0], [600.0], resolution_s=600.0)
    rates = rate_series(frame, step_s=300)
    # 600 requests over one 600-s window: 1 req/s in both 300-s bins.
    assert rates["y"].tolist() == [1.0, 1.0]


def test_rate_series_conserves_requests_on_unaligned_windows() -> None:
    frame = canonical(["m", "m"], [100.0, 1000.0], [60.0, 30.0], resolution_s=600.0)
    rates = rate_series(frame, step_s=250)
    assert float(np.sum(rates["y"]) * 250) == pytest.approx(90.0)
