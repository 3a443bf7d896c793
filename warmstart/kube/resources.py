"""The Kubernetes resource types warmstart reads and writes, and how to address them.

A `Resource` knows its API group/version, plural and scope, and builds the
URL paths the client uses; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Resource:
    group: str  # "" for the core API
    version: str
    plural: str
    namespaced: bool
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The collection path (no name) or the object path; `namespace=None` lists all."""
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace is not None:
            base += f"/namespaces/{namespace}"
        elif self.namespaced and name is not None:
            raise ValueError(f"{self.plural} is namespaced: a namespace is needed to name {name!r}")
        elif not self.namespaced and namespace is not None:
            raise ValueError(f"{self.plural} is cluster-scoped: namespace must be None")
        base += f"/{self.plural}"
        return f"{base}/{name}" if name is not None else base


NODES = Resource("", "v1", "nodes", False, "Node")
PODS = Resource("", "v1", "pods", True, "Pod")
EVENTS = Resource("", "v1", "events", True, "Event")
PODTEMPLATES = Resource("", "v1", "podtemplates", True, "PodTemplate")
PRIORITYCLASSES = Resource("scheduling.k8s.io", "v1", "priorityclasses", False, "PriorityClass")
LEASES = Resource("coordination.k8s.io", "v1", "leases", True, "Lease")
NODECACHES = Resource("warmstart.io", "v1alpha1", "nodecaches", False, "NodeCache")
MODELS = Resource("warmstart.io", "v1alpha1", "models", False, "Model")
PREFETCHES = Resource("warmstart.io", "v1alpha1", "prefetches", False, "Prefetch")
NODECLAIMS = Resource("karpenter.sh", "v1", "nodeclaims", False, "NodeClaim")
NODEPOOLS = Resource("karpenter.sh", "v1", "nodepools", False, "NodePool")
PROVISIONINGREQUESTS = Resource(
    "autoscaling.x-k8s.io", "v1", "provisioningrequests", True, "ProvisioningRequest"
)
CAPACITYBUFFERS = Resource(
    "autoscaling.x-k8s.io", "v1beta1", "capacitybuffers", True, "CapacityBuffer"
)

ALL: tuple[Resource, ...] = (
    NODES, PODS, EVENTS, PODTEMPLATES, PRIORITYCLASSES, LEASES, NODECACHES, MODELS,
    PREFETCHES, NODECLAIMS, NODEPOOLS, PROVISIONINGREQUESTS, CAPACITYBUFFERS,
)
