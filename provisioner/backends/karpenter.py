"""Karpenter: one `karpenter.sh/v1` NodeClaim per planned node.

When the template's pool is a NodePool the cluster has, the claim carries
the `karpenter.sh/nodepool` label, so that NodePool's limits and disruption
budgets count our node like its own, and `karpenter.sh/do-not-disrupt: "true"`,
so consolidation does not reclaim the headroom we asked for the moment it is
empty: we give it back ourselves (a release deletes the claim). Without such a
NodePool the claim carries no label and Karpenter never consolidates it either.

Requirements are the template labels Karpenter chooses a node by (instance
type, zone, region, capacity type, OS, architecture, and the node class
provider's own labels); other template labels (a GPU product set by feature
discovery, a team label from the NodePool template) describe the node but
are not for Karpenter to satisfy, and restricted keys (`kubernetes.io/hostname`,
the `karpenter.sh` domain but capacity-type) are refused by the CRD's CEL rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.backends.base import Obj, Removal, Write, metadata, resource_list
from provisioner.backends.phase import FULFILLED, IN_FLIGHT, Phase
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import NODECLAIMS, Resource

NODEPOOL_LABEL = "karpenter.sh/nodepool"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
SELECTING = frozenset({
    "node.kubernetes.io/instance-type", "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region", "karpenter.sh/capacity-type", "kubernetes.io/os",
    "kubernetes.io/arch", "node.kubernetes.io/windows-build",
})


def requirement_keys(template: NodeTemplate) -> list[str]:
    """The template's label keys that become NodeClaim requirements, sorted."""
    provider = template.node_class[0] if template.node_class else None
    return sorted(k for k, _ in template.labels
                  if k in SELECTING or (provider is not None and k.split("/", 1)[0] == provider))


@dataclass(frozen=True)
class KarpenterBackend:
    kind: str = "karpenter"
    primary: Resource = NODECLAIMS
    expire_after: str = "Never"
    per_namespace: bool = False

    def setup(self) -> list[Write]:
        return []

    def render(self, node: NewNode, now: float) -> list[Write]:
        t = node.template
        if t.node_class is None:
            raise ValueError(f"template {t.name}: a Karpenter NodeClaim needs nodeClassRef")
        group, kind, name = t.node_class
        labels = t.label_map
        spec: Obj = {
            "nodeClassRef": {"group": group, "kind": kind, "name": name},
            "requirements": [{"key": k, "operator": "In", "values": [labels[k]]}
                             for k in requirement_keys(t)],
            "resources": {"requests": resource_list(node.requests)},
            "expireAfter": self.expire_after,
        }
        if t.taints:
            spec["taints"] = [
                {"key": x.key, "value": x.value, "effect": x.effect} for x in t.taints
            ]
        meta = metadata(node, now)
        if t.nodepool is not None:
            meta["labels"][NODEPOOL_LABEL] = t.nodepool
            meta["annotations"][DO_NOT_DISRUPT] = "true"
        body = {"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim", "metadata": meta,
                "spec": spec}
        return [Write(NODECLAIMS, body)]

    def release(self, name: str, namespace: str | None = None) -> list[Removal]:
        return [Removal(NODECLAIMS, name)]

    def phase(self, obj: Obj, now: float, template: NodeTemplate | None) -> Phase:
        return FULFILLED if (obj.get("status") or {}).get("nodeName") else IN_FLIGHT
