"""Choose the node template for a pod no existing capacity can take.

The cheapest compatible template wins, except that one within
`price_tolerance` of the cheapest may win on a faster startup estimate (an
image baked in, a model cache mounted): a few percent of price buys minutes of
cold start. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from provisioner.resources import shortfall
from provisioner.state import NodeTemplate, PendingPod
from warmstart.estimate import StartupEstimate, estimate_startup


def compatible(pod: PendingPod, template: NodeTemplate) -> str | None:
    """Why `template` cannot take `pod`, or None when it can."""
    rejected = pod.placement.rejects(template.label_map, template.taints)
    if rejected is not None:
        return rejected
    short = shortfall(pod.requests, template.allocatable)
    return f"too small for {','.join(sorted(short))}" if short else None


def choose_template(
    pod: PendingPod,
    templates: tuple[NodeTemplate, ...],
    image_bytes: Mapping[str, int],
    price_tolerance: float,
) -> tuple[NodeTemplate, StartupEstimate] | str:
    """The template to open for `pod`, with its estimate; or why none fits."""
    fits = [t for t in templates if compatible(pod, t) is None]
    if not fits:
        if not templates:
            return "no node templates configured"
        why = {compatible(pod, t) for t in templates}
        return "no compatible node template: " + "; ".join(sorted(w for w in why if w))
    ceiling = min(t.price_per_hour for t in fits) * (1 + price_tolerance)
    scored = [
        (estimate_startup(pod.demand, t.view(t.name), image_bytes), t)
        for t in fits
        if t.price_per_hour <= ceiling
    ]
    estimate, best = min(scored, key=lambda e: (e[0].total_s, e[1].price_per_hour, e[1].name))
    return best, estimate
