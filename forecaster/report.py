"""The backtest's result as one JSON-ready dict, and the same as a text table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecaster.frame import SeriesMatrix
from forecaster.metrics import Score
from forecaster.newsvendor import NewsvendorCosts

BAND = (0.85, 0.95)
"""Where the nominal 90% quantile's total coverage should land ..."""
BAND_MAX_ZERO_SHARE = 0.5
"""... on data with at most this share of zeros. Above it a non-negative forecast
covers every zero, so coverage says more about the zeros than about calibration;
the randomised PIT is the measure there."""


def coverage_band(scores: Mapping[str, Score], zero_share: float | None) -> dict[str, Any]:
    """Pass/fail of the 85-95% band for the 90% quantile, where it applies."""
    required = zero_share is not None and zero_share <= BAND_MAX_ZERO_SHARE
    share = "-" if zero_share is None else f"{zero_share:.3f}"
    verdict: dict[str, str | None] = {}
    for name, s in scores.items():
        cover = s.coverage.get("0.9")
        inside = cover is not None and BAND[0] <= cover <= BAND[1]
        verdict[name] = ("pass" if inside else "fail") if required else None
    relation = "<=" if required else ">"
    return {
        "quantile": 0.9,
        "low": BAND[0],
        "high": BAND[1],
        "required": required,
        "why": f"held-out zero share {share} {relation} {BAND_MAX_ZERO_SHARE}",
        "verdict": verdict,
    }


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
        "history_days": matrix.n_steps * matrix.step_s / 86_400,
        "horizon_steps": horizon,
        "holdout_days": holdout_days,
        "critical_quantile": costs.critical_quantile(),
        "quantiles": quantiles,
        "zero_share": zero_share,
        "coverage_band": coverage_band(scores, zero_share),
    }


def _share(value: float | None) -> str:
    """A share to three decimals, or '-' when there were no points to count."""
    return "-" if value is None else f"{value:.3f}"


def _cells(scores: Mapping[str, Any], q: str) -> str:
    """Coverage over all points / over non-zero points / randomised PIT, one cell."""
    parts = (scores["coverage"][q], scores["coverage_nonzero"][q], scores["pit_coverage"][q])
    return "/".join(_share(v) for v in parts)


def _shown(report: dict[str, Any]) -> list[str]:
    """The median, the 90% and the newsvendor quantile; --json has every level."""
    star = min(report["quantiles"], key=lambda q: abs(q - report["critical_quantile"]))
    return [f"{q:g}" for q in sorted({0.5, 0.9, star})]


def _band_line(band: dict[str, Any]) -> str:
    head = f"{band['low']:.0%}-{band['high']:.0%} band for the 0.9 quantile"
    if not band["required"]:
        return f"{head}: not required ({band['why']}); judge calibration by pit"
    marks = ", ".join(f"{name} {v}" for name, v in band["verdict"].items())
    return f"{head} ({band['why']}): {marks}"


def report_table(report: dict[str, Any]) -> str:
    qs = _shown(report)
    head = f"{'model':16} {'cost $':>12} {'under r-min':>12} {'over r-min':>12} "
    head += " ".join(f"{'pin@' + q:>10}" for q in qs) + f" {'pit err':>7} "
    head += " ".join(f"{'cov/nz/pit@' + q:>17}" for q in qs)
    lines = [
        f"{report['trace']}: {report['series']} series, {report['history_days']:.2f} days, "
        f"step {report['step_s']} s, horizon {report['horizon_steps']} steps, "
        f"{report['holdout_days']:g} held-out days, q* = {report['critical_quantile']:.4f}, "
        f"zero share {_share(report['zero_share'])}",
        head,
    ]
    for name, s in report["models"].items():
        lines.append(
            f"{name:16} {s['newsvendor_cost']:12.1f} {s['under_replica_minutes']:12.0f} "
            f"{s['over_replica_minutes']:12.0f} "
            + " ".join(f"{s['pinball'][q]:10.4g}" for q in qs)
            + f" {_share(s['pit_error']):>7} "
            + " ".join(f"{_cells(s, q):>17}" for q in qs)
        )
    for name, s in report["models"].items():
        if s["fitted"]:
            lines.append(f"{name}: " + "; ".join(f"{k}: {v}" for k, v in s["fitted"].items()))
    lines.append(_band_line(report["coverage_band"]))
    lines.append(
        "cov/nz/pit: coverage over all held-out points / over those with non-zero demand / "
        "randomised PIT (calibrated: the level itself)"
    )
    return "\n".join(lines)
