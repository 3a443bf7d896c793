"""cluster-autoscaler: an `autoscaling.x-k8s.io/v1` ProvisioningRequest.

One request per planned node, its single podSet naming a PodTemplate of the
node's shape; the class is configurable (best-effort-atomic scale-up adds
the node, check-capacity only books what exists). `spec` is immutable, so a
create that finds the name taken is left as it is. Capacity counts as in
flight until the request is `Provisioned`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioner.backends.base import Obj, Removal, Write, metadata, pod_template
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import PODTEMPLATES, PROVISIONINGREQUESTS, Resource

ATOMIC_SCALE_UP = "best-effort-atomic-scale-up.autoscaling.x-k8s.io"
CHECK_CAPACITY = "check-capacity.autoscaling.x-k8s.io"


@dataclass(frozen=True)
class ProvisioningRequestBackend:
    namespace: str = "warmstart-system"
    provisioning_class: str = ATOMIC_SCALE_UP
    parameters: dict[str, str] = field(default_factory=dict)
    kind: str = "provisioning-request"
    primary: Resource = PROVISIONINGREQUESTS

    def setup(self) -> list[Write]:
        return []

    def render(self, node: NewNode, now: float) -> list[Write]:
        spec: Obj = {
            "provisioningClassName": self.provisioning_class,
            "podSets": [{"podTemplateRef": {"name": node.name}, "count": 1}],
        }
        if self.parameters:
            spec["parameters"] = dict(self.parameters)
        body = {"apiVersion": "autoscaling.x-k8s.io/v1", "kind": "ProvisioningRequest",
                "metadata": metadata(node, now, self.namespace), "spec": spec}
        return [Write(PODTEMPLATES, pod_template(node, self.namespace)),
                Write(PROVISIONINGREQUESTS, body)]

    def release(self, name: str) -> list[Removal]:
        return [Removal(PROVISIONINGREQUESTS, name, self.namespace),
                Removal(PODTEMPLATES, name, self.namespace)]

    def fulfilled(self, obj: Obj, now: float, template: NodeTemplate | None) -> bool:
        conditions = (obj.get("status") or {}).get("conditions") or ()
        return any(c.get("type") == "Provisioned" and c.get("status") == "True"
                   for c in conditions)
