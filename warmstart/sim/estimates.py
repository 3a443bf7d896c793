"""The product's start-time estimate of a replica on a simulated node, worked
out once per model and what the node holds of it.

Every input `estimate_startup` reads of a simulated node other than its boot
time is fixed by its pool (bandwidths, persistence mode) and by four facts
about the pod (`SimNode.held`): a node holds a model whole, so its bytes per
tier are the model's size. Building a node's view copies its whole cache
listing, which a start would otherwise do twice (as reported, as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from warmstart.estimate import StartupEstimate, estimate_startup
from warmstart.sim.catalog import ModelSpec
from warmstart.sim.nodes import SimNode, pod_keys


@dataclass
class Estimates:
    image_bytes: Mapping[str, int]
    _known: dict[tuple[str, str, int], StartupEstimate] = field(default_factory=dict)

    def __call__(self, model: ModelSpec, node: SimNode, at: float,
                 reported: bool) -> StartupEstimate:
        """The estimate of `model` starting on `node` at `at`, as the product
        sees the node (`reported`: the agent's last report) or as it is."""
        held = node.held(pod_keys(model.uri, model.image), at, reported)
        key = (model.uri, model.pool, held)
        ready = self._known.get(key)
        if ready is None:
            view = node.view(at) if reported else node.true_view(at)
            ready = estimate_startup(model.pod, replace(view, boot_remaining_s=0.0),
                                     self.image_bytes)
            self._known[key] = ready
        boot = node.boot_remaining(at, reported)
        return replace(ready, node_s=boot) if boot else ready
