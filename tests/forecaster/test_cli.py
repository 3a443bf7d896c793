"""`warmstart forecast ...` end to end on a canonical trace file."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecaster.report import report_table
from tests.forecaster.minute_trace import write_minute_trace
from tests.forecaster.synthetic import table
from tests.forecaster.test_backtest import KEYS, LEVELS, MODELS
from tests.shared_data import needs_shared_traces
from warmstart.cli.main import main


def write_trace(path: Path, bases: tuple[float, ...], days: int = 9, step_s: int = 600) -> Path:
    """Days of one series per base as a canonical CSV: model, timestamp (epoch s), count."""
    frame = table(bases=bases, days=days, step_s=step_s)
    counts = (frame["y"] * step_s).round().astype(int)
    pd.DataFrame({"model": frame["series"], "timestamp": frame["ds"], "count": counts}).query(
        "count > 0"
    ).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_trace(tmp_path_factory.mktemp("trace") / "synthetic.csv", (2.0, 20.0, 200.0))


@pytest.fixture(scope="module")
def sparse_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two series of mostly 0 or 1 request per step, one busy: about 40% zero points."""
    return write_trace(tmp_path_factory.mktemp("trace") / "sparse.csv", (0.0005, 0.001, 2.0))


def backtest_json(trace: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    argv = ["backtest", "--trace", str(trace), "--step", "10m", "--holdout-days", "1", "--json"]
    assert main(["forecast", *argv]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_backtest_json_lists_every_model_with_every_metric(
    trace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = backtest_json(trace, capsys)
    assert set(report["models"]) == MODELS
    for scores in report["models"].values():
        assert set(scores) == KEYS
        qs = LEVELS | {"0.8571"}
        assert set(scores["pinball"]) == set(scores["coverage"]) == qs
        assert set(scores["coverage_nonzero"]) == set(scores["pit_coverage"]) == qs
    assert report["series"] == 3
    assert report["zero_share"] == 0.0
    assert report["coverage_band"]["required"] is True
    assert set(report["coverage_band"]["verdict"].values()) <= {"pass", "fail"}


@pytest.fixture(scope="module")
def sparse_report(sparse_trace: Path) -> dict[str, Any]:
    argv = ["backtest", "--trace", str(sparse_trace), "--step", "10m", "--holdout-days", "1"]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["forecast", *argv, "--json"]) == 0
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def test_total_coverage_is_zeros_plus_the_covered_share_of_the_rest(
    sparse_report: dict[str, Any],
) -> None:
    # Any non-negative forecast covers a zero, so coverage = z + (1 - z) x coverage_nonzero.
    z = sparse_report["zero_share"]
    assert 0.3 < z < 0.7
    for scores in sparse_report["models"].values():
        for q, total in scores["coverage"].items():
            assert total == pytest.approx(z + (1 - z) * scores["coverage_nonzero"][q])


def test_backtest_table_shows_every_coverage_and_the_zero_share(
    sparse_report: dict[str, Any],
) -> None:
    text = report_table(sparse_report)
    assert "zero share 0." in text
    assert "cov/nz/pit@0.9" in text
    assert re.search(r"EWMA .* [01]\.\d{3}/[01]\.\d{3}/[01]\.\d{3}$", text, re.MULTILINE)
    assert "SeasonalNaive: season: daily" in text
    assert "85%-95% band for the 0.9 quantile (held-out zero share 0." in text


def test_fit_then_predict_gives_capacity_per_series(
    trace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "m.wsf"
    assert (
        main(
            [
                "forecast",
                "fit",
                "--trace",
                str(trace),
                "--step",
                "10m",
                "--model",
                "SeasonalNaive",
                "--out",
                str(saved),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert (
        main(
            [
                "forecast",
                "predict",
                "--model-file",
                str(saved),
                "--json",
                "--requests-per-replica",
                "5",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    demand = {m["model"]: m for m in out["demand"]["models"]}
    assert set(demand) == {"s0", "s1", "s2"}
    for item in demand.values():
        assert item["replicas"] == int(np.ceil(item["requests_per_s"] / 5 - 1e-9))
    assert out["model"]["model"] == "SeasonalNaive"
    # The quantiles behind it: 3 series x 1 step (10m) x 3 quantiles.
    assert len(out["forecast"]) == 9


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["backtest", "--trace", "x.csv", "--horizon", "soon"],
            "--horizon: 'soon' is not a duration",
        ),
        (["backtest", "--trace", "/nonexistent/t.csv"], "/nonexistent/t.csv"),
        (["predict", "--model-file", "/nonexistent/m"], "cannot read"),
        (["fit", "--out", "m", "--prometheus", "http://127.0.0.1:1"], "needs --preset or --query"),
        (["fit", "--out", "m"], "exactly one history source"),
        (["backtest", "--trace", "sample", "--step", "1m"], "does not fit the trace's 600-s bins"),
        (["backtest", "--trace", "sample", "--step", "15m"], "use a multiple of 600 s"),
        (["backtest", "--trace", "sample", "--holdout-days", "30"], "is longer than the"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_code_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecast", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_eight_days_of_one_minute_counts_backtest_at_their_own_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The acceptance shape, hermetic: an 8-day file of 1-minute counts, 3 days held out.
    # A 2-minute horizon keeps the test quick; the shared-trace test runs the default.
    trace = write_trace(tmp_path / "minutes.csv", (0.05, 0.5, 5.0), days=8, step_s=60)
    argv = ["backtest", "--trace", str(trace), "--holdout-days", "3", "--horizon", "2m", "--json"]
    assert main(["forecast", *argv]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["step_s"], report["horizon_steps"], report["series"]) == (60, 2, 3)
    assert report["models"]["SeasonalNaive"]["fitted"]["season"] == "daily"
    costs = {name: s["newsvendor_cost"] for name, s in report["models"].items()}
    assert costs["QuantileGBM"] < costs["SeasonalNaive"]
    assert costs["QuantileGBM"] < costs["EWMA"]


@needs_shared_traces
@pytest.mark.slow
def test_acceptance_on_eight_days_of_real_one_minute_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The acceptance command, as written, on GenTD26 cut to 8 days of 1-minute counts.
    trace = write_minute_trace(tmp_path / "gentd26-8d-1min.csv")
    argv = ["backtest", "--trace", str(trace), "--holdout-days", "3", "--json"]
    assert main(["forecast", *argv]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["step_s"], report["horizon_steps"]) == (60, 10)
    assert report["models"]["SeasonalNaive"]["fitted"]["season"] == "daily"
    assert report["zero_share"] > 0.5 and report["coverage_band"]["required"] is False
    costs = {name: s["newsvendor_cost"] for name, s in report["models"].items()}
    assert costs["QuantileGBM"] < costs["SeasonalNaive"]
    assert costs["QuantileGBM"] < costs["EWMA"]
