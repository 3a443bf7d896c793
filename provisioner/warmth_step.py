"""The warmth half of a planning step: per pool, the warmth planner on the
snapshot and forecast under that pool's policy (`plan`, before the capacity
plan, which asks for the warm nodes it keeps); then (`act`) its staging orders
recorded with their reasons and, unless the pool (or the whole provisioner) is
in shadow mode, written as Prefetch objects; only by the Lease holder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from provisioner.decisions import DecisionLog, DecisionRecord
from provisioner.prefetch import PrefetchWriter, prefetch_body
from provisioner.state import ClusterState
from provisioner.warm_nodes import WarmNodes, warm_nodes
from provisioner.warmth_inputs import warmth_inputs
from warmstart.domain import DemandForecast, ModelRef, PodDemand
from warmstart.kube.errors import KubeError
from warmstart.warmth import PoolSupply, StageOrder, WarmthPlan, WarmthPolicy, plan_warmth


@dataclass(frozen=True, slots=True)
class PoolPolicy:
    """What one pool's planner obeys, and whether its orders are only recorded."""

    policy: WarmthPolicy = field(default_factory=WarmthPolicy)
    shadow: bool = False
    idle_usd_per_gpu_hour: float | None = None  # None: the pool's price per GPU-hour
    min_warm_nodes: int = 0  # idle nodes kept booted whatever the plan says

    def priced(self, supply: PoolSupply) -> PoolSupply:
        """The pool as the planner prices it under this policy."""
        if self.idle_usd_per_gpu_hour is None:
            return supply
        return replace(supply, price_per_hour=self.idle_usd_per_gpu_hour * supply.gpus_per_node)


@dataclass(frozen=True, slots=True)
class WarmthPlans:
    """One step's warmth plans by pool, the warm nodes they keep, and what is
    needed to act on them."""

    plans: Mapping[str, WarmthPlan]
    nodes: Mapping[str, WarmNodes]
    pods: Mapping[str, Mapping[str, PodDemand]]  # per pool, model -> the pod it stages
    shadow: frozenset[str]  # pools whose orders are only recorded


PolicySource = Callable[[float], Mapping[str, PoolPolicy]]  # now -> policy per pool


class WarmthStep:
    def __init__(self, writer: PrefetchWriter, log: DecisionLog, policies: PolicySource,
                 is_leader: Callable[[], bool] = lambda: True, shadow: bool = False) -> None:
        self.writer, self.log, self.policies = writer, log, policies
        self.is_leader, self.shadow = is_leader, shadow

    def plan(self, state: ClusterState, forecast: DemandForecast | None,
             catalog: Mapping[str, ModelRef], now: float) -> WarmthPlans:
        """Plan every pool with a GPU template. A standby replica plans nothing
        (as the actuator, it leaves the record to the leader)."""
        if not self.is_leader():
            return WarmthPlans({}, {}, {}, frozenset())
        policies = self.policies(now)
        plans: dict[str, WarmthPlan] = {}
        pods: dict[str, dict[str, PodDemand]] = {}
        for pool, inputs in warmth_inputs(state, forecast, catalog).items():
            if not inputs.needs:
                continue
            pp = policies.get(pool, PoolPolicy())
            plans[pool] = plan_warmth(inputs.needs, [pp.priced(inputs.supply)], pp.policy)
            pods[pool] = {n.name: n.pod for n in inputs.needs}
        least = {p: pp.min_warm_nodes for p, pp in policies.items() if pp.min_warm_nodes}
        shadow = frozenset(p for p, pp in policies.items() if pp.shadow or self.shadow)
        return WarmthPlans(plans, warm_nodes(plans, least), pods, shadow)

    def act(self, planned: WarmthPlans, now: float) -> None:
        """Record every staging order, and write those of pools not in shadow mode."""
        for pool, plan in planned.plans.items():
            shadow = self.shadow or pool in planned.shadow
            for order in plan.stages:
                self._order(order, pool, planned.pods[pool], shadow, now)

    def _order(self, order: StageOrder, pool: str, pods: Mapping[str, PodDemand],
               shadow: bool, now: float) -> None:
        pod = pods.get(order.model)
        body = prefetch_body(order, pod) if pod is not None else None
        if body is None:
            outcome, subject = "skipped (no fetchable URI)", order.model
        else:
            subject = body["metadata"]["name"]
            outcome = "skipped (shadow)" if shadow else self._write(order, pods)
        self.log.add(DecisionRecord(
            at=now, kind="unstage" if order.drop else "stage", subject=subject,
            reason=f"{order.model} -> {order.tier} on {order.node}: {order.reason}",
            outcome=outcome, pool=pool))

    def _write(self, order: StageOrder, pods: Mapping[str, PodDemand]) -> str:
        try:
            created, deleted = self.writer.apply([order], pods)
        except KubeError as exc:  # one refused write must not stop the other orders
            return f"error: {exc}"
        if order.drop:
            return "deleted" if deleted else "absent"
        return "created" if created else "existed"
