"""Runs an injected `CapacityAdvisor` inside a simulation: keeps the demand
history it reads, builds the snapshot it is given, and applies its advice
(warm replicas per model until a deadline, idle warm nodes per pool, models
staged on or dropped from nodes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from warmstart.sim.advisor import (
    CapacityAdvice,
    ClusterSnapshot,
    DemandHistory,
    ModelState,
    NodeState,
    PoolState,
)
from warmstart.sim.policies import Policy
from warmstart.sim.staging import stage, unstage

if TYPE_CHECKING:
    from warmstart.estimate import NodeView
    from warmstart.sim.engine import Simulation
    from warmstart.sim.nodes import SimNode


class AdvisorLink:
    def __init__(self, sim: Simulation, policy: Policy) -> None:
        assert policy.advisor is not None
        self.sim, self.advisor = sim, policy.advisor
        self.interval = max(1, round(policy.advisor_interval_s / sim.demand.step_s))
        bins = max(1, round(policy.history_s / sim.demand.step_s))
        n = len(sim.models)
        self.history = np.zeros((n, bins))
        self.floor = np.zeros(n, dtype="int64")
        self.until = np.full(n, -np.inf)
        self.warm_nodes: dict[str, int] = {}
        self.keep: frozenset[str] = frozenset()
        self.index = {m.name: i for i, m in enumerate(sim.models)}
        self.calls = 0

    def record(self, k: int, ms: np.ndarray, count: np.ndarray) -> None:
        self.history[ms, k % self.history.shape[1]] += count / self.sim.demand.step_s

    def step(self, k: int, t: float) -> None:
        """Called at the start of step k (virtual time t), before its arrivals."""
        bins = self.history.shape[1]
        if k % self.interval == 0:
            order = (np.arange(bins) + k) % bins
            history = DemandHistory(tuple(m.name for m in self.sim.models),
                                    self.sim.demand.step_s, t, self.history[:, order])
            self.apply(self.advisor(self.snapshot(t), history), t)
            self.calls += 1
        self.history[:, k % bins] = 0.0

    def apply(self, advice: CapacityAdvice, t: float) -> None:
        reps = self.sim.reps
        for name, target in advice.replicas.items():
            m = self.index[name]
            self.floor[m], self.until[m] = target.replicas, target.until_s
            reps.scale_up(m, target.replicas, t, "advisor")
        if advice.staging:
            nodes = {n.name: n for n in reps.cluster.nodes.values()}
            for order in advice.staging:
                node = nodes.get(order.node)
                if node is not None:  # gone since the snapshot: nothing to do
                    act = unstage if order.drop else stage
                    act(reps, node, self.index[order.model], order.tier, t)
        self.warm_nodes = dict(advice.warm_nodes)
        self.keep = advice.keep
        for pool in self.sim.spec.pools:
            missing = self.warm_nodes.get(pool.name, 0) - self._idle(pool.name)
            for _ in range(max(0, missing)):
                reps.new_node(pool, t, reaction_delay=False)

    def min_replicas(self, ms: np.ndarray, at: np.ndarray | float) -> np.ndarray:
        return np.where(self.until[ms] > at, self.floor[ms], 0)

    def node_removable(self, node: SimNode) -> bool:
        """The cluster-autoscaler keeps the idle nodes the advisor asked for:
        those it named, then any up to its count."""
        if node.name in self.keep:
            return False
        return self._idle(node.pool.name) > self.warm_nodes.get(node.pool.name, 0)

    def _idle(self, pool: str) -> int:
        return sum(1 for n in self.sim.reps.cluster.nodes.values()
                   if n.pool.name == pool and n.replicas == 0)

    def snapshot(self, t: float) -> ClusterSnapshot:
        reps, cluster = self.sim.reps, self.sim.reps.cluster
        models = tuple(
            ModelState(m.name, m.pool, m.uri, m.gpus, m.requests_per_s,
                       int(reps.n_ready[i]), int(reps.n_total[i] - reps.n_ready[i]),
                       float(self.sim.last_req[i]) if np.isfinite(self.sim.last_req[i]) else None,
                       m.pod, m.model_bytes)
            for i, m in enumerate(self.sim.models))
        pools = [PoolState(p.name, p.gpus_per_node, p.price_per_hour) for p in self.sim.spec.pools]

        def views() -> tuple[NodeView, ...]:
            return tuple(n.view(t) for n in cluster.nodes.values())

        def states() -> tuple[NodeState, ...]:
            return tuple(NodeState(n.view(t), n.free_gpus, n.replicas, n.host.capacity,
                                   n.disk.capacity) for n in cluster.nodes.values())

        return ClusterSnapshot(t, models, tuple(pools), views, states)
