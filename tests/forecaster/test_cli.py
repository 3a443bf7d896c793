"""`warmstart forecast ...` end to end on a canonical trace file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.forecaster.synthetic import table
from warmstart.cli.main import main

MODELS = {"QuantileGBM", "SeasonalNaive-daily", "SeasonalNaive-weekly", "EWMA", "HybridHistogram"}


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """9 days of three series as a canonical CSV: model, timestamp (epoch s), count."""
    frame = table(days=9)
    path = tmp_path_factory.mktemp("trace") / "synthetic.csv"
    counts = (frame["y"] * 600).round().astype(int)
    pd.DataFrame({"model": frame["series"], "timestamp": frame["ds"], "count": counts}).query(
        "count > 0"
    ).to_csv(path, index=False)
    return path


def test_backtest_json_lists_every_model_with_every_metric(
    trace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "forecast",
            "backtest",
            "--trace",
            str(trace),
            "--step",
            "10m",
            "--holdout-days",
            "1",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["models"]) == MODELS
    for scores in report["models"].values():
        assert set(scores) == {
            "newsvendor_cost",
            "pinball",
            "coverage",
            "under_replica_minutes",
            "over_replica_minutes",
        }
        assert set(scores["pinball"]) == set(scores["coverage"]) == {"0.5", "0.8571", "0.9"}
    assert report["series"] == 3


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
