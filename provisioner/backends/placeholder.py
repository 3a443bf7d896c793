"""Any autoscaler: placeholder pause pods under a negative-priority class.

The autoscaler sees an unschedulable pod of the node's shape and adds a node;
real pods (priority >= 0) preempt the placeholder when they need the room.
Value -10 is the lowest that still triggers cluster-autoscaler's scale-up
(docs/protocols.md); `preemptionPolicy: Never` keeps placeholders from evicting
anything themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner import naming
from provisioner.backends.base import Obj, Removal, Write, metadata, pause_pod_spec
from provisioner.backends.phase import FULFILLED, IN_FLIGHT, Phase
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import PODS, PRIORITYCLASSES, Resource

PRIORITY_CLASS = "warmstart-placeholder"
PRIORITY = -10


@dataclass(frozen=True)
class PlaceholderBackend:
    namespace: str = "warmstart-system"
    priority_class: str = PRIORITY_CLASS
    kind: str = "placeholder"
    primary: Resource = PODS
    per_namespace: bool = False

    def setup(self) -> list[Write]:
        return [Write(PRIORITYCLASSES, {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": self.priority_class,
                         "labels": {naming.MANAGED_BY: naming.MANAGER}},
            "value": PRIORITY,
            "globalDefault": False,
            "preemptionPolicy": "Never",
            "description": "warmstart placeholder pods: reserve GPU capacity until real "
                           "pods preempt them",
        })]

    def render(self, node: NewNode, now: float) -> list[Write]:
        meta = metadata(node, now, self.namespace)
        meta["labels"][naming.PLACEHOLDER] = "true"
        body = {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                "spec": pause_pod_spec(node, self.priority_class)}
        return [Write(PODS, body)]

    def release(self, name: str, namespace: str | None = None) -> list[Removal]:
        return [Removal(PODS, name, self.namespace)]

    def phase(self, obj: Obj, now: float, template: NodeTemplate | None) -> Phase:
        return FULFILLED if (obj.get("spec") or {}).get("nodeName") else IN_FLIGHT
