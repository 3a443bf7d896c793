"""The newsvendor quantile and the conversion of demand into replicas and GPUs."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from forecaster import NewsvendorCosts, QuantileForecast, ReplicaSpec, replicas_for, to_demand


def test_critical_quantile_from_a_cold_start_and_an_idle_gpu() -> None:
    # A cold start costs $2; a 1-GPU replica idle for 10 min costs $2/h x 1/6 h = $0.333.
    costs = NewsvendorCosts(cold_start_cost=2.0, idle_gpu_hour=2.0, interval_s=600)
    assert costs.c_idle == pytest.approx(1 / 3)
    assert costs.critical_quantile() == pytest.approx(2 / (2 + 1 / 3))  # 0.857
    # 8-GPU replicas make idling 8x dearer: q* drops to 2 / (2 + 2.667) = 0.4286.
    eight = costs.model_copy(update={"gpus_per_replica": 8})
    assert eight.critical_quantile() == pytest.approx(2 / (2 + 8 / 3))


def test_cost_prices_replica_minutes_per_interval() -> None:
    costs = NewsvendorCosts(cold_start_cost=2.0, idle_gpu_hour=2.0, interval_s=600)
    # 30 short replica-minutes = 3 intervals x $2; 60 idle = 6 intervals x $0.333.
    assert costs.cost(30, 60) == pytest.approx(3 * 2.0 + 6 * (1 / 3))


def test_bad_costs_name_the_field() -> None:
    with pytest.raises(ValidationError, match="idle_gpu_hour"):
        NewsvendorCosts(idle_gpu_hour=0)


def test_replicas_round_up_but_not_on_float_noise() -> None:
    assert replicas_for(np.array([0.0, 0.01, 2.0, 2.0000000001, 2.1]), 1.0).tolist() == [
        0,
        1,
        2,
        2,
        3,
    ]


def forecast() -> QuantileForecast:
    # Two series, three 5-min steps, quantiles 0.5 and 0.9 (req/s).
    values = np.array([[[1.0, 2.0], [3.0, 7.5], [2.0, 4.0]], [[0.0, 0.0], [0.0, 0.2], [0.0, 0.0]]])
    return QuantileForecast(("llama", "sdxl"), np.array([300, 600, 900]), 300, (0.5, 0.9), values)


def test_demand_takes_the_peak_of_the_chosen_quantile_over_the_horizon() -> None:
    specs = {
        "llama": ReplicaSpec(requests_per_replica=2.0, gpus_per_replica=2, pool="h100"),
        "sdxl": ReplicaSpec(requests_per_replica=0.05, pool="l4"),
    }
    demand = to_demand(forecast(), 0.9, issued_at=100.0, specs=specs)
    assert demand.horizon_s == 900
    llama, sdxl = demand.models
    # llama peaks at 7.5 req/s -> ceil(7.5 / 2) = 4 replicas x 2 GPUs.
    assert (llama.requests_per_s, llama.replicas, llama.gpus) == (7.5, 4, 8)
    # sdxl peaks at 0.2 req/s -> ceil(0.2 / 0.05) = 4 replicas x 1 GPU.
    assert (sdxl.replicas, sdxl.gpus) == (4, 4)
    assert demand.gpus_by_pool() == {"h100": 8, "l4": 4}


def test_the_median_asks_for_less_and_an_unfitted_quantile_is_refused() -> None:
    demand = to_demand(forecast(), 0.5, issued_at=0.0)
    assert [m.replicas for m in demand.models] == [3, 0]
    with pytest.raises(ValueError, match=r"quantile 0.95 was not fitted; have \[0.5, 0.9\]"):
        to_demand(forecast(), 0.95, issued_at=0.0)
