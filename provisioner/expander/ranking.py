"""Rank cluster-autoscaler's scale-up options by startup estimate and price.

Each option is a node group, its template node and the pods it would serve.
Its cost = price of the nodes it adds for an hour + the value of the time its
pods wait to be ready (the startup estimate on the template node, priced at
`wait_dollars_per_hour`). The cheapest such cost wins; ties keep every tied
option, and cluster-autoscaler's next expander (or random) picks among them.

A group whose price no template states is not free: it ranks after every
priced group (costed on its wait alone, among its like), so it wins only
when no priced group is offered. Pure: no gRPC here.
"""

from __future__ import annotations

from dataclasses import dataclass

from provisioner.expander.decode import Obj
from provisioner.state import NodeTemplate
from warmstart.domain import PodDemand
from warmstart.estimate import NodeView, StartupEstimate, estimate_startup
from warmstart.images import node_images
from warmstart.podspec import PodSpecError, pod_demand

INSTANCE_TYPE = "node.kubernetes.io/instance-type"


@dataclass(frozen=True, slots=True)
class OptionIn:
    group: str
    count: int
    node: Obj | None  # template node as API JSON, if cluster-autoscaler sent one
    pods: tuple[Obj, ...]


@dataclass(frozen=True, slots=True)
class Ranked:
    group: str
    count: int
    cost: float
    estimate: StartupEstimate
    price_per_hour: float | None
    debug: str


def _template(option: OptionIn, templates: tuple[NodeTemplate, ...]) -> NodeTemplate | None:
    labels = (option.node or {}).get("metadata", {}).get("labels", {})
    for t in templates:
        if t.name == option.group or (
            INSTANCE_TYPE in labels and t.label_map.get(INSTANCE_TYPE) == labels[INSTANCE_TYPE]
        ):
            return t
    return None


def _view(option: OptionIn, template: NodeTemplate | None) -> NodeView:
    images, _ = node_images(option.node or {})
    base = template.view(option.group) if template else NodeView(option.group)
    return NodeView(name=option.group, images=images | base.images, inventory=base.inventory,
                    pool=base.pool, boot_remaining_s=None)


def _slowest(pods: tuple[Obj, ...], view: NodeView) -> StartupEstimate:
    demands: list[PodDemand] = []
    for pod in pods:
        try:
            demands.append(pod_demand(pod))
        except PodSpecError:
            continue  # a pod we cannot read still gets the node; it just adds no estimate
    estimates = [estimate_startup(d, view) for d in demands or [PodDemand()]]
    return max(estimates, key=lambda e: e.total_s)


def rank(options: list[OptionIn], templates: tuple[NodeTemplate, ...],
         wait_dollars_per_hour: float) -> list[Ranked]:
    """Every option with its cost, cheapest first."""
    ranked = []
    for option in options:
        template = _template(option, templates)
        estimate = _slowest(option.pods, _view(option, template))
        price = template.price_per_hour if template else None
        wait_cost = wait_dollars_per_hour * estimate.total_s / 3600 * max(len(option.pods), 1)
        if price is None:
            debug = (f"ready in ~{estimate.total_s:.0f} s; price unknown: ranked after "
                     f"priced groups; wait cost {wait_cost:.2f}")
            cost = wait_cost
        else:
            cost = price * option.count + wait_cost
            debug = (f"ready in ~{estimate.total_s:.0f} s; ${price:.2f}/h x {option.count}; "
                     f"cost {cost:.2f}")
        ranked.append(Ranked(option.group, option.count, cost, estimate, price, debug))
    return sorted(ranked, key=lambda r: (r.price_per_hour is None, r.cost, r.group))


def best(ranked: list[Ranked], tolerance: float = 1e-6) -> list[Ranked]:
    """The cheapest option and every option tied with it (of the same pricing kind)."""
    if not ranked:
        return []
    first = ranked[0]
    return [r for r in ranked if (r.price_per_hour is None) == (first.price_per_hour is None)
            and r.cost <= first.cost + tolerance]

