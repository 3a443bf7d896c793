"""P(at least one request within h seconds): the planner's one view of the
future, from the forecast's rate and the learned keep-alive's idle times.

The forecast gives a rate for the coming step; read as Poisson it says how
likely a request is. Intermittent models have rates near zero almost
everywhere, and their next request is better told by how long they have been
idle: the hybrid histogram (ATC'20) keeps each model's idle times, and the
chance that a spell already `a` seconds long ends within `h` more is
(F(a + h) - F(a)) / (1 - F(a)). Past the histogram's range both can say zero,
so the long-run rate of spells is a floor under the rate. The planner takes
the most alarming of these: each alone misses what another sees.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from warmstart.hybrid_histogram import BIN_S, MIN_SAMPLES
from warmstart.warmth.types import Outlook


def poisson_p(rate_per_s: float, horizon_s: float) -> float:
    return 1.0 - math.exp(-max(rate_per_s, 0.0) * max(horizon_s, 0.0))


def spell_p(outlook: Outlook, horizon_s: float) -> float:
    """P(the idle spell ends within `horizon_s`), from the idle-time histogram;
    0 where it is silent (no histogram, or a spell beyond its range)."""
    cdf, idle = outlook.idle_cdf, outlook.idle_s
    if not cdf or idle is None:
        return 0.0
    span = len(cdf) * outlook.bin_s
    if idle >= span:
        return 0.0
    before = _share(cdf, idle / outlook.bin_s)
    survive = 1.0 - before
    if survive <= 1e-12:
        return 0.0
    after = _share(cdf, min(idle + horizon_s, span) / outlook.bin_s)
    return min(1.0, (after - before) / survive)


def _share(cdf: tuple[float, ...], bins: float) -> float:
    """The cumulative share `bins` bin widths in, linear within a bin (the
    planner asks this for every model at every step: no arrays built)."""
    whole = min(int(bins), len(cdf))
    low = cdf[whole - 1] if whole > 0 else 0.0
    if whole == len(cdf):
        return low
    return low + (bins - whole) * (cdf[whole] - low)


def p_arrival(outlook: Outlook, horizon_s: float) -> float:
    rate = max(outlook.rate_per_s, outlook.spells_per_s)
    return max(poisson_p(rate, horizon_s), spell_p(outlook, horizon_s))


def idle_cdf(counts: npt.NDArray[np.int64], beyond: int) -> tuple[float, ...]:
    """One model's histogram row (1-min bins) and its count of idle times beyond
    the range, as the cumulative shares `Outlook.idle_cdf` takes; empty when
    too few idle times were seen (the learned keep-alive's own rule)."""
    total = int(counts.sum()) + beyond
    if total < MIN_SAMPLES:
        return ()
    return tuple((np.cumsum(counts) / total).tolist())


__all__ = ["BIN_S", "idle_cdf", "p_arrival", "poisson_p", "spell_p"]
