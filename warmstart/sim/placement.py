"""Where a new replica goes. The default scheduler's least-allocated spread,
or warmstart's: the extender's own `score_node` over the nodes that hold
something of the pod, the highest score winning, least-allocated breaking ties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from warmstart.scoring import score_node
from warmstart.sim.catalog import ModelSpec
from warmstart.sim.cluster import SimCluster
from warmstart.sim.nodes import SimNode


class Placer(Protocol):
    def __call__(self, model: ModelSpec, cluster: SimCluster, now: float,
                 rng: np.random.Generator) -> SimNode | None:
        """A node with room for one replica, or None: the pod is unschedulable."""
        ...


def _pick(top: np.ndarray, cluster: SimCluster, rng: np.random.Generator) -> SimNode:
    # kube-scheduler picks at random among equally scored nodes.
    pick = top[0] if len(top) == 1 else top[rng.integers(len(top))]
    return cluster.nodes[int(pick)]


def least_allocated(model: ModelSpec, cluster: SimCluster, now: float,
                    rng: np.random.Generator) -> SimNode | None:
    """NodeResourcesFit LeastAllocated; else wait for the earliest booting node."""
    free = cluster.ready_free(model.pool, model.gpus, now)
    best = free.max()
    if best >= 0:
        return _pick((free == best).nonzero()[0], cluster, rng)
    _, booting = cluster.fitting(model.pool, model.gpus, now)
    if booting.size:
        return cluster.nodes[int(booting[np.argmin(cluster.ready_at[booting])])]
    return None


def random_feasible(model: ModelSpec, cluster: SimCluster, now: float,
                    rng: np.random.Generator) -> SimNode | None:
    """Any ready node with room, uniformly: the yardstick placement must beat."""
    ready, _ = cluster.fitting(model.pool, model.gpus, now)
    if ready.size:
        return cluster.nodes[int(ready[rng.integers(len(ready))])]
    return least_allocated(model, cluster, now, rng)


# kube-scheduler adds an extender's score x weight x 10 (MaxNodeScore 100 over
# MaxExtenderPriority 10) to its in-tree scores; weight 1 puts warmstart's 0..10
# on par with the LeastAllocated spread's 0..100.
EXTENDER_WEIGHT = 1


@dataclass
class ScoringPlacer:
    """Placement by `warmstart.scoring.score_node`, the extender's scorer,
    combined as kube-scheduler combines it: extender score x weight x 10 plus
    the LeastAllocated spread (100 x free GPUs / node GPUs), best total wins,
    ties broken at random.

    Ready nodes fall into classes by what they hold of this pod: model on disk,
    model in page cache, image, image run recently. Within a class of one pool
    every input of the estimate is the same (a node holds a model whole, and
    bandwidths and CUDA defaults are the pool's), and `score_node` is pure, so
    each (model, pool, class) is scored once on one of its nodes and the score
    kept. Nodes holding nothing of the pod score 0 by construction.
    """

    image_bytes: Mapping[str, int]
    weight: int = EXTENDER_WEIGHT
    scored_calls: int = 0
    _scores: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def __call__(self, model: ModelSpec, cluster: SimCluster, now: float,
                 rng: np.random.Generator) -> SimNode | None:
        ready, _ = cluster.fitting(model.pool, model.gpus, now)
        if not ready.size:
            return least_allocated(model, cluster, now, rng)
        keys = (f"m:{model.uri}", f"h:{model.uri}", f"i:{model.image}", f"r:{model.image}")
        classes = np.zeros(len(ready), dtype="int64")
        for bit, key in enumerate(keys):
            classes |= cluster.mask(key)[ready].astype("int64") << bit
        scores = self._scores.setdefault((model.uri, model.pool), np.full(16, -1))
        for held in np.unique(classes).tolist():
            if scores[held] < 0:
                node = cluster.nodes[int(ready[np.argmax(classes == held)])]
                scores[held] = score_node(model.pod, node.view(now), self.image_bytes).score
                self.scored_calls += 1
        per_node = cluster.spec.pool(model.pool).gpus_per_node
        total = scores[classes] * self.weight * 10 + 100 * cluster.free[ready] / per_node
        return _pick(ready[total == total.max()], cluster, rng)
