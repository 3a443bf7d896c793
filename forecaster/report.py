"""The backtest's result as one JSON-ready dict, and the same as a text table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecaster.frame import SeriesMatrix
from forecaster.metrics import Score
from forecaster.newsvendor import NewsvendorCosts


def backtest_report(
    scores: Mapping[str, Score],
    trace: str,
    matrix: SeriesMatrix,
    horizon: int,
    holdout_days: float,
    costs: NewsvendorCosts,
) -> dict[str, Any]:
    """`{"models": {NAME: metrics}, ...}` plus what the run was."""
    quantiles = sorted({q for s in scores.values() for q in map(float, s.pinball)})
    return {
        "models": {name: s.model_dump() for name, s in scores.items()},
        "trace": trace,
        "series": len(matrix.names),
        "step_s": matrix.step_s,
        "horizon_steps": horizon,
        "holdout_days": holdout_days,
        "critical_quantile": costs.critical_quantile(),
        "quantiles": quantiles,
    }


def report_table(report: dict[str, Any]) -> str:
    qs = [f"{q:g}" for q in report["quantiles"]]
    head = f"{'model':22} {'cost $':>12} {'under r-min':>12} {'over r-min':>12} "
    head += (
        " ".join(f"{'pin@' + q:>10}" for q in qs) + " " + " ".join(f"{'cov@' + q:>9}" for q in qs)
    )
    lines = [
        f"{report['trace']}: {report['series']} series, step {report['step_s']} s, horizon "
        f"{report['horizon_steps']} steps, {report['holdout_days']:g} held-out days, "
        f"q* = {report['critical_quantile']:.4f}",
        head,
    ]
    for name, s in report["models"].items():
        lines.append(
            f"{name:22} {s['newsvendor_cost']:12.1f} {s['under_replica_minutes']:12.0f} "
            f"{s['over_replica_minutes']:12.0f} "
            + " ".join(f"{s['pinball'][q]:10.4g}" for q in qs)
            + " "
            + " ".join(f"{s['coverage'][q]:9.3f}" for q in qs)
        )
    return "\n".join(lines)
