"""Scores 0..10 on a fixed scale: the share of the pod's own cold start that a
node has already done.

    score = round(10 x trust x (T_cold - T) / T_cold)

T is the estimate on the node as it is; T_cold the estimate on the same node
with nothing cached and a cold CUDA context (same bandwidths, same boot state).
A node that has done nothing for this pod scores 0 and is left out of the
extender's reply; a node where the whole waterfall is done scores 10. The
scale does not depend on the other candidates, so scores mean the same thing
in every call and in the simulator. `trust` < 1 discounts stale inventory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from warmstart.domain.node import WarmSignals
from warmstart.domain.pod import PodDemand
from warmstart.estimate import GLOBAL_DEFAULTS, GlobalDefaults, NodeView, StartupEstimate
from warmstart.estimate import estimate_startup as _estimate

MAX_SCORE = 10  # kube-scheduler's MaxExtenderPriority


@dataclass(frozen=True, slots=True)
class NodeScore:
    node: str
    score: int
    estimate: StartupEstimate
    cold: StartupEstimate

    @property
    def saved_s(self) -> float:
        return self.cold.total_s - self.estimate.total_s


def cold_view(node: NodeView) -> NodeView:
    """The same node with no images, no cached models and no warm context."""
    inventory = node.inventory
    if inventory is not None:
        cold_gpus = tuple(g.model_copy(update={"persistence_mode": False}) for g in inventory.gpus)
        # A measured CUDA init time is the node's own speed, not warmth: keep it.
        cold_warm = WarmSignals(cuda_init_seconds=inventory.warm.cuda_init_seconds)
        inventory = inventory.model_copy(
            update={"models": (), "warm": cold_warm, "gpus": cold_gpus}
        )
    return NodeView(
        name=node.name,
        images=frozenset(),
        inventory=inventory,
        pool=node.pool,
        boot_remaining_s=node.boot_remaining_s,
    )


def to_score(estimate: StartupEstimate, cold: StartupEstimate, trust: float = 1.0) -> int:
    if cold.total_s <= 0:
        return 0
    share = max(0.0, cold.total_s - estimate.total_s) / cold.total_s
    return max(0, min(MAX_SCORE, round(MAX_SCORE * share * trust)))


def score_node(
    pod: PodDemand,
    node: NodeView,
    image_bytes: Mapping[str, int] | None = None,
    trust: float = 1.0,
    defaults: GlobalDefaults = GLOBAL_DEFAULTS,
) -> NodeScore:
    estimate = _estimate(pod, node, image_bytes, defaults)
    cold = _estimate(pod, cold_view(node), image_bytes, defaults)
    return NodeScore(node.name, to_score(estimate, cold, trust), estimate, cold)
