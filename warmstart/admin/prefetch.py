"""`POST /v1/prefetch` against a cluster: one `Prefetch` per node, the object the
node agents execute, named deterministically so that asking twice (or a
retried request) finds the object instead of duplicating the download."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from warmstart.domain.model_ref import ModelRef
from warmstart.kube.client import KubeClient
from warmstart.kube.resources import Resource

PREFETCHES = Resource("warmstart.io", "v1alpha1", "prefetches", False, "Prefetch")
_LABEL = re.compile(r"[^a-z0-9-]+")


def prefetch_name(node: str, uri: str) -> str:
    return (f"ws-prefetch-{_LABEL.sub('-', node.lower())[:40].strip('-')}-"
            f"{hashlib.sha256(uri.encode()).hexdigest()[:10]}")


def stage(client: KubeClient, ref: ModelRef, nodes: list[str]) -> list[str]:
    """Create-or-get a Prefetch of `ref` on each node; their names."""
    names = []
    for node in nodes:
        spec: dict[str, Any] = {"nodeName": node, "uri": ref.uri}
        if ref.bytes is not None:
            spec["bytes"] = ref.bytes
        body = {"apiVersion": PREFETCHES.api_version, "kind": PREFETCHES.kind,
                "metadata": {"name": prefetch_name(node, ref.uri),
                             "labels": {"app.kubernetes.io/managed-by": "warmstart-admin"}},
                "spec": spec}
        obj, _ = client.create_or_get(PREFETCHES, body)
        names.append(obj["metadata"]["name"])
    return names
