"""The warmth planner: one pure function from models, pools and knobs to a
plan of which models stay GPU-resident, which are staged in host memory or on
local disk of which nodes, and how many idle nodes each pool keeps booted.

Per pool: every model's tiers are priced (`costs`); models go, most valuable
first, to the cheapest tier that has room (`slots`), on nodes that are up
anyway before idle or new ones; an idle or new node is kept only if what it
holds saves more expected penalty than the node costs; the budget drops the
spending that saves least per dollar. Each choice carries its reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from warmstart.warmth.costs import Costs, costs, gpu_usd_per_hour, node_usd
from warmstart.warmth.reasons import model_reason, pool_reason
from warmstart.warmth.slots import Candidates, Slot, slots
from warmstart.warmth.types import (
    STAGED_TIER,
    ModelNeed,
    ModelWarmth,
    PoolSupply,
    PoolWarmth,
    StageOrder,
    Warmth,
    WarmthPlan,
    WarmthPolicy,
)

OVERRIDE = "policy override"


@dataclass
class Choice:
    model: ModelNeed
    costs: Costs
    warmth: Warmth
    slot: Slot | None = None
    why: str = ""


def plan_warmth(models: Sequence[ModelNeed], pools: Sequence[PoolSupply],
                policy: WarmthPolicy) -> WarmthPlan:
    out: list[ModelWarmth] = []
    stages: list[StageOrder] = []
    pool_plans: list[PoolWarmth] = []
    budget = policy.budget_usd_per_hour
    spend = 0.0
    for pool in pools:
        mine = [m for m in models if m.pool == pool.name]
        choices, kept = _pack(mine, pool, policy)
        left = None if budget is None else budget - spend
        spend += _within_budget(choices, kept, pool, policy, left)
        _settle_cold(choices, kept)
        decided = [_decided(c, pool, policy) for c in choices]
        out += decided
        stages += _orders(choices, kept, {d.model: d for d in decided},
                          policy.stage_s_per_node)
        new = sum(1 for s in kept if s.new)
        paid = [s for s in kept if s.paid]
        pool_plans.append(PoolWarmth(pool.name, len(paid), new, pool_reason(pool, kept, policy),
                                     tuple(s.name for s in paid if not s.new)))
    return WarmthPlan(tuple(out), tuple(stages), tuple(pool_plans), spend)


def _pack(models: list[ModelNeed], pool: PoolSupply,
          policy: WarmthPolicy) -> tuple[list[Choice], list[Slot]]:
    """Tiers by cost, staged ones first-fit; then idle and new nodes that do not
    earn their price are let go, and their models fall back."""
    cap = policy.max_warm_nodes.get(pool.name, len(models))
    idle = sum(1 for n in pool.nodes if n.replicas == 0 and n.free_gpus > 0)
    room_left = len(models) if pool.max_nodes is None else pool.max_nodes - len(pool.nodes)
    every = slots(pool, max(0, min(cap - idle, len(models), room_left)))
    room = Candidates(every, min((m.model_bytes for m in models), default=0))
    choices = [Choice(m, costs(m, pool, policy), Warmth.COLD) for m in models]
    choices.sort(key=lambda c: c.costs.new - c.costs.host, reverse=True)
    for c in choices:
        _choose(c, room, policy)
    by_name = {c.model.name: c for c in choices}
    paid = [s for s in every if s.paid and s.models]
    kept = [s for s in every if s.models and not s.paid]
    for rank, s in enumerate(paid):
        if s.benefit >= node_usd(pool, policy) and rank < cap:
            kept.append(s)
        else:
            _release(s, by_name, "its node would cost more than the penalty it saves")
    return choices, kept


def _choose(c: Choice, room: Candidates, policy: WarmthPolicy) -> None:
    forced = policy.overrides.get(c.model.name)
    if forced is not None:
        c.why = OVERRIDE
    if forced is Warmth.COLD or (forced is None and c.costs.new - c.costs.host <= 0):
        c.warmth, c.why = Warmth.COLD, c.why or "no request expected"
        return
    tiers: tuple[Warmth, ...] = (Warmth.RESIDENT, Warmth.HOST, Warmth.DISK)
    want = forced if forced is not None else min(tiers, key=c.costs.of)
    if want is Warmth.RESIDENT:
        c.warmth = Warmth.RESIDENT
        return
    tiers = (want, Warmth.DISK) if want is Warmth.HOST else (want,)
    # on nodes paid for already before opening another
    for tier, unopened in [(t, False) for t in tiers] + [(t, True) for t in tiers]:
        slot = room.find(c.model, tier, c.costs.p, unopened)
        if slot is not None:
            slot.take(c.model, tier, c.costs.p, c.costs.new - c.costs.of(tier))
            c.warmth, c.slot = tier, slot
            return
    _fall_back(c, c.why or "no node has room")


def _fall_back(c: Choice, why: str) -> None:
    """Not staged after all: resident if that beats a cold start, else cold."""
    resident = c.costs.resident < c.costs.warm and c.why != OVERRIDE
    c.warmth, c.slot = (Warmth.RESIDENT if resident else Warmth.COLD), None
    c.why = f"{why}; a resident replica costs less than a cold start" if resident else why


def _release(slot: Slot, choices: dict[str, Choice], why: str) -> None:
    for m, _ in slot.models:
        _fall_back(choices[m.name], why)
    slot.models.clear()


def _within_budget(choices: list[Choice], kept: list[Slot], pool: PoolSupply,
                   policy: WarmthPolicy, left: float | None) -> float:
    """Spend $/h on resident replicas and kept idle nodes; over the budget, drop
    what saves least per dollar (overrides are never dropped). Returns spend."""
    items: list[tuple[float, float, Choice | Slot]] = []
    for c in choices:
        if c.warmth is Warmth.RESIDENT:
            per_h = c.model.gpus * gpu_usd_per_hour(pool)
            saved = c.costs.warm - c.costs.resident
            items.append((float("inf") if c.why == OVERRIDE else _per_dollar(saved, per_h),
                          per_h, c))
    for s in kept:
        if s.paid:
            items.append((_per_dollar(s.benefit - node_usd(pool, policy), pool.price_per_hour),
                          pool.price_per_hour, s))
    items.sort(key=lambda i: i[0], reverse=True)
    spend = 0.0
    for _, per_h, item in items:
        forced = isinstance(item, Choice) and item.why == OVERRIDE
        if left is None or spend + per_h <= left or forced:
            spend += per_h
        elif isinstance(item, Choice):
            item.warmth, item.why = Warmth.COLD, "over budget"
        else:
            kept.remove(item)
            _release(item, {c.model.name: c for c in choices}, "over budget")
    return spend


def _per_dollar(saved: float, per_h: float) -> float:
    """Saving per dollar an hour; what costs nothing (an idle price of 0) ranks first."""
    return saved / per_h if per_h > 0 else math.inf


def _settle_cold(choices: list[Choice], kept: list[Slot]) -> None:
    """A model left cold starts on a kept node with a free GPU if there is one."""
    most = max((s.free_gpus for s in kept), default=0)
    for c in choices:
        if c.warmth is Warmth.COLD and c.model.gpus > most:
            c.costs = Costs(c.costs.p, c.costs.horizon_s, c.costs.resident, c.costs.host,
                            c.costs.disk, c.costs.new, c.costs.new)


def _decided(c: Choice, pool: PoolSupply, policy: WarmthPolicy) -> ModelWarmth:
    t = c.model.times
    start = {Warmth.RESIDENT: 0.0, Warmth.HOST: t.host, Warmth.DISK: t.disk}.get(
        c.warmth, t.warm if c.costs.warm < c.costs.new or c.costs.p == 0 else t.new)
    return ModelWarmth(c.model.name, pool.name, c.warmth, c.slot.name if c.slot else None,
                       c.costs.p, start, c.costs.of(c.warmth),
                       partial(model_reason, c.model, c.warmth, c.slot, c.costs, c.why, policy))


def _orders(choices: list[Choice], kept: list[Slot], decided: dict[str, ModelWarmth],
            stage_s_per_node: float) -> list[StageOrder]:
    """Prefetches for what booted nodes do not hold yet; drops from host memory
    where what is held but no longer wanted leaves no room for what is."""
    orders: list[StageOrder] = []
    names = {c.model.pod.model.uri: c.model.name for c in choices if c.model.pod.model}
    for s in kept:
        if s.new:
            continue  # staged at the next step, once the node exists
        wanted: set[str] = set()
        nic_s = 0.0
        for m, tier in s.models:  # most valuable first
            uri = m.pod.model.uri if m.pod.model else ""
            if tier is Warmth.HOST:
                wanted.add(uri)
            if s.holds(m, tier):
                continue
            # from the node's own disk copy, or downloaded over its NIC
            download = 0.0 if s.holds(m, Warmth.DISK) else m.times.warm - m.times.host
            if nic_s > 0 and nic_s + download > stage_s_per_node:
                continue  # ordered at a later step
            nic_s += download
            orders.append(StageOrder(m.name, s.name, STAGED_TIER[tier],
                                     reason=decided[m.name].reason))
        excess = -s.host_left + sum(b for u, b in s.host_held.items() if u not in wanted)
        for uri, size in sorted(s.host_held.items(), key=lambda i: -i[1]):
            if excess <= 0:
                break
            if uri not in wanted and uri in names:
                orders.append(StageOrder(names[uri], s.name, STAGED_TIER[Warmth.HOST], drop=True,
                                         reason="room for models more likely to be asked for"))
                excess -= size
    return orders
