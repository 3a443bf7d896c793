"""Caps on what one plan may add: GPUs and $/hour per pool and overall, and
creations per minute. Pending pods are served before headroom; every node the
caps stop becomes a recorded decision, never a silent drop. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioner.plan_types import Decision, NewNode
from provisioner.policy import ProvisionerPolicy
from provisioner.state import GPU, Capacity

RATE_WINDOW_S = 60.0


@dataclass
class _Totals:
    gpus: dict[str, float] = field(default_factory=dict)
    dollars: dict[str, float] = field(default_factory=dict)

    def add(self, pool: str, gpus: float, dollars: float) -> None:
        self.gpus[pool] = self.gpus.get(pool, 0.0) + gpus
        self.dollars[pool] = self.dollars.get(pool, 0.0) + dollars


def _cap_hit(node: NewNode, totals: _Totals, policy: ProvisionerPolicy) -> str | None:
    pool, t = node.template.pool, node.template
    limits = policy.limits(pool)
    pool_gpus = totals.gpus.get(pool, 0.0) + t.gpus
    pool_dollars = totals.dollars.get(pool, 0.0) + t.price_per_hour
    all_gpus = sum(totals.gpus.values()) + t.gpus
    all_dollars = sum(totals.dollars.values()) + t.price_per_hour
    checks = (
        (limits.max_gpus, pool_gpus, f"pool {pool} GPUs", "g"),
        (limits.max_dollars_per_hour, pool_dollars, f"pool {pool} $/h", ".2f"),
        (policy.max_gpus, all_gpus, "total GPUs", "g"),
        (policy.max_dollars_per_hour, all_dollars, "total $/h", ".2f"),
    )
    for limit, value, what, fmt in checks:
        if limit is not None and value > limit + 1e-9:
            return f"{what} would be {value:{fmt}} > max {limit:{fmt}}"
    return None


def apply_caps(
    creates: list[NewNode],
    capacity: tuple[Capacity, ...],
    recent_creations: tuple[float, ...],
    policy: ProvisionerPolicy,
    now: float,
) -> tuple[list[NewNode], list[Decision]]:
    totals = _Totals()
    for cap in capacity:
        totals.add(cap.pool, cap.allocatable.get(GPU, 0.0), cap.price_per_hour)
    recent = sum(1 for t in recent_creations if now - t < RATE_WINDOW_S)
    allowed = max(policy.max_creations_per_minute - recent, 0)
    kept: list[NewNode] = []
    decisions: list[Decision] = []
    for node in creates:
        why = _cap_hit(node, totals, policy)
        if why is None and len(kept) >= allowed:
            why = (f"{recent + len(kept)} creations in the last {RATE_WINDOW_S:.0f} s "
                   f"= max {policy.max_creations_per_minute}/min")
        if why is not None:
            decisions.append(Decision("capped", node.name, f"{why}; not creating {node.reason}"))
            continue
        totals.add(node.template.pool, node.template.gpus, node.template.price_per_hour)
        kept.append(node)
    return kept, decisions
