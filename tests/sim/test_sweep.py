"""`warmstart simulate --sweep`: every policy over its knob, one frontier each,
and placement by the extender's score against random placement, truth on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from warmstart.cli.main import main as simulate_main
from warmstart.cli.sim_policies import COLD_START_VALUE_USD, sweep_knobs
from warmstart.sim import default_cluster, make_policy, simulate
from warmstart.sim.config import ClusterSpec
from warmstart.sim.report import policy_report
from warmstart.sim.sweep import FRONTIER_KEYS, KEEPALIVE_VALUES, sweep
from warmstart.traces import canonical, write_canonical


def test_sweep_json_carries_every_point_and_marks_the_default(
        tmp_path: Path, bursty_trace: pd.DataFrame, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "t.csv"
    write_canonical(bursty_trace, trace)
    argv = ["simulate", "--trace", str(trace), "--sweep", "--json", "--seed", "3",
            "--policies", "reactive,keepalive", "--plot", str(tmp_path / "png")]
    assert simulate_main(argv) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    keep = data["policies"]["keepalive"]
    assert [p["value"] for p in keep["points"]] == list(KEEPALIVE_VALUES)
    assert [p["value"] for p in keep["points"] if p["published_default"]] == [600.0]
    for point in keep["points"] + data["policies"]["reactive"]["points"]:
        assert set(FRONTIER_KEYS) | {"knob", "value"} <= set(point)
    for name in ("frontier_cold_vs_gpu_hours.png", "frontier_wait_p99_vs_gpu_hours.png"):
        assert (tmp_path / "png" / name).read_bytes()[:4] == b"\x89PNG"
    assert simulate_main(argv[:-2]) == 0
    assert capsys.readouterr().out == out  # same seed, same bytes


def test_a_longer_keepalive_buys_fewer_spell_waits_with_gpu_hours(
        bursty_trace: pd.DataFrame, small_cluster: ClusterSpec) -> None:
    result = sweep(bursty_trace, small_cluster, sweep_knobs(small_cluster), ["keepalive"], 1)
    points = {p["value"]: p for p in result.frontiers["keepalive"]["points"]}
    short, long = points[120.0], points[7200.0]
    assert long["gpu_hours"] > short["gpu_hours"]
    assert long["total_wait_s"] < short["total_wait_s"]
    assert long["cold_start_fraction"] < short["cold_start_fraction"]


def test_warmstarts_knob_is_the_value_of_a_cold_start() -> None:
    cluster = default_cluster()  # $3 per GPU-hour: 10 idle minutes cost $0.5
    assert sweep_knobs(cluster)["warmstart"].default == COLD_START_VALUE_USD


def test_score_placement_beats_random_placement_with_the_truth_on() -> None:
    """Many models on a kept pool of nodes, restarting often: where a replica
    lands decides whether it reads a cache. Noise (node speeds, spreads, shared
    links, lagging reports) is on, as by default."""
    cluster = default_cluster()
    pool = cluster.pools[0].model_copy(update={"min_nodes": 6})
    cluster = cluster.model_copy(update={"pools": (pool,)})
    assert cluster.truth.enabled
    rng = np.random.default_rng(7)
    models, ts = [], []
    for i in range(24):
        period = float(rng.uniform(600, 3600))
        for start in np.arange(rng.uniform(0, period), 2 * 86400, period):
            models.append(f"m{i}")
            ts.append(start)
    trace = canonical(models, ts, 1.0, name="restarts")
    policies = [make_policy(n, cluster) for n in ("random-placement", "score-placement")]
    result = simulate(trace, cluster, policies, seed=5)
    rand, scored = (policy_report(o.metrics) for o in result.outcomes)
    assert scored["start_mean_s"] < 0.8 * rand["start_mean_s"]
    assert scored["estimate_error_p50_pct"] > 0  # the estimate is not the truth
