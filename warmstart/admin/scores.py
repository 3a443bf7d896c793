"""A live backtest of the forecast in use: every band the forecaster issued,
scored against the demand that then arrived."""

from __future__ import annotations

from collections.abc import Sequence

from warmstart.admin.schemas import BacktestScore, Band


def pinball(actual: float, predicted: float, q: float) -> float:
    diff = actual - predicted
    return max(q * diff, (q - 1) * diff)


def score(name: str, actual: Sequence[float], bands: Sequence[Band]) -> BacktestScore:
    pairs = list(zip(actual, bands, strict=True))
    if not pairs:
        return BacktestScore(forecaster=name, points=0, coverage=None, pinball_hi=None)
    inside = sum(1 for a, b in pairs if b.lo <= a <= b.hi)
    q_hi = max((float(q) for q in bands[0].quantiles), default=0.9)
    loss = sum(pinball(a, b.hi, q_hi) for a, b in pairs)
    return BacktestScore(forecaster=name, points=len(pairs), coverage=inside / len(pairs),
                         pinball_hi=loss / len(pairs))
