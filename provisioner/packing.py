"""Pack pending pods: free and already-requested capacity first, then new nodes.

First-fit decreasing, the way Karpenter's scheduler simulates: the biggest
pods go first; each lands where its startup estimate is lowest among the
bins it fits (existing nodes, nodes already asked for, nodes opened earlier in
this pass), and only a pod that fits none opens a new node, of the template
`templates.choose` picks. Room is taken as pods land, so nothing is counted
twice. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from provisioner.constraints import Taint
from provisioner.plan_types import Placed
from provisioner.resources import add, shortfall, subtract
from provisioner.state import GPU, Capacity, NodeTemplate, PendingPod, PodError
from warmstart.estimate import NodeView, StartupEstimate, estimate_startup

ChooseTemplate = Callable[[PendingPod], "tuple[NodeTemplate, StartupEstimate] | str"]


@dataclass(slots=True)
class Bin:
    name: str
    pool: str
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    room: dict[str, float]
    view: NodeView
    template: NodeTemplate | None = None  # set for nodes opened by this pass
    estimate: StartupEstimate | None = None
    owner: str | None = None
    intended: frozenset[str] = frozenset()
    namespace: str | None = None  # only pods of this namespace may land here
    exclusive: bool = False  # only its intended pods may land here
    pods: list[PendingPod] = field(default_factory=list)
    used: dict[str, float] = field(default_factory=dict)

    @property
    def gpu_room(self) -> float:
        return self.room.get(GPU, 0.0)

    def take(self, pod: PendingPod) -> None:
        self.pods.append(pod)
        self.room = subtract(self.room, pod.requests)
        self.used = add(self.used, pod.requests)


def capacity_bin(cap: Capacity) -> Bin:
    room = subtract(cap.allocatable, cap.requested)
    return Bin(cap.name, cap.pool, cap.labels, cap.taints, room, cap.view, owner=cap.owner,
               intended=cap.intended, namespace=cap.namespace, exclusive=cap.exclusive)


def _size(pod: PendingPod) -> tuple[float, float, float]:
    r = pod.requests
    devices = float(pod.demand.gpu.devices)
    return (devices, r.get("cpu", 0.0), r.get("memory", 0.0))


@dataclass
class PackResult:
    placed: list[Placed] = field(default_factory=list)
    bins: list[Bin] = field(default_factory=list)  # every bin, existing and new
    new_bins: list[Bin] = field(default_factory=list)
    errors: list[PodError] = field(default_factory=list)


class _Estimates:
    """Estimates memoised by (model, images, GPU shape) and node: pods of one
    deployment share them, which keeps a 500-pod pass cheap."""

    def __init__(self, image_bytes: Mapping[str, int]) -> None:
        self._image_bytes = image_bytes
        self._memo: dict[tuple[object, str], StartupEstimate] = {}

    def of(self, pod: PendingPod, view: NodeView) -> StartupEstimate:
        d = pod.demand
        key = ((d.model, d.images, d.gpu.gpus, d.gpu.tensor_parallel, d.streaming_load), view.name)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = estimate_startup(d, view, self._image_bytes)
        return found


def _best_fit(pod: PendingPod, bins: list[Bin], est: _Estimates) -> Bin | None:
    need_gpu = pod.requests.get(GPU, 0.0)
    best: tuple[float, Bin] | None = None
    for b in bins:
        if b.gpu_room < need_gpu or shortfall(pod.requests, b.room):
            continue
        if b.namespace is not None and b.namespace != pod.namespace:
            continue
        if b.exclusive and pod.uid not in b.intended:
            continue
        if pod.placement.rejects(b.labels, b.taints) is not None:
            continue
        t = est.of(pod, b.view).total_s
        if best is None or t < best[0]:
            best = (t, b)
    return best[1] if best else None


def _intended(pod: PendingPod, promised: Mapping[str, Bin]) -> Bin | None:
    """The in-flight node this pod was asked for, while it still has room for it.

    Keeps each plan from reshuffling pods across nodes already requested (which
    would ask for new ones under new names); a bigger pod arriving later cannot
    take a node another pod is waiting for.
    """
    b = promised.get(pod.uid)
    return b if b is not None and not shortfall(pod.requests, b.room) else None


def pack(
    pods: tuple[PendingPod, ...],
    capacity: tuple[Capacity, ...],
    choose: ChooseTemplate,
    image_bytes: Mapping[str, int],
    per_namespace: bool = False,
) -> PackResult:
    """With `per_namespace`, a node opened here takes pods of one namespace only."""
    est = _Estimates(image_bytes)
    bins = [capacity_bin(c) for c in capacity]
    result = PackResult(bins=bins)
    promised = {uid: b for b in bins for uid in b.intended}
    rest = []
    for pod in sorted(pods, key=_size, reverse=True):
        kept = _intended(pod, promised)
        if kept is None:
            rest.append(pod)
            continue
        kept.take(pod)
        result.placed.append(Placed(pod.uid, pod.ref, kept.name, est.of(pod, kept.view)))
    for pod in rest:
        target = _best_fit(pod, bins, est)
        if target is None:
            chosen = choose(pod)
            if isinstance(chosen, str):
                result.errors.append(PodError(pod.uid, pod.ref, chosen))
                continue
            template, estimate = chosen
            name = f"new-{template.name}-{len(result.new_bins)}"  # renamed by the planner
            view = template.view(name)
            target = Bin(name, template.pool, template.label_map, template.taints,
                         dict(template.allocatable), view, template, estimate,
                         namespace=pod.namespace if per_namespace else None)
            bins.append(target)
            result.new_bins.append(target)
        target.take(pod)
        if target.template is None:
            result.placed.append(Placed(pod.uid, pod.ref, target.name, est.of(pod, target.view)))
    return result
