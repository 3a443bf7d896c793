"""Why a node got its score, stage by stage, in words a newcomer can read.

Not on the scheduler's hot path: `POST /explain` and `warmstart demo` use it
to show the estimate behind each ranking (one `score_node` per node).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from extender.index import NodeIndex
from warmstart.domain import PodDemand
from warmstart.estimate import NodeView
from warmstart.scoring import NodeScore, score_node

GB = 1e9


def _reasons(
    demand: PodDemand, view: NodeView, scored: NodeScore, sizes: dict[str, int]
) -> list[str]:
    reasons: list[str] = []
    est, cold = scored.estimate, scored.cold
    for image in demand.images:
        if image in view.images:
            reasons.append(f"image {image} is on the node")
        else:
            size = sizes.get(image)
            known = f"{size / GB:.1f} GB" if size is not None else "size unknown"
            reasons.append(f"image {image} must be pulled ({known})")
    if demand.model is not None:
        if est.model_tier == "remote":
            reasons.append(f"model {demand.model.uri} is not cached: fetched from its store")
        else:
            reasons.append(f"model {demand.model.uri} is cached in {est.model_tier}")
    if est.cuda_s < cold.cuda_s:
        reasons.append(f"warm CUDA context: {est.cuda_s:g} s instead of {cold.cuda_s:g} s")
    if view.inventory is None:
        reasons.append("no NodeCache inventory for this node")
    return reasons


def explain_node(index: NodeIndex, demand: PodDemand, name: str, stale: bool) -> dict[str, Any]:
    view = index.views.get(name) or NodeView(name=name)
    trust = index.settings.stale_trust if stale else 1.0
    scored = score_node(demand, view, index.image_sizes, trust)
    reasons = _reasons(demand, view, scored, index.image_sizes)
    if stale:
        reasons.append(f"inventory is stale: trusted x{trust:g}")
    return {
        "node": name,
        "score": scored.score,
        "seconds": round(scored.estimate.total_s, 1),
        "coldSeconds": round(scored.cold.total_s, 1),
        "stages": {k: round(v, 2) for k, v in scored.estimate.stages().items()},
        "modelTier": scored.estimate.model_tier,
        "reasons": reasons,
    }


def explain_nodes(
    index: NodeIndex, demand: PodDemand, names: Iterable[str]
) -> list[dict[str, Any]]:
    """Each node's explanation, best first (highest score, then fastest start)."""
    stale = index.stale_nodes()
    rows = [explain_node(index, demand, n, n in stale) for n in names]
    return sorted(rows, key=lambda r: (-r["score"], r["seconds"], r["node"]))
