"""Both autoscalers: an `autoscaling.x-k8s.io/v1beta1` CapacityBuffer.

v1beta1 is the version both CRDs serve (Karpenter's serves nothing else;
cluster-autoscaler's also serves a deprecated v1alpha1). Both autoscalers keep
room for `replicas` pods of the referenced PodTemplate. We set `replicas`
only, never `percentage` (the two autoscalers combine them differently).

Where a buffer stands comes from the conditions its autoscaler writes:
`ReadyForProvisioning` (the buffer was resolved into `status.replicas` pods)
and `Provisioning` (the autoscaler keeps room for them). Either False means
no capacity is coming. Once both are True and `status.replicas` covers the
spec, the room is being added: in flight for one boot time of the template
from the moment `Provisioning` turned True, then it is ordinary free
capacity on the node(s) it became. A buffer no autoscaler answers within
`accept_timeout_s` counts as failed, so its pods are not left waiting on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.backends.base import Obj, Removal, Write, metadata, pod_template
from provisioner.backends.phase import IN_FLIGHT, Phase, condition, unanswered
from provisioner.observe_nodes import boot_seconds
from provisioner.plan_types import NewNode
from provisioner.state import NodeTemplate
from warmstart.kube.resources import CAPACITYBUFFERS, PODTEMPLATES, Resource

ACTIVE_CAPACITY = "buffer.x-k8s.io/active-capacity"
READY = "ReadyForProvisioning"
PROVISIONING = "Provisioning"
REPLICAS = 1


@dataclass(frozen=True)
class CapacityBufferBackend:
    namespace: str = "warmstart-system"
    accept_timeout_s: float = 300.0
    kind: str = "capacity-buffer"
    primary: Resource = CAPACITYBUFFERS
    per_namespace: bool = False

    def setup(self) -> list[Write]:
        return []

    def render(self, node: NewNode, now: float) -> list[Write]:
        body = {
            "apiVersion": CAPACITYBUFFERS.api_version,
            "kind": "CapacityBuffer",
            "metadata": metadata(node, now, self.namespace),
            "spec": {
                "provisioningStrategy": ACTIVE_CAPACITY,
                "podTemplateRef": {"name": node.name},
                "replicas": REPLICAS,
            },
        }
        return [Write(PODTEMPLATES, pod_template(node, self.namespace)),
                Write(CAPACITYBUFFERS, body)]

    def release(self, name: str, namespace: str | None = None) -> list[Removal]:
        where = namespace or self.namespace
        return [Removal(CAPACITYBUFFERS, name, where), Removal(PODTEMPLATES, name, where)]

    def phase(self, obj: Obj, now: float, template: NodeTemplate | None) -> Phase:
        ready, provisioning = condition(obj, READY), condition(obj, PROVISIONING)
        for found in (ready, provisioning):
            if found is not None and found[0] == "False":
                return Phase("failed", found[1], found[2] or "condition False")
        if ready is None or provisioning is None:
            return unanswered(obj, now, self.accept_timeout_s)
        replicas = (obj.get("status") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < REPLICAS:
            return IN_FLIGHT
        booted = now - provisioning[1] >= boot_seconds(template)
        return Phase("fulfilled", provisioning[1] + boot_seconds(template)) if booted \
            else IN_FLIGHT
