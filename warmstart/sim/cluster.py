"""All nodes of the simulated cluster, indexed for fast placement: free GPUs,
ready times, and which nodes hold each cached item, as arrays over node slots.
"""

from __future__ import annotations

import numpy as np

from warmstart.sim.config import ClusterSpec, PoolSpec
from warmstart.sim.nodes import Changes, SimNode, pool_defaults
from warmstart.sim.truth import GroundTruth


class SimCluster:
    def __init__(self, spec: ClusterSpec, truth: GroundTruth | None = None) -> None:
        self.spec = spec
        self.truth = truth or GroundTruth(spec.truth, np.random.default_rng(0))
        self.pool_ids = {p.name: i for i, p in enumerate(spec.pools)}
        self._defaults = {p.name: pool_defaults(p) for p in spec.pools}
        size = 64
        self.free = np.zeros(size, dtype="int64")
        self.ready_at = np.zeros(size)
        self.pool_of = np.full(size, -1, dtype="int64")  # -1: empty slot
        self.nodes: dict[int, SimNode] = {}
        self._slots: list[int] = list(range(size - 1, -1, -1))
        self._masks: dict[str, np.ndarray] = {}
        self.created = 0
        self.node_seconds: dict[str, float] = dict.fromkeys(self.pool_ids, 0.0)

    def add_node(self, pool: PoolSpec, now: float, ready_at: float) -> SimNode:
        if not self._slots:
            self._grow()
        slot = self._slots.pop()
        node = SimNode(slot, pool, self._defaults[pool.name], self.spec.truth,
                       self.truth.node(), now, ready_at)
        node.name = f"{pool.name}-{self.created}"
        self.created += 1
        self.nodes[slot] = node
        self.free[slot] = pool.gpus_per_node
        self.ready_at[slot] = ready_at
        self.pool_of[slot] = self.pool_ids[pool.name]
        return node

    def _grow(self) -> None:
        size = len(self.free)
        self.free = np.r_[self.free, np.zeros(size, dtype="int64")]
        self.ready_at = np.r_[self.ready_at, np.zeros(size)]
        self.pool_of = np.r_[self.pool_of, np.full(size, -1, dtype="int64")]
        self._slots.extend(range(2 * size - 1, size - 1, -1))
        for key, mask in self._masks.items():
            self._masks[key] = np.r_[mask, np.zeros(size, dtype=bool)]

    def remove_node(self, node: SimNode, now: float) -> None:
        """The node is gone (scaled down or reclaimed): so are its caches."""
        self.node_seconds[node.pool.name] += now - node.created_at
        for key in node.cache_keys():
            self.mask(key)[node.index] = False
        del self.nodes[node.index]
        self.pool_of[node.index] = -1
        self.free[node.index] = 0
        self._slots.append(node.index)

    def pool_nodes(self, pool: str) -> int:
        return int(np.count_nonzero(self.pool_of == self.pool_ids[pool]))

    def fitting(self, pool: str, gpus: int, now: float) -> tuple[np.ndarray, np.ndarray]:
        """Slots of the pool's nodes with `gpus` free: (ready ones, booting ones)."""
        fits = (self.pool_of == self.pool_ids[pool]) & (self.free >= gpus)
        ready = fits & (self.ready_at <= now)
        return np.flatnonzero(ready), np.flatnonzero(fits & ~ready)

    def ready_free(self, pool: str, gpus: int, now: float) -> np.ndarray:
        """Free GPUs of each slot holding a ready node of the pool with `gpus`
        free, -1 elsewhere: the least-allocated spread's input in few passes."""
        fits = ((self.pool_of == self.pool_ids[pool]) & (self.free >= gpus)
                & (self.ready_at <= now))
        return np.where(fits, self.free, -1)

    def allocate(self, node: SimNode, gpus: int, now: float) -> None:
        self.apply(node, node.allocate(gpus, now))
        self.free[node.index] = node.free_gpus

    def release(self, node: SimNode, gpus: int, now: float) -> None:
        node.release(gpus, now)
        self.free[node.index] = node.free_gpus

    def loaded(self, node: SimNode, uri: str, model_bytes: int, image: str,
               image_bytes: int, now: float) -> None:
        self.apply(node, node.loaded(uri, model_bytes, image, image_bytes, now))

    def apply(self, node: SimNode, changes: Changes) -> None:
        """Keep the holder index in step with a node's cache changes."""
        added, evicted = changes
        for key in added:
            self.mask(key)[node.index] = True
        for key in evicted:
            self.mask(key)[node.index] = False

    def mask(self, key: str) -> np.ndarray:
        """Which slots hold `key` (see `SimNode.loaded` for the key prefixes)."""
        if key not in self._masks:
            self._masks[key] = np.zeros(len(self.free), dtype=bool)
        return self._masks[key]

    def close(self, now: float) -> None:
        for node in list(self.nodes.values()):
            self.remove_node(node, now)
