"""The issue's sanity checks, on the packaged sample and a bursty trace."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from warmstart.sim import POLICY_NAMES, ClusterSpec, default_cluster, make_policy, simulate
from warmstart.sim.report import report, to_json
from warmstart.traces import load_trace


def _run(frame: pd.DataFrame, cluster: ClusterSpec, seed: int = 0) -> dict[str, Any]:
    result = simulate(frame, cluster, [make_policy(n, cluster) for n in POLICY_NAMES], seed)
    return report(result, frame, seed)


@pytest.fixture(scope="module")
def sample_report() -> dict[str, Any]:
    return _run(load_trace("sample", duration_s=12 * 3600), default_cluster())


def test_always_warm_has_no_cold_starts_and_the_most_gpu_hours(
        sample_report: dict[str, Any]) -> None:
    policies = sample_report["policies"]
    assert policies["always-warm"]["cold_start_fraction"] == 0.0
    assert policies["always-warm"]["gpu_hours"] == max(p["gpu_hours"] for p in policies.values())


def test_reactive_has_the_most_cold_starts(sample_report: dict[str, Any]) -> None:
    policies = sample_report["policies"]
    counts = {n: p["cold_starts"] for n, p in policies.items()}
    assert counts["reactive"] > counts["keepalive"] > counts["hybrid-histogram"] > 0
    assert counts["always-warm"] == 0
    # Idle-spell arrivals come from the trace alone: the same requests for every policy.
    assert len({p["spell_arrivals"] for p in policies.values()}) == 1
    assert policies["always-warm"]["spell_wait_p99_s"] == 0.0
    assert policies["reactive"]["spell_wait_p50_s"] > 0


def test_every_metric_of_the_issue_is_reported(sample_report: dict[str, Any]) -> None:
    keys = {"ttfi_p50_s", "ttfi_p95_s", "ttfi_p99_s", "cold_ttfi_p99_s", "cold_start_fraction",
            "gpu_hours", "idle_gpu_hours", "cost_usd", "stage_mean_s"}
    for policy in sample_report["policies"].values():
        assert keys <= set(policy)
        assert set(policy["stage_mean_s"]) == {"node", "image", "model", "cuda", "h2d"}
        assert 0 <= policy["idle_gpu_hours"] <= policy["gpu_hours"]
    assert sample_report["policies"]["warmstart"]["policy"]["mode"] == "placement only"
    assert {"trace", "cluster"} <= set(sample_report)


def test_stage_times_of_every_cold_start_sum_to_its_ttfi(bursty_trace: pd.DataFrame,
                                                         small_cluster: ClusterSpec) -> None:
    policies = [make_policy(n, small_cluster) for n in POLICY_NAMES]
    result = simulate(bursty_trace, small_cluster, policies, seed=3)
    checked = 0
    for outcome in result.outcomes:
        for cold in outcome.metrics.cold_starts:
            assert sum(cold.stages.values()) == pytest.approx(cold.ttfi_s)
            if cold.trigger == "scale-from-zero":
                # The request that triggered the start waited for all of it.
                assert cold.first_wait_s == pytest.approx(cold.ttfi_s)
                checked += 1
    assert checked > 10


def test_same_seed_gives_byte_identical_json(bursty_trace: pd.DataFrame,
                                             small_cluster: ClusterSpec) -> None:
    first = to_json(_run(bursty_trace, small_cluster, seed=11))
    again = to_json(_run(bursty_trace, small_cluster, seed=11))
    other = to_json(_run(bursty_trace, small_cluster, seed=12))
    assert first == again
    assert first != other
