"""Replicas of every model and the GPUs they hold: start one where the policy
places it (a new node through the cluster-autoscaler path if none fits), time
it by the ground truth (noting the product's estimate beside it), stop and
reclaim them.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from warmstart.sim.catalog import ModelSpec
from warmstart.sim.cluster import SimCluster
from warmstart.sim.config import ClusterSpec, PoolSpec
from warmstart.sim.estimates import Estimates
from warmstart.sim.metrics import RunMetrics
from warmstart.sim.nodes import SimNode
from warmstart.sim.placement import Placer
from warmstart.sim.truth import GroundTruth


@dataclass(eq=False, slots=True)
class Replica:
    model: int
    node: SimNode
    started_at: float
    ready_at: float
    stages: dict[str, float]
    trigger: str
    estimated_s: float
    alive: bool = True
    ready: bool = False
    waited: bool = False


@dataclass
class Replicas:
    spec: ClusterSpec
    models: list[ModelSpec]
    placer: Placer
    image_bytes: dict[str, int]
    rng: np.random.Generator
    metrics: RunMetrics
    cluster: SimCluster = field(init=False)
    heap: list[tuple[float, int, str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.models)
        self.truth = GroundTruth(self.spec.truth, np.random.default_rng(
            [int(self.rng.integers(2**32)), 1]))
        self.cluster = SimCluster(self.spec, self.truth)
        self.estimates = Estimates(self.image_bytes)
        self.pending: list[list[Replica]] = [[] for _ in range(n)]
        self.ready: list[list[Replica]] = [[] for _ in range(n)]
        self.n_ready = np.zeros(n, dtype="int64")
        self.n_total = np.zeros(n, dtype="int64")
        self.on_node: dict[int, set[Replica]] = {}
        self._seq = itertools.count()

    def push(self, when: float, kind: str, item: Any) -> None:
        heapq.heappush(self.heap, (when, next(self._seq), kind, item))

    def new_node(self, pool: PoolSpec, at: float, reaction_delay: bool = True) -> SimNode | None:
        """A node requested at `at`: after the cluster-autoscaler noticed, it boots."""
        if self.cluster.pool_nodes(pool.name) >= pool.max_nodes:
            return None
        auto = self.spec.autoscaler
        seen = at
        if reaction_delay:  # CA ignores young GPU pods, then acts on its next scan
            seen = math.ceil((at + auto.ca_gpu_pod_min_age_s) / auto.ca_scan_s) * auto.ca_scan_s
        boot = float(self.rng.uniform(*pool.boot_seconds))
        node = self.cluster.add_node(pool, seen, seen + boot)
        self.on_node[node.index] = set()
        self.metrics.nodes_created += 1
        if pool.spot and pool.reclaims_per_hour > 0:
            life = float(self.rng.exponential(3600.0 / pool.reclaims_per_hour))
            self.push(seen + life, "reclaim", node)
        self.node_emptied(node, seen)
        return node

    def start(self, m: int, at: float, trigger: str) -> Replica | None:
        spec = self.models[m]
        node = self.placer(spec, self.cluster, at, self.rng)
        if node is None:
            node = self.new_node(self.spec.pool(spec.pool), at)
            if node is None:
                return None
        # What the product expects (the agent's report, the pool's nominal speeds) ...
        estimate = self.estimates(spec, node, at, reported=True).total_s
        # ... and what happens: the node as it is, its own speeds, its busy links.
        nominal = self.estimates(spec, node, at, reported=False)
        stages = self.truth.start(nominal, node.real, spec.image, at)
        actual = sum(stages.values())
        replica = Replica(m, node, at, at + actual, stages, trigger, estimate)
        self.metrics.estimate_errors.append(abs(estimate - actual) / max(actual, 1e-9))
        self.metrics.start_seconds += actual
        self.cluster.allocate(node, spec.gpus, at)
        self.on_node[node.index].add(replica)
        bisect.insort(self.pending[m], replica, key=lambda r: r.ready_at)
        self.n_total[m] += 1
        self.metrics.replica_starts += 1
        self.push(replica.ready_at, "ready", replica)
        return replica

    def became_ready(self, replica: Replica) -> None:
        if not replica.alive:
            return
        m, spec = replica.model, self.models[replica.model]
        self.pending[m].remove(replica)
        self.ready[m].append(replica)
        self.n_ready[m] += 1
        replica.ready = True
        self.cluster.loaded(replica.node, spec.uri, spec.model_bytes, spec.image,
                            self.image_bytes[spec.image], replica.ready_at)

    def scale_up(self, m: int, want: int, at: float, trigger: str) -> None:
        """Start replicas until `want` are ready or starting (as many as fit)."""
        while self.n_total[m] < want and self.start(m, at, trigger) is not None:
            pass

    def scale_to(self, m: int, keep: int, when: float) -> None:
        """Stop replicas down to `keep`: those still starting first, newest first."""
        while self.n_total[m] > keep:
            replica = self.pending[m][-1] if self.pending[m] else self.ready[m][-1]
            self.kill(replica, when)

    def kill(self, replica: Replica, when: float) -> None:
        m, spec, node = replica.model, self.models[replica.model], replica.node
        replica.alive = False
        self.n_total[m] -= 1
        if replica.ready:
            self.ready[m].remove(replica)
            self.n_ready[m] -= 1
            node.unloaded(spec.uri, spec.image)
        else:
            self.pending[m].remove(replica)
        self.cluster.release(node, spec.gpus, when)
        self.on_node[node.index].discard(replica)
        if node.replicas == 0:
            self.node_emptied(node, when)

    def node_emptied(self, node: SimNode, when: float) -> None:
        self.push(when + self.spec.autoscaler.ca_scale_down_unneeded_s, "idle", (node, when))

    def alive(self, node: SimNode) -> bool:
        return self.cluster.nodes.get(node.index) is node

    def remove_node(self, node: SimNode, when: float) -> None:
        for replica in list(self.on_node[node.index]):
            self.kill(replica, when)
        del self.on_node[node.index]
        self.cluster.remove_node(node, when)
