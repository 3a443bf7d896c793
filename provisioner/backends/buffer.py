"""Both autoscalers: an `autoscaling.x-k8s.io/v1alpha1` CapacityBuffer.

cluster-autoscaler and Karpenter (>= 1.13, CapacityBuffer gate) both keep
room for `replicas` pods of the referenced PodTemplate. We set `replicas`
only, never `percentage` (the two autoscalers combine them differently).
A buffer reports no node, so it counts as in flight for one boot time of its
template and as ordinary free capacity after that.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.backends.base import Obj, Removal, Write, metadata, pod_template
from provisioner.observe_nodes import boot_seconds
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import CAPACITYBUFFERS, PODTEMPLATES, Resource
from warmstart.kube.timefmt import parse_k8s_time

ACTIVE_CAPACITY = "buffer.x-k8s.io/active-capacity"


@dataclass(frozen=True)
class CapacityBufferBackend:
    namespace: str = "warmstart-system"
    kind: str = "capacity-buffer"
    primary: Resource = CAPACITYBUFFERS

    def setup(self) -> list[Write]:
        return []

    def render(self, node: NewNode, now: float) -> list[Write]:
        body = {
            "apiVersion": "autoscaling.x-k8s.io/v1alpha1",
            "kind": "CapacityBuffer",
            "metadata": metadata(node, now, self.namespace),
            "spec": {
                "provisioningStrategy": ACTIVE_CAPACITY,
                "podTemplateRef": {"name": node.name},
                "replicas": 1,
            },
        }
        return [Write(PODTEMPLATES, pod_template(node, self.namespace)),
                Write(CAPACITYBUFFERS, body)]

    def release(self, name: str) -> list[Removal]:
        return [Removal(CAPACITYBUFFERS, name, self.namespace),
                Removal(PODTEMPLATES, name, self.namespace)]

    def fulfilled(self, obj: Obj, now: float, template: NodeTemplate | None) -> bool:
        created = parse_k8s_time((obj.get("metadata") or {}).get("creationTimestamp"), now)
        return now - created >= boot_seconds(template)
