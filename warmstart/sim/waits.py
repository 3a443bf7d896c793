"""How long the requests of one step wait for a replica to start.

Requests arrive at `first` (one) and evenly over the rest of the step. A
request that finds no ready replica waits for the next one to become ready:
that is a cold start. Requests beyond the ready replicas' capacity queue on
them (latency, not a cold start) while the autoscaler adds replicas. Each
waiting slice is a uniform spread of waits, kept as (shortest, longest, requests).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass
class StepWaits:
    warm: float = 0.0
    unserved: float = 0.0
    slices: list[tuple[float, float, float]] = field(default_factory=list)
    waited_on: list[int] = field(default_factory=list)  # positions in `ready_times`


def step_waits(first: float, end: float, count: float, ready_now: int,
               ready_times: list[float]) -> StepWaits:
    """Waits of `count` requests in [first, end), given the pending replicas'
    ready times (sorted) and `ready_now` replicas ready at `first`."""
    out = StepWaits()
    if count <= 1 or end <= first:
        _point(out, first, count, ready_now, ready_times)
        return out
    rate = count / (end - first)
    cuts = [first] + [r for r in ready_times if first < r < end] + [end]
    ready = ready_now + sum(1 for r in ready_times if r <= first)
    for lo, hi in itertools.pairwise(cuts):
        mass = rate * (hi - lo)
        nxt = next((i for i, r in enumerate(ready_times) if r >= hi), None)
        if ready > 0:
            out.warm += mass
        elif nxt is None:
            out.unserved += mass  # unschedulable: the pool is at its node limit
        else:
            r = ready_times[nxt]
            out.slices.append((r - hi, r - lo, mass))
            out.waited_on.append(nxt)
        ready += 1 if hi < end else 0
    return out


def _point(out: StepWaits, at: float, count: float, ready_now: int,
           ready_times: list[float]) -> None:
    if ready_now > 0 or any(r <= at for r in ready_times):
        out.warm += count
        return
    nxt = next((i for i, r in enumerate(ready_times) if r > at), None)
    if nxt is None:
        out.unserved += count
        return
    wait = ready_times[nxt] - at
    out.slices.append((wait, wait, count))
    out.waited_on.append(nxt)
