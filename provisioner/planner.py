"""`plan(state, forecast, policy, now) -> Plan`: the provisioner's one decision.

Pure and deterministic: the controller, the benchmark and the simulator all
call this same function on a snapshot, and every action it returns carries
its reason and the startup estimate behind it.
"""

from __future__ import annotations

from collections.abc import Mapping

from provisioner import naming
from provisioner.guardrails import apply_caps
from provisioner.headroom import (
    PoolNeed,
    grow,
    keep_alive_s,
    new_node_estimate,
    pool_needs,
    pool_template,
    shrink,
)
from provisioner.packing import Bin, PackResult, pack
from provisioner.plan_types import PENDING, Decision, NewNode, Plan, Release
from provisioner.policy import ProvisionerPolicy
from provisioner.resources import total
from provisioner.retries import clean_up, hold_back
from provisioner.state import ClusterState
from provisioner.templates import choose_template
from provisioner.warm_nodes import WarmNodes, idle_warm, protected, warm_shortfall
from warmstart.domain import DemandForecast


def _pending_nodes(result: PackResult, per_namespace: bool) -> list[NewNode]:
    nodes = []
    for b in result.new_bins:
        assert b.template is not None and b.estimate is not None
        uids = tuple(p.uid for p in b.pods)
        refs = tuple(p.ref for p in b.pods)
        reason = (
            f"{len(uids)} pending pod(s) fit no existing or requested capacity: "
            f"cheapest fast template {b.template.name} (${b.template.price_per_hour:.2f}/h, "
            f"ready in ~{b.estimate.total_s:.0f} s)"
        )
        nodes.append(NewNode(
            naming.pending_name(b.template.pool, uids), b.template, PENDING, uids, refs,
            total(p.requests for p in b.pods), b.estimate, reason,
            prefetch_models=tuple(sorted({p.demand.model.uri for p in b.pods if p.demand.model})),
            prefetch_images=tuple(sorted({i for p in b.pods for i in p.demand.images})),
            namespace=b.namespace if per_namespace else None,
        ))
    return nodes


def _needs(state: ClusterState, forecast: DemandForecast | None, bins: list[Bin],
           warm: Mapping[str, WarmNodes]) -> list[PoolNeed]:
    """The forecast's pool needs, and a need of no GPUs for a pool only warm nodes ask for."""
    needs = pool_needs(forecast, bins, state.serving) if forecast is not None else []
    known = {n.pool for n in needs}
    return needs + [PoolNeed(p, 0, sum(max(b.gpu_room, 0.0) for b in bins if b.pool == p), ())
                    for p in sorted(warm) if p not in known]


def _headroom(
    state: ClusterState, forecast: DemandForecast | None, policy: ProvisionerPolicy, now: float,
    bins: list[Bin], warm: Mapping[str, WarmNodes],
) -> tuple[list[NewNode], list[Release], list[Decision]]:
    busy = {b.owner for b in bins if b.pods and b.owner}
    taken = {o.name for o in state.owned}
    creates: list[NewNode] = []
    releases: list[Release] = []
    decisions: list[Decision] = []
    horizon = forecast.horizon_s if forecast is not None else 0.0
    for need in _needs(state, forecast, bins, warm):
        template = pool_template(need.pool, state.templates)
        idle = idle_warm(state.capacity, bins, need.pool)
        if template is not None:
            creates.extend(grow(need, template, taken, state.image_bytes, horizon,
                                warm_shortfall(warm.get(need.pool), len(idle))))
        owned = [o for o in state.owned if o.pool == need.pool and o.name not in busy]
        if need.free_gpus <= need.wanted_gpus or not owned:
            continue
        keep = (keep_alive_s(new_node_estimate(need, template, state.image_bytes), policy)
                if template is not None else policy.max_keep_alive_s)
        released, kept = shrink(need, owned, keep, now, protected(warm.get(need.pool), idle))
        releases.extend(released)
        decisions.extend(kept)
    return creates, releases, decisions


def plan(
    state: ClusterState,
    forecast: DemandForecast | None,
    policy: ProvisionerPolicy,
    now: float,
    warm: Mapping[str, WarmNodes] | None = None,
) -> Plan:
    """Decide what capacity to add and give back, with `warm` the idle nodes each
    pool keeps booted for staged models (`provisioner.warm_nodes`). No I/O, no clock."""
    age = now - state.observed_at
    if age > policy.max_state_age_s:
        why = f"state is {age:.1f} s old > bound {policy.max_state_age_s:.0f} s; no action"
        return Plan(now, decisions=(Decision("stale", "cluster", why),))
    result = pack(
        state.pending, state.capacity,
        lambda pod: choose_template(pod, state.templates, state.image_bytes,
                                    policy.price_tolerance),
        state.image_bytes,
        state.per_namespace,
    )
    creates = _pending_nodes(result, state.per_namespace)
    releases: list[Release] = []
    decisions: list[Decision] = []
    if (forecast is not None or warm) and policy.headroom:
        grown, releases, decisions = _headroom(state, forecast, policy, now, result.bins,
                                               warm or {})
        creates.extend(grown)
    creates, held, waiting = hold_back(creates, state.failed, policy, now)
    kept, capped = apply_caps(creates, state.capacity, state.recent_creations, policy, now)
    bases = {n.name: n.name.removesuffix(f"-r{n.attempt}") for n in creates}
    capped_bases = {bases.get(d.subject, d.subject) for d in capped}
    releases.extend(clean_up(state.failed, waiting, capped_bases))
    return Plan(
        now,
        creates=tuple(kept),
        releases=tuple(releases),
        placed=tuple(result.placed),
        pod_errors=(*state.unreadable, *result.errors),
        decisions=(*decisions, *held, *capped),
    )
