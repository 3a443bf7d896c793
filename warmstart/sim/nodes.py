"""A simulated node: GPUs, boot state, what its caches really hold, and how the
product sees it (`view`: the agent's last report, the pool's nominal speeds)
as against how it is (`true_view`, timed by `warmstart.sim.truth`).

Cache keys: `i:` image on disk, `m:` model on disk, `h:` model in page cache,
`r:` image run recently (warm CUDA). Methods that change the caches return
the keys added and evicted, for the cluster's holder index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container
from functools import lru_cache

from warmstart.domain.node import CachedModel, CacheTier, NodeInventory, WarmSignals
from warmstart.domain.pool import PoolDefaults
from warmstart.estimate import NodeView
from warmstart.sim.agent_report import AgentReport, Holdings
from warmstart.sim.cache import LruBytes
from warmstart.sim.config import PoolSpec, TruthSpec
from warmstart.sim.truth import NodeTruth

# A CUDA context starts warm when the same image ran here this recently.
RECENT_IMAGES = 4
TIER_KEYS = {CacheTier.LOCAL_DISK: "m:", CacheTier.HOST_MEMORY: "h:"}
Changes = tuple[list[str], list[str]]
PodKeys = tuple[str, str, str, str]


@lru_cache(maxsize=1 << 16)
def pod_keys(uri: str, image: str) -> PodKeys:
    """The keys of what a node may hold of one pod: model on disk, model in
    page cache, image on disk, image run recently (`SimNode.held`'s bits)."""
    return f"m:{uri}", f"h:{uri}", f"i:{image}", f"r:{image}"


class SimNode:
    def __init__(self, index: int, pool: PoolSpec, defaults: PoolDefaults, truth: TruthSpec,
                 real: NodeTruth, created_at: float, ready_at: float) -> None:
        self.index = index
        self.name = f"{pool.name}-{index}"
        self.pool, self.defaults, self.real = pool, defaults, real
        self.created_at, self.ready_at = created_at, ready_at
        # What the provisioner expects of a boot; the truth drew `ready_at`.
        self.nominal_ready_at = (created_at + sum(pool.boot_seconds) / 2 if truth.enabled
                                 else ready_at)
        self.host_bytes_per_gpu = truth.host_bytes_per_gpu if truth.enabled else 0
        self.free_gpus = pool.gpus_per_node
        self.replicas = 0
        self.empty_since: float | None = created_at
        self.disk = LruBytes(pool.disk_cache_bytes)
        self.host = LruBytes(pool.host_cache_bytes)
        self.recent_images: list[str] = []
        self.in_use: Counter[str] = Counter()
        self.report = AgentReport(truth.agent_report_s if truth.enabled else 0.0, created_at)
        self._entries: dict[str, CachedModel | str] = {}
        self._holdings: Holdings | None = None
        self._built: list[tuple[Holdings, NodeInventory, frozenset[str]]] = []

    def holdings(self) -> Holdings:
        if self._holdings is None:
            self._holdings = (tuple(self._entries.items()), tuple(self.recent_images))
        return self._holdings

    def view(self, now: float) -> NodeView:
        """The node as the estimate and the scorer see it: the agent's last report."""
        return self._view(self.report.seen(now, self.holdings()), self.boot_remaining(now, True))

    def true_view(self, now: float) -> NodeView:
        return self._view(self.holdings(), self.boot_remaining(now, False))

    def boot_remaining(self, now: float, reported: bool) -> float:
        """Boot time left at `now`: as the provisioner expects it, or as drawn."""
        if not reported:
            return max(0.0, self.ready_at - now)
        return 0.0 if self.ready_at <= now else max(0.0, self.nominal_ready_at - now)

    def held(self, keys: PodKeys, now: float, reported: bool) -> int:
        """What the node holds of a pod's `keys`, bit by bit in their order: as
        the agent last reported it at `now`, or as it is. Unlike `view`, this
        needs no copy of the caches while the report is current."""
        entries: Container[str] = self._entries
        recent: Container[str] = self.recent_images
        if reported and self.report.stale(now):
            listed, recent = self.report.before
            entries = dict(listed)
        model, host, image, ran = keys
        return ((model in entries) | (host in entries) << 1 | (image in entries) << 2
                | (ran[2:] in recent) << 3)

    def _view(self, held: Holdings, boot_remaining: float) -> NodeView:
        inventory, images = self._inventory(held)
        return NodeView(name=self.name, images=images, inventory=inventory, pool=self.defaults,
                        boot_remaining_s=boot_remaining)

    def _inventory(self, held: Holdings) -> tuple[NodeInventory, frozenset[str]]:
        """Built once per holdings; the true and the reported one are kept."""
        for kept, inventory, images in self._built:
            if kept is held:
                return inventory, images
        entries, recent = held
        inventory = NodeInventory(
            node_name=self.name,
            models=tuple(e for _, e in entries if isinstance(e, CachedModel)),
            warm=WarmSignals(persistence_mode=self.pool.persistence_mode, recent_images=recent),
        )
        images = frozenset(e for _, e in entries if isinstance(e, str))
        self._built = [(held, inventory, images), *self._built[:1]]
        return inventory, images

    def _changed(self, now: float, added: list[tuple[str, int]], evicted: list[str]) -> Changes:
        if added or evicted:  # a refreshed LRU order changes nothing the estimate reads
            self.report.changing(now, self.holdings)
            for key in evicted:
                self._entries.pop(key, None)
            for key, size in added:
                self._entries[key] = _entry(key, size)
            self._holdings = None
        return [k for k, _ in added], evicted

    def cache(self, items: list[tuple[str, int]], now: float) -> Changes:
        """Put `(key, bytes)` items (`i:`, `m:`, `h:`) in the disk or page cache."""
        added: list[tuple[str, int]] = []
        evicted: list[str] = []
        for key, size in items:
            new, gone = (self.host if key.startswith("h:") else self.disk).touch(
                key, size, self.in_use)
            added += [(key, size)] if new else []
            evicted += gone
        return self._changed(now, added, evicted)

    def evict(self, key: str, now: float) -> Changes:
        """Drop `key` from its cache (a policy unstaging it), unless in use."""
        cache = self.host if key.startswith("h:") else self.disk
        gone = [key] if key not in self.in_use and cache.discard(key) else []
        return self._changed(now, [], gone)

    def loaded(self, uri: str, model_bytes: int, image: str, image_bytes: int,
               now: float) -> Changes:
        """A replica finished loading here: its image and model are now cached."""
        keys = [(f"i:{image}", image_bytes), (f"m:{uri}", model_bytes), (f"h:{uri}", model_bytes)]
        for key, _ in keys:
            self.in_use[key] += 1
        self.real.pulls.pop(image, None)
        added, evicted = self.cache(keys, now)
        before = set(self.recent_images)
        recent = [image, *[i for i in self.recent_images if i != image]][:RECENT_IMAGES]
        after = set(recent)
        if before != after:
            self.report.changing(now, self.holdings)
            self._holdings = None
        self.recent_images = recent
        return (added + [f"r:{i}" for i in after - before],
                evicted + [f"r:{i}" for i in before - after])

    def cache_keys(self) -> list[str]:
        """Every key this node holds, as `loaded` reports them."""
        return ([k for k, _ in self.disk.items()] + [k for k, _ in self.host.items()]
                + [f"r:{i}" for i in self.recent_images])

    def unloaded(self, uri: str, image: str) -> None:
        for key in (f"m:{uri}", f"i:{image}", f"h:{uri}"):
            self.in_use[key] -= 1
            if self.in_use[key] <= 0:
                del self.in_use[key]

    def allocate(self, gpus: int, now: float) -> Changes:
        """A replica takes `gpus`; its process's pinned RAM squeezes the page cache."""
        self.free_gpus -= gpus
        self.replicas += 1
        self.empty_since = None
        return self._squeeze(now)

    def release(self, gpus: int, now: float) -> None:
        self.free_gpus += gpus
        self.replicas -= 1
        if self.replicas == 0:
            self.empty_since = now
        self._squeeze(now)  # the page cache grows back: nothing is evicted

    def _squeeze(self, now: float) -> Changes:
        if not self.host_bytes_per_gpu:
            return [], []
        pinned = (self.pool.gpus_per_node - self.free_gpus) * self.host_bytes_per_gpu
        gone = self.host.resize(max(0, self.pool.host_cache_bytes - pinned), self.in_use)
        return self._changed(now, [], gone)


_TIERS = {"m:": CacheTier.LOCAL_DISK, "h:": CacheTier.HOST_MEMORY}


def _entry(key: str, size: int) -> CachedModel | str:
    """The inventory entry of an `m:`, `h:` or `i:` key: a CachedModel or an image."""
    tier = _TIERS.get(key[:2])
    return _cached_model(key[2:], tier, size) if tier else key[2:]


@lru_cache(maxsize=1 << 16)
def _cached_model(uri: str, tier: CacheTier, size: int) -> CachedModel:
    """Entries are immutable and shared by many nodes: validate each once."""
    return CachedModel(uri=uri, tier=tier, bytes=size)


def pool_defaults(pool: PoolSpec) -> PoolDefaults:
    return PoolDefaults(name=pool.name, bandwidths=pool.bandwidths)
