"""Karpenter: one `karpenter.sh/v1` NodeClaim per planned node.

The claim carries no `karpenter.sh/nodepool` label, so Karpenter never
consolidates it: we own its deletion (a release). Its requirements pin the
template's labels (instance type, zone, capacity type, GPU product) and its
requests are the pods' (or the forecast's), so Karpenter launches exactly the
node the planner chose.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.backends.base import Obj, Removal, Write, metadata, resource_list
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import NODECLAIMS, Resource

NODEPOOL_LABEL = "karpenter.sh/nodepool"


@dataclass(frozen=True)
class KarpenterBackend:
    kind: str = "karpenter"
    primary: Resource = NODECLAIMS
    expire_after: str = "Never"

    def setup(self) -> list[Write]:
        return []

    def render(self, node: NewNode, now: float) -> list[Write]:
        t = node.template
        if t.node_class is None:
            raise ValueError(f"template {t.name}: a Karpenter NodeClaim needs nodeClassRef")
        group, kind, name = t.node_class
        spec: Obj = {
            "nodeClassRef": {"group": group, "kind": kind, "name": name},
            "requirements": [
                {"key": k, "operator": "In", "values": [v]}
                for k, v in t.labels
                if k != NODEPOOL_LABEL
            ],
            "resources": {"requests": resource_list(node.requests)},
            "expireAfter": self.expire_after,
        }
        if t.taints:
            spec["taints"] = [
                {"key": x.key, "value": x.value, "effect": x.effect} for x in t.taints
            ]
        body = {"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
                "metadata": metadata(node, now), "spec": spec}
        return [Write(NODECLAIMS, body)]

    def release(self, name: str) -> list[Removal]:
        return [Removal(NODECLAIMS, name)]

    def fulfilled(self, obj: Obj, now: float, template: NodeTemplate | None) -> bool:
        return bool((obj.get("status") or {}).get("nodeName"))
