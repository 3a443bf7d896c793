"""The warmth planner inside `warmstart provisioner run`: each pool's stored
`WarmthPolicy` (the admin API's custom resource) turned into the planner's
knobs at every step (scheduled overrides are active or not at that moment),
and the step attached to the controller: it plans before each capacity step
(which asks for the warm nodes the plan keeps, at least `minWarmNodes`) and
writes the staging orders as Prefetch objects after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from provisioner.controller import Controller
from provisioner.decisions import DecisionLog
from provisioner.prefetch import PrefetchWriter
from provisioner.settings import ProvisionerSettings
from provisioner.warmth_step import PoolPolicy, WarmthStep
from warmstart.admin.policy import StoredPolicy, WarmthPolicySpec
from warmstart.kube.client import KubeClient
from warmstart.warmth import Warmth, WarmthPolicy

DEFAULT_SLO_S = WarmthPolicy().slo_wait_s


def pool_policy(pool: str, spec: WarmthPolicySpec, now: float) -> PoolPolicy:
    """The planner's knobs for one pool from its stored policy at `now`."""
    policy = WarmthPolicy(
        cold_request_usd=spec.cold_start_value,
        slo_wait_s=spec.slo_seconds if spec.slo_seconds is not None else DEFAULT_SLO_S,
        budget_usd_per_hour=spec.budget_dollars_per_hour,
        max_warm_nodes={} if spec.max_warm_nodes is None else {pool: spec.max_warm_nodes},
        overrides={o.model: Warmth(o.tier) for o in spec.overrides_active(now)})
    return PoolPolicy(policy, spec.shadow, spec.idle_cost_per_gpu_hour, spec.min_warm_nodes)


def attach_warmth(ctl: Controller, client: KubeClient, settings: ProvisionerSettings,
                  log: DecisionLog, stored: Callable[[], Mapping[str, StoredPolicy]],
                  is_leader: Callable[[], bool] = lambda: True) -> WarmthStep:
    """Plan warmth after every capacity step of `ctl`, under the policies `stored`
    returns (a pool without one gets the planner's defaults)."""
    def policies(now: float) -> dict[str, PoolPolicy]:
        return {p.pool: pool_policy(p.pool, p.spec, now) for p in dict(stored()).values()}

    step = WarmthStep(PrefetchWriter(client), log, policies, is_leader, settings.shadow)
    ctl.warmth = step
    return step
