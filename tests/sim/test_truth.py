"""The ground truth is not the estimate: spreads, shared links, lagging
reports and memory pressure, and the estimate's error measured against it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from warmstart.estimate import GLOBAL_DEFAULTS, StartupEstimate
from warmstart.sim import make_policy, simulate
from warmstart.sim.agent_report import AgentReport
from warmstart.sim.catalog import build_catalog, image_sizes
from warmstart.sim.cluster import SimCluster
from warmstart.sim.config import ClusterSpec, TruthSpec
from warmstart.sim.report import policy_report
from warmstart.sim.truth import GroundTruth, NodeTruth

GB = 10**9


def _errors(trace: pd.DataFrame, cluster: ClusterSpec) -> list[float]:
    result = simulate(trace, cluster, [make_policy("reactive", cluster)], seed=2)
    return result.outcomes[0].metrics.estimate_errors


def test_with_the_truth_off_the_estimate_is_exact_and_on_it_is_not(
        bursty_trace: pd.DataFrame, small_cluster: ClusterSpec,
        exact_cluster: ClusterSpec) -> None:
    exact = _errors(bursty_trace, exact_cluster)
    noisy = _errors(bursty_trace, small_cluster)
    assert len(exact) > 10 and max(exact) == pytest.approx(0.0, abs=1e-9)
    assert np.median(noisy) > 0.01


def test_a_first_start_lands_within_the_spreads(small_cluster: ClusterSpec) -> None:
    trace = pd.DataFrame({"model": ["m"], "ts": [1000.0], "count": [1.0]})
    for seed in range(5):
        result = simulate(trace, small_cluster, [make_policy("reactive", small_cluster)], seed)
        (cold,) = result.outcomes[0].metrics.cold_starts
        d, t = GLOBAL_DEFAULTS, small_cluster.truth
        pull, download = 10 * GB / d.registry_pull_bps, 15 * GB / d.object_store_bps
        assert t.image_pull[0] * pull <= cold.stages["image"] <= t.image_pull[1] * pull
        assert (t.model_download[0] * download <= cold.stages["model"]
                <= t.model_download[1] * download)
        cuda = d.cuda_persistent_seconds
        assert t.cuda[0] * cuda <= cold.stages["cuda"] <= t.cuda[1] * cuda
        assert sum(cold.stages.values()) == pytest.approx(cold.ttfi_s)


def _nominal(image_s: float, model_s: float, tier: str = "remote") -> StartupEstimate:
    return StartupEstimate(0.0, image_s, model_s, 10.0, 1.0, tier)


def test_loads_on_one_node_queue_on_its_nic_and_share_a_pull() -> None:
    truth = GroundTruth(TruthSpec(cuda=(1, 1)), np.random.default_rng(0))
    node = NodeTruth()
    first = truth.start(_nominal(100.0, 50.0), node, "img-a", at=0.0)
    assert first["image"] == 100.0 and first["model"] == 50.0
    # Same image, pulled by the first start already: joined; its model waits its turn.
    same = truth.start(_nominal(100.0, 50.0), node, "img-a", at=10.0)
    assert same["image"] == pytest.approx(90.0)
    assert same["model"] == pytest.approx(100.0)  # NIC busy until 150, then its own 50
    other = truth.start(_nominal(100.0, 0.0, "host-memory"), node, "img-b", at=10.0)
    assert other["image"] == pytest.approx(200.0 - 10.0 + 100.0)  # NIC free at 200
    local = truth.start(_nominal(0.0, 20.0, "local-disk"), node, "img-b", at=0.0)
    assert local["model"] == 20.0  # the disk is a separate queue


def test_the_estimate_sees_the_agents_last_report() -> None:
    report = AgentReport(period=30.0, phase=0.0)
    before, after = (((), ()), (((("h:x", "x"),), ())))
    report.changing(10.0, lambda: before)
    assert report.seen(20.0, after) is before  # no report since the change
    assert report.seen(30.0, after) is after
    report.changing(40.0, lambda: after)  # the tick at 30 carried `after`
    later = ((), ("img",))
    assert report.seen(50.0, later) is after
    assert report.seen(60.0, later) is later


def test_running_replicas_squeeze_the_page_cache(small_cluster: ClusterSpec) -> None:
    spec = small_cluster.model_copy(update={
        "pools": (small_cluster.pools[0].model_copy(update={"host_cache_bytes": 100 * GB}),),
        "truth": TruthSpec(host_bytes_per_gpu=40 * GB)})
    cluster = SimCluster(spec)
    node = cluster.add_node(spec.pools[0], 0.0, 0.0)
    model = build_catalog(["m"], spec, seed=0)[0]
    cluster.loaded(node, model.uri, model.model_bytes, model.image,
                   image_sizes(spec)[model.image], 0.0)
    node.unloaded(model.uri, model.image)
    assert cluster.mask(f"h:{model.uri}")[node.index]
    cluster.allocate(node, 1, 5.0)  # 60 GB of page cache left: 15 GB still fits
    assert cluster.mask(f"h:{model.uri}")[node.index]
    cluster.allocate(node, 2, 6.0)  # 100 - 3 x 40 < 15 GB: evicted
    assert not cluster.mask(f"h:{model.uri}")[node.index]
    assert cluster.mask(f"m:{model.uri}")[node.index]  # the disk copy stays
    assert "local-disk" in {m.tier for m in node.true_view(7.0).inventory.models}  # type: ignore[union-attr]


def test_the_report_carries_the_estimate_error(bursty_trace: pd.DataFrame,
                                               small_cluster: ClusterSpec) -> None:
    result = simulate(bursty_trace, small_cluster, [make_policy("keepalive", small_cluster)], 1)
    data = policy_report(result.outcomes[0].metrics)
    assert 0 < data["estimate_error_p50_pct"] <= data["estimate_error_p90_pct"]
