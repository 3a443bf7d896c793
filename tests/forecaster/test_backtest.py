"""Metrics show their arithmetic; the backtest scores every model on the same days."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster import NewsvendorCosts, backtest, default_models, evaluation_quantiles, to_matrix
from forecaster.metrics import pinball, replica_gaps
from forecaster.trace_source import trace_history
from tests.forecaster.synthetic import table

KEYS = {"newsvendor_cost", "pinball", "coverage", "under_replica_minutes", "over_replica_minutes"}


def test_pinball_weighs_under_by_q_and_over_by_one_minus_q() -> None:
    # q=0.9: 10 under by 2 costs 0.9 x 2 = 1.8; 10 over by 4 costs 0.1 x 4 = 0.4.
    assert pinball(np.array([10.0, 10.0]), np.array([8.0, 14.0]), 0.9) == pytest.approx(1.1)


def test_replica_gaps_count_whole_replicas_per_step() -> None:
    # Needed 3 and 0 replicas, provisioned 1 and 2, at 5-min steps:
    # 2 short x 5 min = 10 under, 2 idle x 5 min = 10 over.
    assert replica_gaps(np.array([2.5, 0.0]), np.array([0.5, 1.5]), 1.0, 300) == (10.0, 10.0)


def test_every_model_is_scored_with_every_metric() -> None:
    matrix = to_matrix(table(days=9))
    costs = NewsvendorCosts(interval_s=600)
    quantiles = evaluation_quantiles(costs)
    assert quantiles == (0.5, 0.8571, 0.9)
    models = default_models(quantiles, 1)
    models["QuantileGBM"].set_params(max_iter=40)
    scores = backtest(matrix, models, 1, 1, costs)
    assert set(scores) == {
        "QuantileGBM",
        "SeasonalNaive-daily",
        "SeasonalNaive-weekly",
        "EWMA",
        "HybridHistogram",
    }
    for score in scores.values():
        assert set(score.model_dump()) == KEYS
        assert set(score.coverage) == {"0.5", "0.8571", "0.9"}
    assert scores["QuantileGBM"].newsvendor_cost < scores["EWMA"].newsvendor_cost


def test_too_many_held_out_days_is_a_clear_error() -> None:
    matrix = to_matrix(table(days=2))
    with pytest.raises(ValueError, match="leave no training data"):
        backtest(matrix, default_models((0.5,), 1), 1, 2, NewsvendorCosts())


def test_on_real_servegen_models_the_global_model_beats_the_simple_rules() -> None:
    # The acceptance run on the smallest real slice: ServeGen per model, 3 days held out.
    matrix = to_matrix(trace_history("servegen", mask_gaps=True))
    costs = NewsvendorCosts(interval_s=matrix.step_s)
    scores = backtest(matrix, default_models(evaluation_quantiles(costs), 1), 1, 3, costs)
    gbm = scores["QuantileGBM"].newsvendor_cost
    assert gbm < scores["SeasonalNaive-daily"].newsvendor_cost
    assert gbm < scores["SeasonalNaive-weekly"].newsvendor_cost
    assert gbm < scores["EWMA"].newsvendor_cost
