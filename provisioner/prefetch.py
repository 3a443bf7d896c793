"""Staging through Prefetch objects: the warmth planner's orders become one
Prefetch per (node, model) that the node's agent executes, reporting what
landed through its NodeCache. Names are derived from node and model, so a
re-issued order (every step, until the copy lands, and after a restart)
finds its object already there; a drop deletes ours, and the agent's own
eviction frees the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from provisioner import naming
from warmstart.domain.pod import PodDemand
from warmstart.kube.client import KubeClient
from warmstart.kube.resources import PREFETCHES
from warmstart.warmth import StageOrder

# What the agent can fetch (the CRD's spec.uri pattern); other URIs are skipped.
FETCHABLE = re.compile(r"^(https?|s3|hf)://")
MAX_IMAGES = 16  # the CRD's spec.images maxItems
REASON_CHARS = 1000


def prefetch_name(node: str, uri: str) -> str:
    return f"{naming.PREFIX}-pf-{naming.dns_label(node, 30)}-{naming.digest([node, uri])}"


def prefetch_body(order: StageOrder, pod: PodDemand) -> dict[str, Any] | None:
    """The Prefetch for one staging order, or None when its model cannot be fetched."""
    if pod.model is None or not FETCHABLE.match(pod.model.uri):
        return None
    spec: dict[str, Any] = {"nodeName": order.node, "uri": pod.model.uri}
    if pod.model.bytes is not None:
        spec["bytes"] = pod.model.bytes
    if pod.images:
        spec["images"] = list(pod.images[:MAX_IMAGES])
    return {
        "apiVersion": PREFETCHES.api_version, "kind": PREFETCHES.kind,
        "metadata": {
            "name": prefetch_name(order.node, pod.model.uri),
            "labels": {naming.MANAGED_BY: naming.MANAGER, naming.PURPOSE: "prefetch"},
            "annotations": {naming.REASON: order.reason[:REASON_CHARS]},
        },
        "spec": spec,
    }


class PrefetchWriter:
    """Applies staging orders: creates the missing Prefetches, deletes dropped ones."""

    def __init__(self, client: KubeClient) -> None:
        self.client = client

    def apply(self, orders: Sequence[StageOrder],
              pods: Mapping[str, PodDemand]) -> tuple[list[str], list[str]]:
        """(names created, names deleted); orders for unknown models are skipped."""
        created: list[str] = []
        deleted: list[str] = []
        for order in orders:
            pod = pods.get(order.model)
            body = prefetch_body(order, pod) if pod is not None else None
            if body is None:
                continue
            name = body["metadata"]["name"]
            if order.drop:
                if self.client.delete(PREFETCHES, name):
                    deleted.append(name)
            elif self.client.create_or_get(PREFETCHES, body)[1]:
                created.append(name)
        return created, deleted
