"""Simulator speed: one sweep point per policy at 14 days, 1,000 models and a
2,000-node cluster, ground truth on; target <= 60 s per point.

Demand: ServeGen's 14-day per-client traces (`../shared/traces`), 1,000 models
drawn from its 314 language-model clients, each circularly shifted by a
seeded random number of 10-min windows so copies do not move in lockstep.
Without the shared folder it tiles the packaged 2-day sample instead.
Runs every policy at its published default (the point `--sweep` marks), with
`reactive` (default-scheduler placement, no knob) as the baseline measured in
the same run, and prints each point's wall time, its ratio to reactive's, and
events/s against the target.

    .venv/bin/python benchmarks/sim_bench.py [--models 1000] [--nodes 2000] [--days 14]
        [--policies reactive,warmstart]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from warmstart.cli.sim_policies import sweep_knobs
from warmstart.sim import POLICY_NAMES, default_cluster
from warmstart.sim.catalog import build_catalog
from warmstart.sim.demand import step_demand
from warmstart.sim.engine import Simulation
from warmstart.traces import TraceError, canonical, load_trace

TARGET_S = 60.0
WINDOW_S = 600.0


def _clients() -> pd.DataFrame:
    try:
        frame = load_trace("servegen-clients")
        return frame[frame["model"].str.startswith(("m-large", "m-mid", "m-small"))]
    except TraceError:
        sample = load_trace("sample")
        span = 2 * 86400
        tiles = [sample.assign(ts=sample["ts"] + i * span) for i in range(7)]
        return canonical(pd.concat(tiles)["model"], pd.concat(tiles)["ts"],
                         pd.concat(tiles)["count"], WINDOW_S, name="sample x7")


def bench_trace(models: int, days: float, seed: int) -> pd.DataFrame:
    clients = _clients()
    clients = clients[clients["ts"] < days * 86400]
    by_client = dict(list(clients.groupby("model", sort=True)))
    names = list(by_client)
    rng = np.random.default_rng(seed)
    span = days * 86400
    parts = []
    for i in range(models):
        rows = by_client[names[i % len(names)]]
        shift = float(rng.integers(0, int(span / WINDOW_S))) * WINDOW_S
        parts.append(pd.DataFrame({"model": f"model-{i:04d}",
                                   "ts": (rows["ts"].to_numpy() + shift) % span,
                                   "count": rows["count"].to_numpy()}))
    frame = pd.concat(parts)
    return canonical(frame["model"], frame["ts"], frame["count"], WINDOW_S, name="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--days", type=float, default=14.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--policies", default=",".join(POLICY_NAMES))
    args = parser.parse_args()
    names = ["reactive", *(n for n in args.policies.split(",") if n and n != "reactive")]
    base = default_cluster()
    pool = base.pools[0].model_copy(update={"min_nodes": args.nodes,
                                            "max_nodes": int(args.nodes * 1.25)})
    cluster = base.model_copy(update={"pools": (pool,)})
    started = time.perf_counter()
    frame = bench_trace(args.models, args.days, args.seed)
    demand = step_demand(frame, cluster.autoscaler.step_s)
    catalog = build_catalog(demand.names, cluster, args.seed)
    prep = time.perf_counter() - started
    print(f"trace: {len(demand.names)} models, {demand.total_requests:,.0f} requests, "
          f"{demand.steps * demand.step_s / 86400:.1f} days, {len(demand.count):,} "
          f"(model, step) aggregates; cluster {args.nodes} nodes x "
          f"{pool.gpus_per_node} GPUs; prepared in {prep:.1f} s")
    print(f"{'policy':<18}{'wall s':>9}{'CPU s':>8}{'x reactive':>11}{'events':>12}"
          f"{'events/s':>12}{'starts':>9}{'target':>9}")
    knobs = sweep_knobs(cluster)
    baseline = None
    for name in names:
        knob = knobs[name]
        sim = Simulation(demand, catalog, cluster, knob.make(knob.default), args.seed)
        t, cpu = time.perf_counter(), time.process_time()
        metrics = sim.run()
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        baseline = baseline or wall
        verdict = "ok" if wall + prep <= TARGET_S else "MISSED"
        print(f"{name:<18}{wall:>9.1f}{cpu:>8.1f}{wall / baseline:>11.2f}{metrics.events:>12,}"
              f"{metrics.events / wall:>12,.0f}{metrics.replica_starts:>9,}{verdict:>9}")
    print(f"target: trace preparation + one sweep point <= {TARGET_S:.0f} s wall on 2 cores "
          f"(baseline = reactive, same trace and cluster, same run); CPU s shows the run's "
          f"own share when the machine is busy")


if __name__ == "__main__":
    main()
