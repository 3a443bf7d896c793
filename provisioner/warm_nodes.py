"""Warm nodes as capacity: the idle nodes the warmth planner keeps booted (to
hold staged models), never fewer than a pool's WarmthPolicy `minWarmNodes`,
turned into what the capacity planner asks its backend for.

A warm node is one that can hold staged models: a booted node whose agent
reports, or a node we asked for (booted or on its way: it runs the agent
whenever the cluster does; counting it even before its agent reports keeps a
cluster without agents from asking for nodes without end). A pool
short of its warm nodes gets new ones; idle nodes the warmth plan keeps (they
hold staged models) and the idle nodes the count needs are never released.
The count combines with the forecast's headroom as the larger of the two, not
the sum: a free GPU on a warm node is room for either. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from provisioner.packing import Bin
from provisioner.state import GPU, Capacity
from provisioner.warmth_inputs import booted_node
from warmstart.warmth import WarmthPlan


@dataclass(frozen=True, slots=True)
class WarmNodes:
    """Idle nodes one pool keeps booted, the ones kept by name, and why."""

    nodes: int
    keep: frozenset[str] = frozenset()
    reason: str = ""


def warm_nodes(plans: Mapping[str, WarmthPlan], minimums: Mapping[str, int]
               ) -> dict[str, WarmNodes]:
    """Per pool: the warmth plan's idle nodes, raised to the pool's minimum."""
    out: dict[str, WarmNodes] = {}
    for pool in sorted(plans.keys() | minimums.keys()):
        planned = next((p for p in plans[pool].pools if p.pool == pool), None) \
            if pool in plans else None
        count = planned.idle_nodes if planned is not None else 0
        least = minimums.get(pool, 0)
        if max(count, least) == 0:
            continue
        why = []
        if planned is not None and count:
            why.append(f"warmth planner keeps {count} idle node(s): {planned.reason}")
        if least > count:
            why.append(f"WarmthPolicy minWarmNodes {least}")
        keep = frozenset(planned.keep) if planned is not None else frozenset()
        out[pool] = WarmNodes(max(count, least), keep, "; ".join(why))
    return out


def _warm_capable(cap: Capacity) -> bool:
    return booted_node(cap) or cap.owner is not None


def idle_warm(capacity: Iterable[Capacity], bins: Iterable[Bin], pool: str) -> list[Bin]:
    """The pool's warm-capable nodes with no real pod and none packed onto them now."""
    caps = {c.name: c for c in capacity if c.pool == pool}
    idle = []
    for b in bins:
        cap = caps.get(b.name)
        if cap is None or b.pods or cap.requested.get(GPU, 0.0) > 0 or cap.intended:
            continue
        if cap.allocatable.get(GPU, 0.0) > 0 and _warm_capable(cap):
            idle.append(b)
    return idle


def warm_shortfall(warm: WarmNodes | None, idle: int) -> tuple[int, str]:
    """New nodes the pool needs to keep its warm nodes, and the reason."""
    if warm is None or warm.nodes <= idle:
        return 0, ""
    return warm.nodes - idle, f"{warm.reason}; {idle} idle warm node(s) up or on their way"


def protected(warm: WarmNodes | None, idle: list[Bin]) -> tuple[frozenset[str], float]:
    """Our objects behind the idle nodes the warmth plan keeps by name (never
    released), and how many idle nodes may go while the pool keeps its count."""
    if warm is None:
        return frozenset(), math.inf
    owners = frozenset(b.owner for b in idle if b.owner and b.name in warm.keep)
    return owners, max(len(idle) - warm.nodes, 0)
