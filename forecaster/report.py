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
    zero_share: float | None,
) -> dict[str, Any]:
    """`{"models": {NAME: metrics}, ...}` plus what the run was and its zero share."""
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
        "zero_share": zero_share,
    }


def _share(value: float | None) -> str:
    """A share to three decimals, or '-' when there were no points to count."""
    return "-" if value is None else f"{value:.3f}"


def _coverages(scores: Mapping[str, Any], q: str) -> str:
    """Coverage over all points / over non-zero points, one cell."""
    return f"{_share(scores['coverage'][q])}/{_share(scores['coverage_nonzero'][q])}"


def report_table(report: dict[str, Any]) -> str:
    qs = [f"{q:g}" for q in report["quantiles"]]
    head = f"{'model':22} {'cost $':>12} {'under r-min':>12} {'over r-min':>12} "
    head += (
        " ".join(f"{'pin@' + q:>10}" for q in qs)
        + " "
        + " ".join(f"{'cov/nz@' + q:>13}" for q in qs)
    )
    lines = [
        f"{report['trace']}: {report['series']} series, step {report['step_s']} s, horizon "
        f"{report['horizon_steps']} steps, {report['holdout_days']:g} held-out days, "
        f"q* = {report['critical_quantile']:.4f}, zero share {_share(report['zero_share'])}",
        head,
    ]
    for name, s in report["models"].items():
        lines.append(
            f"{name:22} {s['newsvendor_cost']:12.1f} {s['under_replica_minutes']:12.0f} "
            f"{s['over_replica_minutes']:12.0f} "
            + " ".join(f"{s['pinball'][q]:10.4g}" for q in qs)
            + " "
            + " ".join(f"{_coverages(s, q):>13}" for q in qs)
        )
    lines.append("cov/nz: coverage over all held-out points / over those with non-zero demand")
    return "\n".join(lines)
