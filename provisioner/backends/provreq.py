"""cluster-autoscaler: an `autoscaling.x-k8s.io/v1` ProvisioningRequest.

One request per planned node, its single podSet naming a PodTemplate of the
node's shape; the class is configurable (best-effort-atomic scale-up adds
the node, check-capacity only books what exists). `spec` is immutable, so a
create that finds the name taken is left as it is.

cluster-autoscaler looks a request up in the namespace of the pod that
consumes it, so a request for pending pods is written in those pods'
namespace (the planner never puts pods of two namespaces on one such node),
and each of them is annotated to consume it; otherwise the autoscaler would
book capacity for the request and scale up again for the real pods.
Forecast headroom has no pods and lives in the provisioner's own namespace.

Phases from the conditions the autoscaler writes: `Provisioned` -> the
capacity exists; `Failed`, `BookingExpired` (booked capacity released) or
`CapacityRevoked`, or `Accepted=False` -> nothing more is coming (retried with
backoff while its pods still wait, else removed); none at all after
`accept_timeout_s` -> failed too (no autoscaler serves requests of this class).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioner import naming
from provisioner.backends.base import Obj, Removal, Write, metadata, pod_template
from provisioner.backends.phase import FULFILLED, IN_FLIGHT, Phase, condition, unanswered
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import PODS, PODTEMPLATES, PROVISIONINGREQUESTS, Resource

ATOMIC_SCALE_UP = "best-effort-atomic-scale-up.autoscaling.x-k8s.io"
CHECK_CAPACITY = "check-capacity.autoscaling.x-k8s.io"
CONSUME = naming.CONSUME_REQUEST
CLASS = "autoscaling.x-k8s.io/provisioning-class-name"
ENDED = ("Failed", "BookingExpired", "CapacityRevoked")


@dataclass(frozen=True)
class ProvisioningRequestBackend:
    namespace: str = "warmstart-system"
    provisioning_class: str = ATOMIC_SCALE_UP
    parameters: dict[str, str] = field(default_factory=dict)
    accept_timeout_s: float = 300.0
    kind: str = "provisioning-request"
    primary: Resource = PROVISIONINGREQUESTS
    per_namespace: bool = True

    def setup(self) -> list[Write]:
        return []

    def render(self, node: NewNode, now: float) -> list[Write]:
        where = node.namespace or self.namespace
        spec: Obj = {
            "provisioningClassName": self.provisioning_class,
            "podSets": [{"podTemplateRef": {"name": node.name}, "count": 1}],
        }
        if self.parameters:
            spec["parameters"] = dict(self.parameters)
        body = {"apiVersion": "autoscaling.x-k8s.io/v1", "kind": "ProvisioningRequest",
                "metadata": metadata(node, now, where), "spec": spec}
        writes = [Write(PODTEMPLATES, pod_template(node, where)),
                  Write(PROVISIONINGREQUESTS, body)]
        consume = {CONSUME: node.name, CLASS: self.provisioning_class}
        for ref in node.pod_refs:
            pod_namespace, name = ref.split("/", 1)
            if pod_namespace == where:
                writes.append(Write(PODS, {"metadata": {"name": name, "namespace": where,
                                                        "annotations": consume}}, patch=True))
        return writes

    def release(self, name: str, namespace: str | None = None) -> list[Removal]:
        where = namespace or self.namespace
        return [Removal(PROVISIONINGREQUESTS, name, where), Removal(PODTEMPLATES, name, where)]

    def phase(self, obj: Obj, now: float, template: NodeTemplate | None) -> Phase:
        for kind in ENDED:
            found = condition(obj, kind)
            if found is not None and found[0] == "True":
                return Phase("failed", found[1], f"{kind}: {found[2]}" if found[2] else kind)
        accepted = condition(obj, "Accepted")
        if accepted is not None and accepted[0] == "False":
            return Phase("failed", accepted[1], f"not Accepted: {accepted[2]}")
        provisioned = condition(obj, "Provisioned")
        if provisioned is not None and provisioned[0] == "True":
            return FULFILLED
        if accepted is None and provisioned is None:
            return unanswered(obj, now, self.accept_timeout_s)
        return IN_FLIGHT
