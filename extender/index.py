"""The extender's in-memory view of the cluster, updated by watch events and
read by every scheduler call.

Per-node facts are worked out when an event arrives, not per request: each
node's NodeView, its interned estimate profile (see `extender.profile`) in a
numpy column, free GPU memory in a numpy matrix, and inverted indexes from
image and model URI to the nodes holding them. Scheduler calls run on the
event loop thread, watch events on informer threads: both hold `lock` (one
event or one call at a time, each well under a millisecond). No I/O here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from extender import gpu_table
from extender.node_facts import NodeObjectFacts, node_object_facts
from extender.profile import ModelKey, model_keys, profile_key, snap_inventory
from extender.settings import ExtenderSettings
from extender.slots import NodeSlots
from extender.staleness import StaleTracker
from warmstart.clock import Clock
from warmstart.domain import ModelRef, NodeInventory
from warmstart.estimate import NodeView
from warmstart.images import canonical_image
from warmstart.scoring import cold_view

Slots = npt.NDArray[np.int64]
PROFILE = "profile"


class NodeIndex:
    def __init__(self, settings: ExtenderSettings, clock: Clock) -> None:
        self.settings = settings
        self._clock = clock
        self.lock = threading.RLock()
        self._objects: dict[str, NodeObjectFacts] = {}
        self._caches: dict[str, NodeInventory] = {}
        self.views: dict[str, NodeView] = {}
        self.image_sizes: dict[str, int] = {}
        self.catalog: dict[str, ModelRef] = {}
        self.slots = NodeSlots()
        self.slots.column(PROFILE, -1, np.int64)
        gpu_table.declare(self.slots)
        self.by_image: dict[str, set[str]] = {}
        self.by_recent: dict[str, set[str]] = {}
        self.by_model: dict[str, dict[str, int]] = {}  # URI -> node -> interned ModelKey id
        self._held: dict[str, dict[str, ModelKey]] = {}
        self._arrays: dict[tuple[str, str], Any] = {}  # lazily built slot arrays, per key
        self._profiles: dict[Hashable, int] = {}
        self.cold_views: list[NodeView] = []  # per profile: a member with nothing warm
        self._model_keys: dict[ModelKey, int] = {}
        self._staleness = StaleTracker(settings.stale_after_s)
        self._changes = 0  # bumped on every change of a node's indexed facts
        self._stale_slots: tuple[tuple[int, int], Slots] | None = None
        # When the feed last heard from the API server (epoch s); None: never synced.
        self._synced_at: Callable[[], float | None] = lambda: None

    # -- writes ------------------------------------------------------------
    def upsert_node(self, node: Mapping[str, Any]) -> None:
        """Learn a Node's images and pool; unchanged resourceVersions are skipped."""
        metadata = node.get("metadata") if isinstance(node, Mapping) else None
        if isinstance(metadata, Mapping):
            old = self._objects.get(str(metadata.get("name")))
            version = metadata.get("resourceVersion")
            if version and old is not None and old.resource_version == version:
                return
        facts = node_object_facts(node, self.settings.pool_labels)
        self._objects[facts.name] = facts
        self.image_sizes.update(facts.image_sizes)
        self._refresh(facts.name)

    def delete_node(self, name: str) -> None:
        self._objects.pop(name, None)
        self._refresh(name)

    def upsert_cache(self, inventory: NodeInventory) -> None:
        inventory = snap_inventory(inventory)
        recent = tuple(canonical_image(i) for i in inventory.warm.recent_images)
        if recent != inventory.warm.recent_images:
            warm = inventory.warm.model_copy(update={"recent_images": recent})
            inventory = inventory.model_copy(update={"warm": warm})
        self._caches[inventory.node_name] = inventory
        self._refresh(inventory.node_name)

    def delete_cache(self, name: str) -> None:
        self._caches.pop(name, None)
        self._refresh(name)

    def upsert_model(self, ref: ModelRef) -> None:
        self.catalog[ref.uri.rstrip("/")] = ref

    def delete_model(self, uri: str) -> None:
        self.catalog.pop(uri.rstrip("/"), None)

    def follow(self, synced_at: Callable[[], float | None]) -> None:
        """Where readiness comes from: the feed's last contact with the API server."""
        self._synced_at = synced_at

    def compact(self) -> None:
        """Lay the node names out afresh for fast lookups (see `NodeSlots.compact`)."""
        with self.lock:
            self.slots.compact()

    # -- reads -------------------------------------------------------------
    def stale_nodes(self) -> frozenset[str] | set[str]:
        return self._staleness.stale(self._clock.now())

    def stale_slots(self) -> Slots:
        """Slots of the stale nodes, looked up once per generation."""
        generation = self.generation()
        if self._stale_slots is None or self._stale_slots[0] != generation:
            self._stale_slots = (generation, self.slots.lookup(list(self.stale_nodes())))
        return self._stale_slots[1]

    def generation(self) -> tuple[int, int]:
        """Changes when any node's facts or the stale set change: answers computed
        at one generation hold until it moves."""
        self.stale_nodes()
        return self._changes, self._staleness.version

    def oldest_inventory_age(self) -> float:
        return self._staleness.oldest_age(self._clock.now())

    def seconds_since_sync(self) -> float:
        """Seconds since the feed last heard from the API server (inf: never)."""
        at = self._synced_at()
        return float("inf") if at is None else max(0.0, self._clock.now() - at)

    def ready(self) -> bool:
        """Synced, and heard from the API server within the outage bound."""
        return self.seconds_since_sync() <= self.settings.sync_timeout_s

    def node_count(self) -> int:
        return len(self.views)

    def image_slots(self, image: str) -> Slots:
        return self._slots_of("image", image, self.by_image)

    def recent_slots(self, image: str) -> Slots:
        return self._slots_of("recent", image, self.by_recent)

    def model_slots(self, uri: str) -> tuple[Slots, Slots]:
        """Slots of the nodes holding `uri`, and the id of how they hold it (tiers, bytes)."""
        key = ("model", uri)
        found = self._arrays.get(key)
        if found is None:
            holders = self.by_model.get(uri, {})
            found = (self.slots.lookup(list(holders)), np.fromiter(holders.values(), np.int64))
            self._arrays[key] = found
        return found

    def _slots_of(self, kind: str, key: str, sets: dict[str, set[str]]) -> Slots:
        found = self._arrays.get((kind, key))
        if found is None:
            found = self.slots.lookup(list(sets.get(key, ())))
            self._arrays[(kind, key)] = found
        return found

    # -- upkeep ------------------------------------------------------------
    def _refresh(self, name: str) -> None:
        self._changes += 1
        self._unindex(name)
        obj, inv = self._objects.get(name), self._caches.get(name)
        if obj is None and inv is None:
            self.slots.remove(name)
            self._staleness.forget(name)
            return
        view = NodeView(
            name=name,
            images=obj.images if obj is not None else frozenset(),
            inventory=inv,
            pool=self.settings.pool(obj.pool if obj is not None else None),
            boot_remaining_s=0.0,
        )
        self._index(name, view)
        if inv is not None and inv.observed_at is not None:
            self._staleness.observe(name, inv.observed_at.timestamp())
        elif inv is not None:
            self._staleness.observe(name, self._clock.now())
        else:
            self._staleness.forget(name)

    def _index(self, name: str, view: NodeView) -> None:
        slot = self.slots.add(name)
        key = profile_key(view)
        profile = self._profiles.get(key)
        if profile is None:
            profile = self._profiles[key] = len(self.cold_views)
            self.cold_views.append(cold_view(view))
        self.views[name] = view
        self.slots[PROFILE][slot] = profile
        gpu_table.record(self.slots, slot, view.inventory.gpus if view.inventory else None)
        for image in view.images:
            self._add(self.by_image, "image", image, name)
        held = self._held[name] = model_keys(view.inventory)
        for uri, tiers in held.items():
            ids = self._model_keys.setdefault(tiers, len(self._model_keys) + 1)
            self.by_model.setdefault(uri, {})[name] = ids
            self._arrays.pop(("model", uri), None)
        for image in view.inventory.warm.recent_images if view.inventory else ():
            self._add(self.by_recent, "recent", image, name)

    def _unindex(self, name: str) -> None:
        view = self.views.pop(name, None)
        if view is None:
            return
        for image in view.images:
            self._discard(self.by_image, "image", image, name)
        for uri in self._held.pop(name, {}):
            holders = self.by_model.get(uri, {})
            holders.pop(name, None)
            if not holders:
                self.by_model.pop(uri, None)
            self._arrays.pop(("model", uri), None)
        for image in view.inventory.warm.recent_images if view.inventory else ():
            self._discard(self.by_recent, "recent", image, name)

    def _add(self, sets: dict[str, set[str]], kind: str, key: str, name: str) -> None:
        sets.setdefault(key, set()).add(name)
        self._arrays.pop((kind, key), None)

    def _discard(self, sets: dict[str, set[str]], kind: str, key: str, name: str) -> None:
        members = sets.get(key)
        if members is not None:
            members.discard(name)
            if not members:
                del sets[key]
        self._arrays.pop((kind, key), None)
