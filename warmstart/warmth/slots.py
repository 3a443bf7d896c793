"""Where staged models can go in one pool: the booted nodes (busy ones first,
since they are paid for anyway; idle ones next, kept only if what they hold is
worth their price) and nodes the plan may add. A slot tracks the room left in
host memory and on disk, and the GPUs its staged models are expected to take.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from warmstart.domain.node import CacheTier
from warmstart.warmth.types import HostNode, ModelNeed, PoolSupply, Warmth


@dataclass
class Slot:
    name: str
    new: bool
    paid: bool  # idle or new: kept only if it earns its price
    free_gpus: int
    host_left: int
    disk_left: int
    held: dict[str, set[CacheTier]]  # uri -> tiers the node reports holding
    host_held: dict[str, int]  # uri -> bytes in host memory (candidates to drop)
    gpu_load: float = 0.0  # sum of P(request) x GPUs over the models staged here
    benefit: float = 0.0  # expected $ saved by what it holds, against a cold node
    models: list[tuple[ModelNeed, Warmth]] = field(default_factory=list)

    def room(self, model: ModelNeed, warmth: Warmth, p: float, held: bool = False) -> bool:
        """Bytes left at that tier and a GPU free for it; a model not held here
        also needs its expected GPU use to fit beside the others' (one already
        held stays put: moving it costs a download)."""
        if model.gpus > self.free_gpus:
            return False
        if not held and self.gpu_load + p * model.gpus > self.free_gpus:
            return False
        left = self.host_left if warmth is Warmth.HOST else self.disk_left
        return model.model_bytes <= left

    def holds(self, model: ModelNeed, warmth: Warmth) -> bool:
        uri = model.pod.model.uri if model.pod.model else ""
        tier = CacheTier.HOST_MEMORY if warmth is Warmth.HOST else CacheTier.LOCAL_DISK
        return tier in self.held.get(uri, set())

    def take(self, model: ModelNeed, warmth: Warmth, p: float, saved: float) -> None:
        if warmth is Warmth.HOST:
            self.host_left -= model.model_bytes
        else:
            self.disk_left -= model.model_bytes
        self.gpu_load += p * model.gpus
        self.benefit += saved
        self.models.append((model, warmth))


def _slot(node: HostNode) -> Slot:
    held: dict[str, set[CacheTier]] = {}
    host_held: dict[str, int] = {}
    inv = node.view.inventory
    for cached in inv.models if inv is not None else ():
        held.setdefault(cached.uri, set()).add(cached.tier)
        if cached.tier is CacheTier.HOST_MEMORY:
            host_held[cached.uri] = cached.bytes
    return Slot(node.view.name, new=False, paid=node.replicas == 0, free_gpus=node.free_gpus,
                host_left=node.host_bytes, disk_left=node.disk_bytes, held=held,
                host_held=host_held)


def slots(pool: PoolSupply, new_nodes: int) -> list[Slot]:
    """Busy nodes with a free GPU, then idle nodes, then up to `new_nodes` new ones."""
    booted = [n for n in pool.nodes if n.free_gpus > 0]
    booted.sort(key=lambda n: (n.replicas == 0, -n.free_gpus, n.view.name))
    new = [Slot(f"{pool.name}-new-{i}", new=True, paid=True, free_gpus=pool.gpus_per_node,
                host_left=pool.host_bytes, disk_left=pool.disk_bytes, held={}, host_held={})
           for i in range(new_nodes)]
    return [_slot(n) for n in booted] + new


class Candidates:
    """First fit over the slots, in order, preferring a slot that already holds
    the model. Slots paid for and still empty are kept apart, so the common
    search (on nodes up anyway) never walks them; slots at the head too full
    for even the smallest model are dropped for good."""

    def __init__(self, slots: list[Slot], smallest: int) -> None:
        self.smallest = smallest
        tiers = (Warmth.HOST, Warmth.DISK)
        self.free = {w: deque(s for s in slots if not s.paid) for w in tiers}
        self.paid = {w: deque(s for s in slots if s.paid) for w in tiers}
        self.opened: list[Slot] = []  # paid slots holding something, in the order opened
        self.holders: dict[tuple[str, Warmth], list[Slot]] = {}
        for s in slots:
            for uri, held in s.held.items():
                for warmth, tier in ((Warmth.HOST, CacheTier.HOST_MEMORY),
                                     (Warmth.DISK, CacheTier.LOCAL_DISK)):
                    if tier in held:
                        self.holders.setdefault((uri, warmth), []).append(s)

    def _full(self, s: Slot, warmth: Warmth) -> bool:
        left = s.host_left if warmth is Warmth.HOST else s.disk_left
        return left < self.smallest or s.gpu_load >= s.free_gpus

    def _first(self, slots: deque[Slot], model: ModelNeed, warmth: Warmth,
               p: float) -> Slot | None:
        while slots and self._full(slots[0], warmth):
            slots.popleft()
        return next((s for s in slots if s.room(model, warmth, p)), None)

    def find(self, model: ModelNeed, warmth: Warmth, p: float, unopened: bool) -> Slot | None:
        """A slot with room; one that is paid for and holds nothing yet only
        when `unopened` (the planner tries every tier on the others first)."""
        uri = model.pod.model.uri if model.pod.model else ""
        found = next((s for s in self.holders.get((uri, warmth), ())
                      if s.room(model, warmth, p, held=True)), None)
        found = found or self._first(self.free[warmth], model, warmth, p) or next(
            (s for s in self.opened if s.room(model, warmth, p)), None)
        if found is None and unopened:
            found = self._first(self.paid[warmth], model, warmth, p)
        if found is not None and found.paid and not found.models:
            self.opened.append(found)  # about to hold its first model
        return found
