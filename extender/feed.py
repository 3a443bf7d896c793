"""Feeds the index: list+watch of Node, NodeCache and Model objects through
the shared `warmstart.kube.Informer`s, or a static `--inventory` file.

A malformed NodeCache or Model is logged with the field at fault and skipped;
the node keeps its previous inventory (which then ages into staleness).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from extender.index import NodeIndex
from warmstart.clock import Clock
from warmstart.domain import ModelRef, NodeInventory
from warmstart.inventory import (
    InventoryError,
    InventoryObject,
    model_from_object,
    node_cache_from_object,
)

if TYPE_CHECKING:  # the API client is imported only by a feed that watches (14 MB)
    from warmstart.kube import KubeClient

log = logging.getLogger(__name__)
Obj = dict[str, Any]


def load_objects(index: NodeIndex, objects: Iterable[InventoryObject], clock: Clock) -> None:
    """Fill the index from a static file; a file is always 'in sync'."""
    with index.lock:
        for obj in objects:
            if isinstance(obj, NodeInventory):
                index.upsert_cache(obj)
            elif isinstance(obj, ModelRef):
                index.upsert_model(obj)
            else:
                index.upsert_node(obj)
    index.follow(clock.now)


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _on_node(index: NodeIndex) -> Callable[[str, Obj, Obj | None], None]:
    def handle(kind: str, obj: Obj, _: Obj | None) -> None:
        with index.lock:
            if kind == "DELETED":
                index.delete_node(_name(obj))
            else:
                index.upsert_node(obj)

    return handle


def _on_node_cache(index: NodeIndex) -> Callable[[str, Obj, Obj | None], None]:
    def handle(kind: str, obj: Obj, _: Obj | None) -> None:
        if kind == "DELETED" or obj.get("status") is None:
            # No status yet: the agent creates its NodeCache, then writes the status.
            with index.lock:
                index.delete_cache(_name(obj))
            return
        try:
            inventory = node_cache_from_object(obj, f"NodeCache {_name(obj)}")
        except InventoryError as exc:
            log.warning("skipping NodeCache update: %s", exc)
            return
        with index.lock:
            index.upsert_cache(inventory)

    return handle


def _on_model(index: NodeIndex) -> Callable[[str, Obj, Obj | None], None]:
    def handle(kind: str, obj: Obj, previous: Obj | None) -> None:
        try:
            ref = model_from_object(previous if kind == "DELETED" and previous else obj)
        except InventoryError as exc:
            log.warning("skipping Model %s: %s", _name(obj), exc)
            return
        with index.lock:
            if kind == "DELETED":
                index.delete_model(ref.uri)
            else:
                index.upsert_model(ref)

    return handle


class WatchFeed:
    """Three informers (Nodes, NodeCaches, Models) writing into one index."""

    def __init__(
        self, index: NodeIndex, client: KubeClient, clock: Clock, watch_timeout_s: int = 300
    ) -> None:
        from extender import listed
        from warmstart.kube import Informer
        from warmstart.kube.informer import identity
        from warmstart.kube.resources import MODELS, NODECACHES, NODES

        self.client = client
        # The index keeps what it needs of Nodes and NodeCaches, so their informers
        # decode only the fields it reads and keep only identities. A deleted Model
        # is read back from its informer's store, so that one keeps whole objects.
        self.informers = tuple(
            Informer(client, res, clock=clock, watch_timeout_s=watch_timeout_s, keep=keep,
                     decode=decode)
            for res, keep, decode in ((NODES, identity, listed.node),
                                      (NODECACHES, identity, listed.node_cache),
                                      (MODELS, None, None))
        )
        for informer, handler in zip(
            self.informers, (_on_node(index), _on_node_cache(index), _on_model(index)), strict=True
        ):
            informer.add_handler(handler)
        index.follow(self.synced_at)

    def synced_at(self) -> float | None:
        """The oldest last contact among the informers; None until all have listed."""
        times = [i.last_synced_at for i in self.informers]
        return None if any(t is None for t in times) else min(t for t in times if t is not None)

    def start(self) -> None:
        for informer in self.informers:
            informer.start()

    def stop(self) -> None:
        for informer in self.informers:
            informer.stop()
