"""Forecaster speed at fleet scale: fit on 14 days x 1,000 series, predict per pool.

    python benchmarks/forecaster_bench.py [--series 1000] [--days 14] [--json]

Series are synthetic 5-minute request rates with the shapes of the real
traces (a daily cycle, a weekend dip, Poisson noise; levels from 0.001 to 100
req/s, so about a third are mostly zero like GenTD26 models). The same run
times SeasonalNaive and EWMA, the baselines, on the same data. Targets
(README.md, "Development"): QuantileGBM fit <= 60 s; predict <= 50 ms per pool of 50 series,
using the pool's last 8 days of history.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

from forecaster import EWMA, QuantileGBM, SeasonalNaive, SeriesMatrix
from forecaster.base import QuantileForecaster

STEP_S = 300
DAY_S = 86_400
QUANTILES = (0.5, 0.9, 0.9231)  # median, the 90% checked, q* at 5-min steps
HORIZON = 2  # 10 minutes
FIT_TARGET_S = 60.0
PREDICT_TARGET_MS = 50.0


def synthetic(series: int, days: int, seed: int = 0) -> SeriesMatrix:
    rng = np.random.default_rng(seed)
    seconds = np.arange(days * DAY_S // STEP_S) * STEP_S
    daily = 1 + 0.7 * np.sin(2 * np.pi * (seconds % DAY_S) / DAY_S + rng.uniform(0, 6, (series, 1)))
    weekend = np.where((seconds // DAY_S) % 7 >= 5, 0.6, 1.0)
    level = 10 ** rng.uniform(-3, 2, (series, 1))
    counts = rng.poisson(level * daily * weekend * STEP_S)
    names = tuple(f"model-{i:04d}" for i in range(series))
    return SeriesMatrix(names, 1_700_006_400, STEP_S, counts / STEP_S)


def timed_fit(model: QuantileForecaster, matrix: SeriesMatrix) -> float:
    start = time.perf_counter()
    model.fit_matrix(matrix)
    return time.perf_counter() - start


def pool_predict_ms(model: QuantileForecaster, matrix: SeriesMatrix, pool: int) -> list[float]:
    """Milliseconds per predict call, one call per pool of `pool` series."""
    keep = 8 * DAY_S // STEP_S
    times = []
    for first in range(0, len(matrix.names), pool):
        rows = slice(first, first + pool)
        history = SeriesMatrix(
            matrix.names[rows],
            matrix.end - (keep - 1) * STEP_S,
            STEP_S,
            matrix.values[rows, -keep:],
        )
        start = time.perf_counter()
        model.predict_matrix(HORIZON, history)
        times.append((time.perf_counter() - start) * 1_000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--pool", type=int, default=50, help="series per pool")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    matrix = synthetic(args.series, args.days)
    models: dict[str, QuantileForecaster] = {
        "SeasonalNaive-daily": SeasonalNaive("daily", QUANTILES, residual_horizon=HORIZON),
        "EWMA": EWMA(quantiles=QUANTILES, residual_horizon=HORIZON),
        "QuantileGBM": QuantileGBM(QUANTILES, train_horizon=HORIZON),
    }
    results = {}
    for name, model in models.items():
        fit_s = timed_fit(model, matrix)
        predict = pool_predict_ms(model, matrix, args.pool)
        results[name] = {
            "fit_s": round(fit_s, 3),
            "predict_ms_p50": round(statistics.median(predict), 2),
            "predict_ms_max": round(max(predict), 2),
        }
    gbm = results["QuantileGBM"]
    ok = gbm["fit_s"] <= FIT_TARGET_S and gbm["predict_ms_max"] <= PREDICT_TARGET_MS
    report = {
        "series": args.series,
        "days": args.days,
        "step_s": STEP_S,
        "pool": args.pool,
        "cpus": os.cpu_count(),
        "quantiles": QUANTILES,
        "models": results,
        "targets": {"fit_s": FIT_TARGET_S, "predict_ms_per_pool": PREDICT_TARGET_MS},
        "pass": ok,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"{args.series} series x {args.days} days at {STEP_S} s, pools of {args.pool}, "
            f"{os.cpu_count()} CPUs, quantiles {QUANTILES}"
        )
        print(f"{'model':22} {'fit s':>8} {'predict ms p50':>15} {'predict ms max':>15}")
        for name, r in results.items():
            print(
                f"{name:22} {r['fit_s']:8.2f} "
                f"{r['predict_ms_p50']:15.2f} {r['predict_ms_max']:15.2f}"
            )
        print(
            f"targets: fit <= {FIT_TARGET_S:g} s, predict <= {PREDICT_TARGET_MS:g} ms per pool: "
            f"{'PASS' if ok else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
