"""A simulated node: GPUs, boot state, and what its caches hold, seen through
the product's `NodeView` so the one startup estimate times every stage.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from warmstart.domain.node import CachedModel, CacheTier, NodeInventory, WarmSignals
from warmstart.domain.pool import PoolDefaults
from warmstart.estimate import NodeView
from warmstart.sim.cache import LruBytes
from warmstart.sim.config import PoolSpec

# A CUDA context starts warm when the same image ran here this recently.
RECENT_IMAGES = 4


class SimNode:
    def __init__(self, index: int, pool: PoolSpec, defaults: PoolDefaults,
                 created_at: float, ready_at: float) -> None:
        self.index = index
        self.name = f"{pool.name}-{index}"
        self.pool = pool
        self.defaults = defaults
        self.created_at = created_at
        self.ready_at = ready_at
        self.free_gpus = pool.gpus_per_node
        self.replicas = 0
        self.empty_since: float | None = created_at
        self.disk = LruBytes(pool.disk_cache_bytes)
        self.host = LruBytes(pool.host_cache_bytes)
        self.recent_images: list[str] = []
        self.in_use: Counter[str] = Counter()
        self._inventory: NodeInventory | None = None
        self._images: frozenset[str] = frozenset()
        # What the caches hold, kept as the inventory's entries so a rebuild is cheap.
        self._entries: dict[str, CachedModel | str] = {}

    def view(self, now: float) -> NodeView:
        """The node as the estimate and the scorer see it at `now`."""
        if self._inventory is None:
            self._inventory = NodeInventory(
                node_name=self.name,
                models=tuple(e for e in self._entries.values() if isinstance(e, CachedModel)),
                warm=WarmSignals(persistence_mode=self.pool.persistence_mode,
                                 recent_images=tuple(self.recent_images)),
            )
            self._images = frozenset(e for e in self._entries.values() if isinstance(e, str))
        return NodeView(
            name=self.name,
            images=self._images,
            inventory=self._inventory,
            pool=self.defaults,
            boot_remaining_s=max(0.0, self.ready_at - now),
        )

    def loaded(self, uri: str, model_bytes: int, image: str,
               image_bytes: int) -> tuple[list[str], list[str]]:
        """A replica finished loading here: its image and model are now cached.

        Returns the keys added and evicted (`i:` image, `m:` model on disk,
        `h:` model in page cache, `r:` image run recently), for the cluster's
        holder index.
        """
        keys = (f"i:{image}", f"m:{uri}", f"h:{uri}")
        for key in keys:
            self.in_use[key] += 1
        added: list[str] = []
        evicted: list[str] = []
        for cache, key, size in ((self.disk, keys[0], image_bytes),
                                 (self.disk, keys[1], model_bytes),
                                 (self.host, keys[2], model_bytes)):
            new, gone = cache.touch(key, size, self.in_use)
            added += [key] if new else []
            evicted += gone
        before = set(self.recent_images)
        others = [i for i in self.recent_images if i != image]
        self.recent_images = [image, *others][:RECENT_IMAGES]
        after = set(self.recent_images)
        added += [f"r:{i}" for i in after - before]
        evicted += [f"r:{i}" for i in before - after]
        for key in added:
            if not key.startswith("r:"):
                self._entries[key] = _entry(key, model_bytes)
        for key in evicted:
            self._entries.pop(key, None)
        if added or evicted:  # a refreshed LRU order changes nothing the estimate reads
            self._inventory = None
        return added, evicted

    def cache_keys(self) -> list[str]:
        """Every key this node holds, as `loaded` reports them."""
        return ([k for k, _ in self.disk.items()] + [k for k, _ in self.host.items()]
                + [f"r:{i}" for i in self.recent_images])

    def unloaded(self, uri: str, image: str) -> None:
        for key in (f"m:{uri}", f"i:{image}", f"h:{uri}"):
            self.in_use[key] -= 1
            if self.in_use[key] <= 0:
                del self.in_use[key]

    def allocate(self, gpus: int) -> None:
        self.free_gpus -= gpus
        self.replicas += 1
        self.empty_since = None

    def release(self, gpus: int, now: float) -> None:
        self.free_gpus += gpus
        self.replicas -= 1
        if self.replicas == 0:
            self.empty_since = now


_TIERS = {"m:": CacheTier.LOCAL_DISK, "h:": CacheTier.HOST_MEMORY}


def _entry(key: str, model_bytes: int) -> CachedModel | str:
    """The inventory entry for an `m:`, `h:` or `i:` key: a CachedModel or an image."""
    tier = _TIERS.get(key[:2])
    return _cached_model(key[2:], tier, model_bytes) if tier else key[2:]


@lru_cache(maxsize=1 << 16)
def _cached_model(uri: str, tier: CacheTier, size: int) -> CachedModel:
    """Entries are immutable and shared by many nodes: validate each once."""
    return CachedModel(uri=uri, tier=tier, bytes=size)


def pool_defaults(pool: PoolSpec) -> PoolDefaults:
    return PoolDefaults(name=pool.name, bandwidths=pool.bandwidths)
