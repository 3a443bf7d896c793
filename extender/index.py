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
from extender.changelog import ChangeLog
from extender.node_facts import NodeObjectFacts, node_object_facts
from extender.profile import ModelKey, model_keys, profile_key
from extender.settings import ExtenderSettings
from extender.slim import Shared, slim_inventory
from extender.slots import NodeSlots
from extender.staleness import StaleTracker
from warmstart.clock import Clock
from warmstart.domain import ModelRef, NodeInventory
from warmstart.estimate import NodeView
from warmstart.scoring import cold_view

Slots = npt.NDArray[np.int64]
PROFILE = "profile"
# Ways of holding a model (bytes per tier) get interned ids, which class codes
# carry. Agents publish exact resident bytes, so new ways keep coming: past
# this many (or twice those in use) the ids are handed out afresh.
KEY_LIMIT = 1 << 16
STALE = "stale"


class NodeIndex:
    def __init__(
        self, settings: ExtenderSettings, clock: Clock, key_limit: int = KEY_LIMIT
    ) -> None:
        self.settings = settings
        self._clock = clock
        self.lock = threading.RLock()
        self._objects: dict[str, NodeObjectFacts] = {}
        self._caches: dict[str, NodeInventory] = {}  # slim: see `extender.slim`
        self._shared = Shared()
        self.views: dict[str, NodeView] = {}
        self.image_sizes: dict[str, int] = {}
        self.catalog: dict[str, ModelRef] = {}
        self.slots = NodeSlots()
        self.slots.column(PROFILE, -1, np.int64)
        self.slots.column(STALE, False, np.bool_)
        gpu_table.declare(self.slots)
        # Inverted indexes by slot: image -> slots, model URI -> slot -> interned ModelKey id
        self.by_image: dict[str, set[int]] = {}
        self.by_recent: dict[str, set[int]] = {}
        self.by_model: dict[str, dict[int, int]] = {}
        self._held: dict[str, dict[str, ModelKey]] = {}
        self._arrays: dict[tuple[str, str], Any] = {}  # lazily built slot arrays, per key
        self._profiles: dict[Hashable, int] = {}
        self.cold_views: list[NodeView] = []  # per profile: a member with nothing warm
        self._model_keys: dict[ModelKey, int] = {}
        self._key_limit = self._key_floor = key_limit
        # Moves when the model-holding ids are handed out afresh: codes from
        # before mean something else, so scores kept on them must go.
        self.key_epoch = 0
        self._log = ChangeLog()  # slots whose facts or staleness changed, in order
        self._staleness = StaleTracker(settings.stale_after_s, self._stale_flip)
        # When the feed last heard from the API server (epoch s); None: never synced.
        self._synced_at: Callable[[], float | None] = lambda: None
        # False while `extender serve` lays out a freshly listed index: not ready yet.
        self.settled = True

    # -- writes ------------------------------------------------------------
    def upsert_node(self, node: Mapping[str, Any]) -> None:
        """Learn a Node's images and pool (from the watch or a file, never a request)."""
        facts, sizes = node_object_facts(node, self.settings.pool_labels)
        self._objects[facts.name] = facts
        self.image_sizes.update(sizes)
        self._refresh(facts.name)

    def delete_node(self, name: str) -> None:
        self._objects.pop(name, None)
        self._refresh(name)

    def upsert_cache(self, inventory: NodeInventory) -> None:
        """Keep what the estimate reads of a NodeCache status; its GPUs' free memory
        goes into the filter's table."""
        name = inventory.node_name
        self._caches[name] = slim_inventory(inventory, self._shared)
        self._refresh(name)
        gpu_table.record(self.slots, self.slots.of[name], inventory.gpus)

    def delete_cache(self, name: str) -> None:
        self._caches.pop(name, None)
        self._refresh(name)
        slot = self.slots.of.get(name)
        if slot is not None:  # the Node stays: its GPUs are unknown now
            gpu_table.record(self.slots, slot, None)

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

    def stale_mask(self) -> npt.NDArray[np.bool_]:
        """Per slot, whether the node's inventory is stale now."""
        self.stale_nodes()
        return self.slots[STALE]

    def generation(self) -> int:
        """Moves when any node's facts or the stale set change: answers computed
        at one generation hold until it moves, and `changed_since` says for which
        nodes they no longer do."""
        self.stale_nodes()
        return self._log.position

    def changed_since(self, generation: int) -> Slots | None:
        """Slots whose facts or staleness changed after `generation` (None: too
        long ago to tell)."""
        return self._log.since(generation)

    def oldest_inventory_age(self) -> float:
        return self._staleness.oldest_age(self._clock.now())

    def seconds_since_sync(self) -> float:
        """Seconds since the feed last heard from the API server (inf: never)."""
        at = self._synced_at()
        return float("inf") if at is None else max(0.0, self._clock.now() - at)

    def ready(self) -> bool:
        """Settled, synced, and heard from the API server within the outage bound."""
        return self.settled and self.seconds_since_sync() <= self.settings.sync_timeout_s

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
            found = (
                np.fromiter(holders, np.int64, len(holders)),
                np.fromiter(holders.values(), np.int64, len(holders)),
            )
            self._arrays[key] = found
        return found

    def _slots_of(self, kind: str, key: str, sets: dict[str, set[int]]) -> Slots:
        found = self._arrays.get((kind, key))
        if found is None:
            members = sets.get(key, ())
            found = np.fromiter(members, np.int64, len(members))
            self._arrays[(kind, key)] = found
        return found

    # -- upkeep ------------------------------------------------------------
    def _stale_flip(self, name: str, stale: bool) -> None:
        slot = self.slots.of.get(name)
        if slot is not None:
            self.slots[STALE][slot] = stale
            self._log.record(slot)

    def _refresh(self, name: str) -> None:
        slot = self.slots.of.get(name)
        old = self.views.pop(name, None)
        obj, inv = self._objects.get(name), self._caches.get(name)
        if obj is None and inv is None:
            if slot is not None:
                self._reindex(name, slot, old, None)
                self.slots.remove(name)
                self._log.record(slot)
            self._staleness.forget(name)
            return
        view = NodeView(
            name=name,
            images=(obj.images if obj is not None else frozenset())
            | frozenset(inv.images if inv is not None else ()),
            inventory=inv,
            pool=self.settings.pool(obj.pool if obj is not None else None),
            boot_remaining_s=0.0,
        )
        slot = self.slots.add(name)
        self.views[name] = view
        self._place(slot, view)
        self._reindex(name, slot, old, view)
        self._log.record(slot)
        if len(self._model_keys) > self._key_limit:
            self._reintern()
        if inv is not None and inv.observed_at is not None:
            self._staleness.observe(name, inv.observed_at.timestamp())
        elif inv is not None:
            self._staleness.observe(name, self._clock.now())
        else:
            self._staleness.forget(name)

    def _place(self, slot: int, view: NodeView) -> None:
        """The node's profile in its column."""
        key = profile_key(view)
        profile = self._profiles.get(key)
        if profile is None:
            profile = self._profiles[key] = len(self.cold_views)
            self.cold_views.append(cold_view(view))
        self.slots[PROFILE][slot] = profile

    def _reindex(self, name: str, slot: int, old: NodeView | None, new: NodeView | None) -> None:
        """Move `slot` in the inverted indexes from what `old` showed to what `new`
        shows, touching (and so rebuilding the slot arrays of) only what changed."""
        self._move(self.by_image, "image", slot, _images(old), _images(new))
        self._move(self.by_recent, "recent", slot, _recent(old), _recent(new))
        before = self._held.pop(name, {})
        after = model_keys(new.inventory) if new is not None else {}
        if after:
            self._held[name] = after
        for uri in before.keys() | after.keys():
            if before.get(uri) != after.get(uri):
                self._hold(uri, slot, after.get(uri))

    def _reintern(self) -> None:
        """Dense ids for the ways of holding a model in use now; the rest forgotten."""
        self._model_keys = {}
        for name, held in self._held.items():
            slot = self.slots.of[name]
            for uri, tiers in held.items():
                ids = self._model_keys.setdefault(tiers, len(self._model_keys) + 1)
                self.by_model[uri][slot] = ids
        self._arrays = {key: found for key, found in self._arrays.items() if key[0] != "model"}
        self._key_limit = max(self._key_floor, 2 * len(self._model_keys))
        self.key_epoch += 1

    def _hold(self, uri: str, slot: int, tiers: ModelKey | None) -> None:
        holders = self.by_model.setdefault(uri, {})
        if tiers is None:
            holders.pop(slot, None)
        else:
            holders[slot] = self._model_keys.setdefault(tiers, len(self._model_keys) + 1)
        if not holders:
            del self.by_model[uri]
        self._arrays.pop(("model", uri), None)

    def _move(
        self,
        sets: dict[str, set[int]],
        kind: str,
        slot: int,
        before: frozenset[str],
        after: frozenset[str],
    ) -> None:
        for key in before - after:
            members = sets[key]
            members.discard(slot)
            if not members:
                del sets[key]
            self._arrays.pop((kind, key), None)
        for key in after - before:
            sets.setdefault(key, set()).add(slot)
            self._arrays.pop((kind, key), None)


def _images(view: NodeView | None) -> frozenset[str]:
    return view.images if view is not None else frozenset()


def _recent(view: NodeView | None) -> frozenset[str]:
    if view is None or view.inventory is None:
        return frozenset()
    return frozenset(view.inventory.warm.recent_images)
