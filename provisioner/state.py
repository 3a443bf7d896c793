"""The snapshot the planner decides on: pending pods, capacity, templates.

Plain frozen values, built by the observer from informer caches (or by the
simulator from its own world), so `plan` is a pure function of this snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provisioner.constraints import Placement, Taint
from provisioner.resources import Resources
from warmstart.domain.gpu import GPU_RESOURCE
from warmstart.domain.node import NodeInventory
from warmstart.domain.pod import PodDemand
from warmstart.domain.pool import PoolDefaults
from warmstart.estimate import NodeView
from warmstart.images import canonical_image

GPU = GPU_RESOURCE


@dataclass(frozen=True, slots=True)
class PodError:
    """A pod the provisioner cannot serve, and why: data, not an exception."""

    pod: str
    pod_ref: str
    reason: str
    kind: str = "unplaceable"  # or "unreadable": a field of its spec could not be read


@dataclass(frozen=True, slots=True)
class PendingPod:
    uid: str
    namespace: str
    name: str
    requests: Resources
    placement: Placement
    demand: PodDemand
    created_at: float = 0.0

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class NodeTemplate:
    """One concrete kind of node we can ask for: a NodePool offering or a CA node group."""

    name: str
    pool: str
    labels: tuple[tuple[str, str], ...]
    allocatable: Resources
    price_per_hour: float
    taints: tuple[Taint, ...] = ()
    defaults: PoolDefaults | None = None
    images: frozenset[str] = frozenset()
    inventory: NodeInventory | None = None
    node_class: tuple[str, str, str] | None = None  # Karpenter nodeClassRef group, kind, name
    nodepool: str | None = None  # the Karpenter NodePool it was refined by, if any

    def __post_init__(self) -> None:
        # Baked-in images are compared with pods' images: one spelling for both.
        object.__setattr__(self, "images", frozenset(map(canonical_image, self.images)))

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    @property
    def gpus(self) -> float:
        return self.allocatable.get(GPU, 0.0)

    def view(self, name: str) -> NodeView:
        """The node this template would become, for the startup estimate."""
        return NodeView(
            name=name,
            images=self.images,
            inventory=self.inventory,
            pool=self.defaults or PoolDefaults(name=self.pool),
            boot_remaining_s=None,
        )


@dataclass(frozen=True, slots=True)
class Capacity:
    """A node that exists, or one we (or an autoscaler) already asked for.

    `requested` counts real pods bound to it; placeholders are left out because
    real pods preempt them. `owner` names our object when we created it.
    """

    name: str
    pool: str
    labels: dict[str, str]
    allocatable: Resources
    requested: Resources
    view: NodeView
    price_per_hour: float = 0.0
    taints: tuple[Taint, ...] = ()
    owner: str | None = None  # our object behind it, when we asked for it
    intended: frozenset[str] = frozenset()  # UIDs of the pods it was asked for
    namespace: str | None = None  # only pods of this namespace may use it (a request's)
    exclusive: bool = False  # only the pods it was asked for may use it (booked for them)


@dataclass(frozen=True, slots=True)
class Owned:
    """One capacity object we created (NodeClaim, buffer, request or placeholder).

    `gpus` is what it brings; `real_pods` counts real pods on the node(s) it
    became, which forbids its release; `idle_since` starts when the last left.
    """

    name: str
    pool: str
    purpose: str
    gpus: float
    real_pods: int = 0
    idle_since: float | None = None
    namespace: str | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """One of our objects that will bring no capacity (a ProvisioningRequest that
    ended Failed or BookingExpired, a buffer its autoscaler refused): retried
    under a new name `<base>-r<attempt+1>` after a backoff, and removed."""

    name: str
    base: str  # the name without its attempt suffix
    pool: str
    attempt: int
    since: float
    reason: str
    namespace: str | None = None


@dataclass(frozen=True, slots=True)
class ClusterState:
    observed_at: float
    pending: tuple[PendingPod, ...] = ()
    capacity: tuple[Capacity, ...] = ()
    owned: tuple[Owned, ...] = ()
    templates: tuple[NodeTemplate, ...] = ()
    unreadable: tuple[PodError, ...] = ()  # pending pods whose spec could not be read
    recent_creations: tuple[float, ...] = ()  # when our last creates were issued
    image_bytes: dict[str, int] = field(default_factory=dict)  # from nodes' status.images
    serving: dict[str, float] = field(default_factory=dict)  # model URI -> GPUs of its pods
    failed: tuple[Failed, ...] = ()
    per_namespace: bool = False  # a new node serves pods of one namespace (the backend's rule)
