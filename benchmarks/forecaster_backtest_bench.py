"""How long the backtest takes on 8 days of 1-minute history: the issue's acceptance shape.

    python benchmarks/forecaster_backtest_bench.py [--trace PATH] [--json]

Without `--trace`, 76 synthetic series of 1-minute Poisson counts with a daily
cycle and levels spread like GenTD26's models (mostly idle). The run times
each model's fit and held-out forecasts (3 days held out, 10-minute horizon,
every quantile level the backtest scores), in wall and CPU seconds (CPU
time shows the work when other processes share the cores), and, as the
baseline measured in the same run, the simple rules beside it. Target: the
whole backtest in <= 120 s of wall time on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from forecaster import (
    NewsvendorCosts,
    SeriesMatrix,
    default_models,
    evaluation_quantiles,
    to_matrix,
    trace_history,
)
from forecaster.backtest import held_out
from forecaster.metrics import score

STEP_S = 60
DAY_S = 86_400
HORIZON = 10
HOLDOUT_DAYS = 3
TARGET_S = 120.0


def synthetic(series: int = 76, days: int = 8, seed: int = 0) -> SeriesMatrix:
    rng = np.random.default_rng(seed)
    seconds = np.arange(days * DAY_S // STEP_S) * STEP_S
    phase = rng.uniform(0, 2 * np.pi, (series, 1))
    daily = 1 + 0.9 * np.sin(2 * np.pi * seconds / DAY_S + phase)
    level = 10 ** rng.uniform(-4, -1, (series, 1))  # 0.006 to 6 requests a minute
    counts = rng.poisson(level * daily * STEP_S)
    return SeriesMatrix(tuple(f"m{i:03d}" for i in range(series)), 0, STEP_S, counts / STEP_S)


def timed(matrix: SeriesMatrix) -> dict[str, dict[str, float]]:
    costs = NewsvendorCosts(interval_s=matrix.step_s)
    split, origins, actual = held_out(matrix, HORIZON, HOLDOUT_DAYS)
    out = {}
    for name, model in default_models(evaluation_quantiles(costs), HORIZON).items():
        start, cpu = time.perf_counter(), time.process_time()
        predicted = model.fit_matrix(matrix.until(split)).predict_origins(matrix, origins, HORIZON)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        cost = score(actual, predicted, model.quantiles_, costs, 1.0, matrix.step_s)
        out[name] = {
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "newsvendor_cost": cost.newsvendor_cost,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace", help="a canonical CSV of 1-minute counts (default: synthetic)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    matrix = to_matrix(trace_history(args.trace, STEP_S)) if args.trace else synthetic()
    models = timed(matrix)
    total = sum(m["seconds"] for m in models.values())
    baselines = total - models["QuantileGBM"]["seconds"]
    report = {
        "series": len(matrix.names),
        "days": round(matrix.n_steps * STEP_S / DAY_S, 2),
        "cpus": os.cpu_count(),
        "models": models,
        "total_s": round(total, 2),
        "baselines_s": round(baselines, 2),
        "target_s": TARGET_S,
        "pass": total <= TARGET_S,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['series']} series x {report['days']} days at 60 s, {os.cpu_count()} CPUs")
        for name, m in models.items():
            print(
                f"{name:16} {m['seconds']:8.2f} s  {m['cpu_seconds']:8.2f} s CPU  "
                f"cost {m['newsvendor_cost']:10.1f}"
            )
        print(f"total {total:.1f} s (baselines alone {baselines:.1f} s); target <= {TARGET_S:g} s: "
              f"{'PASS' if report['pass'] else 'FAIL'}")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
