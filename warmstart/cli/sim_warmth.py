"""The simulator's `warmstart` policy steered by the warmth planner: every
advisor call turns the simulated cluster into the planner's inputs (tier start
times from the shared estimate, the forecast's rates, the learned keep-alive's
idle-time histograms, nodes with their free GPUs and cache room) and the plan
into the simulator's advice: resident floors, stagings, idle warm nodes.

The forecast is injected (`SimForecaster` in `sim_policies`), so this module
only translates. One policy plans every pool, or (the admin API's simulation)
each pool plans under its own `PoolPolicy`, as `warmstart provisioner run` plans.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from provisioner.warm_nodes import warm_nodes
from provisioner.warmth_step import PoolPolicy
from warmstart.domain.node import NodeInventory, WarmSignals
from warmstart.estimate import NodeView
from warmstart.hybrid_histogram import BIN_S, IdleHistograms
from warmstart.sim.advisor import (
    CapacityAdvice,
    ClusterSnapshot,
    DemandHistory,
    ModelState,
    WarmTarget,
)
from warmstart.sim.catalog import image_sizes
from warmstart.sim.config import ClusterSpec, PoolSpec
from warmstart.sim.nodes import pool_defaults
from warmstart.warmth import (
    HostNode,
    ModelNeed,
    Outlook,
    PoolSupply,
    TierTimes,
    WarmthPlan,
    WarmthPolicy,
    idle_cdf,
    plan_warmth,
    tier_times,
)

Forecast = Callable[[ClusterSnapshot, DemandHistory], Mapping[str, float]]  # req/s per model
PoolPolicies = Callable[[float], Mapping[str, PoolPolicy]]  # now -> each pool's knobs


def pool_template(pool: PoolSpec) -> NodeView:
    """A booted, empty node of the pool as its agent reports one."""
    defaults = pool_defaults(pool).model_copy(
        update={"boot_seconds": sum(pool.boot_seconds) / 2})
    inventory = NodeInventory(node_name=pool.name,
                              warm=WarmSignals(persistence_mode=pool.persistence_mode))
    return NodeView(name=pool.name, inventory=inventory, pool=defaults)


@dataclass
class WarmthAdvisor:
    """A CapacityAdvisor: forecast + learned keep-alive -> plan_warmth -> advice."""

    cluster: ClusterSpec
    forecast: Forecast
    policy: WarmthPolicy = field(default_factory=WarmthPolicy)
    # Each pool under its own knobs (a pool missing: `policy`); None: one plan.
    pool_policies: PoolPolicies | None = None
    _times: dict[str, TierTimes] = field(default_factory=dict)
    _idle: IdleHistograms | None = None
    _active_until: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _learned_to: float = -math.inf
    _since: float = 0.0  # the start of the history learned from
    _cdfs: dict[int, tuple[float, ...]] = field(default_factory=dict)  # rows unchanged since
    last_plan: WarmthPlan | None = None

    def __call__(self, snap: ClusterSnapshot, history: DemandHistory) -> CapacityAdvice:
        self._learn(history)
        rates = self.forecast(snap, history)
        spells = self._spell_rates(snap.now)
        seen = [s for m, s in zip(snap.models, spells, strict=True) if m.last_request_s]
        # A model never asked for yet: the average model's rate, not zero.
        prior = sum(seen) / len(seen) if seen else 0.0
        needs = [self._need(m, i, snap.now, rates.get(m.name, 0.0),
                            spells[i] if m.last_request_s is not None else prior)
                 for i, m in enumerate(snap.models)]
        plan = self._plan(needs, self._pools(snap), snap.now)
        self.last_plan = plan
        # Floors overlap the next call, which replaces them (0 clears one).
        until = snap.now + 2 * self.policy.step_s
        resident = plan.resident()
        # A reason is worded only where a floor is set: most models get none.
        replicas = {m.model: WarmTarget(1, until, m.reason) if m.model in resident
                    else WarmTarget(0, until) for m in plan.models}
        return CapacityAdvice(replicas=replicas,
                              warm_nodes={p.pool: p.idle_nodes for p in plan.pools},
                              reasons=tuple(p.reason for p in plan.pools),
                              staging=tuple(plan.stages),
                              keep=frozenset(n for p in plan.pools for n in p.keep))

    def _plan(self, needs: Sequence[ModelNeed], pools: Sequence[PoolSupply], now: float
              ) -> WarmthPlan:
        if self.pool_policies is None:
            return plan_warmth(needs, pools, self.policy)
        policies = self.pool_policies(now)
        plans = {}
        for pool in pools:  # as `WarmthStep` plans: budget, idle price, floor per pool
            pp = policies.get(pool.name, PoolPolicy(self.policy))
            plans[pool.name] = plan_warmth(needs, [pp.priced(pool)], pp.policy)
        warm = warm_nodes(plans, {p: pp.min_warm_nodes for p, pp in policies.items()})
        return WarmthPlan(
            tuple(m for p in plans.values() for m in p.models),
            tuple(s for p in plans.values() for s in p.stages),
            tuple(replace(w, idle_nodes=warm[w.pool].nodes, reason=warm[w.pool].reason)
                  if w.pool in warm else w for p in plans.values() for w in p.pools),
            sum(p.spend_usd_per_hour for p in plans.values()))

    def _learn(self, history: DemandHistory) -> None:
        """Feed the idle-time histograms with the spells that ended since the last call."""
        n, bins = history.rates.shape
        if self._idle is None:
            self._idle = IdleHistograms(n)
            self._active_until = np.full(n, -np.inf)
        if not math.isfinite(self._learned_to):
            self._learned_to = history.end_s - history.step_s * bins
            self._since = self._learned_to
        starts = history.end_s - history.step_s * np.arange(bins, 0, -1)
        for j in np.flatnonzero(starts >= self._learned_to).tolist():
            active = np.flatnonzero(history.rates[:, j] > 0)
            idle = starts[j] - self._active_until[active]
            spell = np.isfinite(idle) & (idle > 0)
            self._idle.observe(active[spell], idle[spell])
            for row in active[spell].tolist():
                self._cdfs.pop(row, None)
            self._active_until[active] = starts[j] + history.step_s
        self._learned_to = history.end_s

    def _spell_rates(self, now: float) -> list[float]:
        """Idle spells ended per second per model, over the history learned."""
        assert self._idle is not None
        spells = self._idle.hist.sum(axis=1) + self._idle.oob_count
        return [float(s) for s in spells / max(now - self._since, BIN_S)]

    def _need(self, m: ModelState, i: int, now: float, rate: float,
              spells_per_s: float) -> ModelNeed:
        times = self._times.get(m.name)
        if times is None:
            pool = self.cluster.pool(m.pool)
            times = self._times[m.name] = tier_times(m.pod, m.model_bytes, pool_template(pool),
                                                     image_sizes(self.cluster))
        assert self._idle is not None
        cdf = self._cdfs.get(i)
        if cdf is None:
            cdf = self._cdfs[i] = idle_cdf(self._idle.hist[i], int(self._idle.oob_count[i]))
        idle_s = None if m.last_request_s is None else now - m.last_request_s
        return ModelNeed(m.name, m.pool, m.pod, m.model_bytes, m.gpus_per_replica, m.ready,
                         times, Outlook(rate, idle_s, cdf, BIN_S, spells_per_s))

    def _pools(self, snap: ClusterSnapshot) -> list[PoolSupply]:
        by_pool: dict[str, list[HostNode]] = {}
        for n in snap.nodes():
            pool = n.view.pool.name if n.view.pool is not None else ""
            by_pool.setdefault(pool, []).append(
                HostNode(n.view, n.free_gpus, n.replicas, n.host_bytes, n.disk_bytes))
        return [PoolSupply(p.name, p.gpus_per_node, p.price_per_hour, p.host_cache_bytes,
                           p.disk_cache_bytes, tuple(by_pool.get(p.name, ())), p.max_nodes)
                for p in self.cluster.pools]

