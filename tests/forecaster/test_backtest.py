"""Metrics show their arithmetic; the backtest scores every model on the same days."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster import NewsvendorCosts, backtest, default_models, evaluation_quantiles, to_matrix
from forecaster.metrics import pinball, replica_gaps, score, zero_share
from forecaster.report import backtest_report, coverage_band
from forecaster.trace_source import trace_history
from tests.forecaster.synthetic import table
from tests.shared_data import needs_shared_traces

KEYS = {
    "newsvendor_cost",
    "pinball",
    "coverage",
    "coverage_nonzero",
    "pit_coverage",
    "pit_error",
    "under_replica_minutes",
    "over_replica_minutes",
    "fitted",
}
MODELS = {"QuantileGBM", "SeasonalNaive", "EWMA", "HybridHistogram"}
LEVELS = {"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "0.95", "0.99"}


def test_pinball_weighs_under_by_q_and_over_by_one_minus_q() -> None:
    # q=0.9: 10 under by 2 costs 0.9 x 2 = 1.8; 10 over by 4 costs 0.1 x 4 = 0.4.
    assert pinball(np.array([10.0, 10.0]), np.array([8.0, 14.0]), 0.9) == pytest.approx(1.1)


def test_replica_gaps_count_whole_replicas_per_step() -> None:
    # Needed 3 and 0 replicas, provisioned 1 and 2, at 5-min steps:
    # 2 short x 5 min = 10 under, 2 idle x 5 min = 10 over.
    assert replica_gaps(np.array([2.5, 0.0]), np.array([0.5, 1.5]), 1.0, 300) == (10.0, 10.0)


def test_coverage_counts_all_points_and_the_non_zero_ones_apart() -> None:
    # Actuals 0, 0, 3, 5 and one unknown point (left out of everything): zero share 2/4.
    actual = np.array([0.0, 0.0, 3.0, 5.0, np.nan])
    # Median forecasts 1, 0, 2, 5: covers both zeros, misses 3, covers 5 -> 3/4 and 1/2.
    # 0.9 forecasts 2, 1, 4, 4: covers both zeros and 3, misses 5 -> 3/4 and 1/2 as well;
    # the last column, 0.95, covers everything -> 1 and 1.
    predicted = np.array(
        [[1.0, 2.0, 9.0], [0.0, 1.0, 9.0], [2.0, 4.0, 9.0], [5.0, 4.0, 9.0], [0.0, 0.0, 0.0]]
    )
    result = score(actual, predicted, (0.5, 0.9, 0.95), NewsvendorCosts(), 1.0, 600)
    assert result.coverage == {"0.5": 0.75, "0.9": 0.75, "0.95": 1.0}
    assert result.coverage_nonzero == {"0.5": 0.5, "0.9": 0.5, "0.95": 1.0}
    assert zero_share(actual) == 0.5


def test_shares_over_no_points_are_none_not_nan() -> None:
    # All zeros: nothing non-zero to cover; nothing known at all: no zero share either.
    result = score(np.zeros(3), np.ones((3, 1)), (0.9,), NewsvendorCosts(), 1.0, 600)
    assert result.coverage == {"0.9": 1.0}
    assert result.coverage_nonzero == {"0.9": None}
    assert zero_share(np.zeros(3)) == 1.0
    assert zero_share(np.full(3, np.nan)) is None
    report = backtest_report(
        {"EWMA": result}, "t", to_matrix(table(days=1)), 1, 1, NewsvendorCosts(), None
    )
    assert report["zero_share"] is None
    assert report["models"]["EWMA"]["coverage_nonzero"] == {"0.9": None}
    assert report["coverage_band"]["required"] is False
    assert report["coverage_band"]["verdict"] == {"EWMA": None}


def test_the_coverage_band_is_judged_only_where_zeros_are_at_most_half() -> None:
    inside = score(np.arange(10.0), np.full((10, 1), 8.0), (0.9,), NewsvendorCosts(), 1.0, 600)
    outside = score(np.arange(10.0), np.full((10, 1), 9.0), (0.9,), NewsvendorCosts(), 1.0, 600)
    assert (inside.coverage["0.9"], outside.coverage["0.9"]) == (0.9, 1.0)
    scores = {"in": inside, "out": outside}
    band = coverage_band(scores, 0.5)
    assert band["required"] is True
    assert band["verdict"] == {"in": "pass", "out": "fail"}
    band = coverage_band(scores, 0.51)
    assert band["required"] is False
    assert band["verdict"] == {"in": None, "out": None}
    assert "0.510 > 0.5" in band["why"]


def test_every_model_is_scored_with_every_metric() -> None:
    matrix = to_matrix(table(days=9))
    costs = NewsvendorCosts(interval_s=600)
    quantiles = evaluation_quantiles(costs)
    assert quantiles == (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.8571, 0.9, 0.95, 0.99)
    models = default_models(quantiles, 1)
    models["QuantileGBM"].set_params(max_iter=40)
    scores = backtest(matrix, models, 1, 1, costs)
    assert set(scores) == MODELS
    for result in scores.values():
        assert set(result.model_dump()) == KEYS
        assert set(result.coverage) == set(result.pit_coverage) == LEVELS | {"0.8571"}
    assert scores["QuantileGBM"].newsvendor_cost < scores["EWMA"].newsvendor_cost
    # 8 training days: under two weeks, so the seasonal rule is daily and says why.
    assert scores["SeasonalNaive"].fitted["season"] == "daily"
    assert "weekly needs 14" in scores["SeasonalNaive"].fitted["why"]


@needs_shared_traces
def test_on_real_servegen_models_the_global_model_beats_the_simple_rules() -> None:
    # The acceptance run on the smallest real slice: ServeGen per model, 3 days held out.
    matrix = to_matrix(trace_history("servegen", mask_gaps=True))
    costs = NewsvendorCosts(interval_s=matrix.step_s)
    scores = backtest(matrix, default_models(evaluation_quantiles(costs), 1), 1, 3, costs)
    gbm = scores["QuantileGBM"].newsvendor_cost
    assert gbm < scores["SeasonalNaive"].newsvendor_cost
    assert gbm < scores["EWMA"].newsvendor_cost
