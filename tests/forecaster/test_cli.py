"""`warmstart forecast ...` end to end on a canonical trace file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.forecaster.synthetic import table
from tests.forecaster.test_backtest import KEYS
from warmstart.cli.main import main

MODELS = {"QuantileGBM", "SeasonalNaive-daily", "SeasonalNaive-weekly", "EWMA", "HybridHistogram"}


def write_trace(path: Path, bases: tuple[float, ...]) -> Path:
    """9 days of one series per base as a canonical CSV: model, timestamp (epoch s), count."""
    frame = table(bases=bases, days=9)
    counts = (frame["y"] * 600).round().astype(int)
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
        qs = {"0.5", "0.8571", "0.9"}
        assert set(scores["pinball"]) == set(scores["coverage"]) == qs
        assert set(scores["coverage_nonzero"]) == qs
    assert report["series"] == 3
    assert report["zero_share"] == 0.0


def test_total_coverage_is_zeros_plus_the_covered_share_of_the_rest(
    sparse_trace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Any non-negative forecast covers a zero, so coverage = z + (1 - z) x coverage_nonzero.
    report = backtest_json(sparse_trace, capsys)
    z = report["zero_share"]
    assert 0.3 < z < 0.7
    for scores in report["models"].values():
        for q, total in scores["coverage"].items():
            assert total == pytest.approx(z + (1 - z) * scores["coverage_nonzero"][q])


def test_backtest_table_shows_both_coverages_and_the_zero_share(
    sparse_trace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["backtest", "--trace", str(sparse_trace), "--step", "10m", "--holdout-days", "1"]
    assert main(["forecast", *argv]) == 0
    text = capsys.readouterr().out
    assert "zero share 0." in text
    assert "cov/nz@0.9" in text
    assert re.search(r"EWMA .* [01]\.\d{3}/[01]\.\d{3}$", text, re.MULTILINE)


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
                "SeasonalNaive-daily",
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
        (["fit", "--out", "m", "--prometheus", "http://127.0.0.1:1"], "needs --query"),
        (["fit", "--out", "m"], "exactly one history source"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_code_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["forecast", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
