"""The warmth half of a planning step: per pool, the warmth planner on the
snapshot and forecast under that pool's policy, its staging orders recorded
with their reasons and, unless the pool (or the whole provisioner) is in
shadow mode, written as Prefetch objects; only by the Lease holder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from provisioner.decisions import DecisionLog, DecisionRecord
from provisioner.prefetch import PrefetchWriter, prefetch_body
from provisioner.state import ClusterState
from provisioner.warmth_inputs import warmth_inputs
from warmstart.domain import DemandForecast, ModelRef, PodDemand
from warmstart.kube.errors import KubeError
from warmstart.warmth import StageOrder, WarmthPlan, WarmthPolicy, plan_warmth


@dataclass(frozen=True, slots=True)
class PoolPolicy:
    """What one pool's planner obeys, and whether its orders are only recorded."""

    policy: WarmthPolicy = field(default_factory=WarmthPolicy)
    shadow: bool = False
    idle_usd_per_gpu_hour: float | None = None  # None: the pool's price per GPU-hour


PolicySource = Callable[[float], Mapping[str, PoolPolicy]]  # now -> policy per pool


class WarmthStep:
    def __init__(self, writer: PrefetchWriter, log: DecisionLog, policies: PolicySource,
                 is_leader: Callable[[], bool] = lambda: True, shadow: bool = False) -> None:
        self.writer, self.log, self.policies = writer, log, policies
        self.is_leader, self.shadow = is_leader, shadow

    def __call__(self, state: ClusterState, forecast: DemandForecast | None,
                 catalog: Mapping[str, ModelRef], now: float) -> dict[str, WarmthPlan]:
        """Plan every pool, act on the plans; the plans by pool. A standby replica
        plans nothing (as the actuator, it leaves the record to the leader)."""
        if not self.is_leader():
            return {}
        policies = self.policies(now)
        plans: dict[str, WarmthPlan] = {}
        for pool, inputs in warmth_inputs(state, forecast, catalog).items():
            if not inputs.needs:
                continue
            pp = policies.get(pool, PoolPolicy())
            supply = inputs.supply
            if pp.idle_usd_per_gpu_hour is not None:
                supply = replace(supply,
                                 price_per_hour=pp.idle_usd_per_gpu_hour * supply.gpus_per_node)
            plans[pool] = plan = plan_warmth(inputs.needs, [supply], pp.policy)
            pods = {n.name: n.pod for n in inputs.needs}
            shadow = self.shadow or pp.shadow
            for order in plan.stages:
                self._order(order, pool, pods, shadow, now)
        return plans

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
