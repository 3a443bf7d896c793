"""Write this node's NodeCache (one per node, named after it) through the kube seam.

The object is created once, owned by its Node (so it goes when the node
goes), and from then on only its status is written, with a merge patch that
replaces the whole status (lists replace, fields now unknown become null).
"""

from __future__ import annotations

import logging
from typing import Any

from warmstart.domain import NodeInventory
from warmstart.kube import KubeClient, NotFound
from warmstart.kube.resources import NODECACHES, NODES

log = logging.getLogger(__name__)


def nodecache_object(node_name: str, node_uid: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": node_name, "labels": {"warmstart.io/node": node_name}}
    if node_uid:
        meta["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "Node", "name": node_name, "uid": node_uid}
        ]
    return {"apiVersion": NODECACHES.api_version, "kind": NODECACHES.kind, "metadata": meta}


class NodeCachePublisher:
    def __init__(self, client: KubeClient, node_name: str) -> None:
        self._client = client
        self._node = node_name
        self._exists = False

    def _ensure(self) -> None:
        if self._exists:
            return
        try:
            uid = self._client.get(NODES, self._node)["metadata"].get("uid")
        except NotFound:
            log.warning("node %s not found; NodeCache created without an owner", self._node)
            uid = None
        self._client.create_or_get(NODECACHES, nodecache_object(self._node, uid))
        self._exists = True

    def publish(self, inventory: NodeInventory) -> None:
        self._ensure()
        status = inventory.model_dump(by_alias=True, mode="json")
        try:
            self._client.patch_status(NODECACHES, self._node, {"status": status})
        except NotFound:  # deleted under us: recreate on the next write
            self._exists = False
            raise
