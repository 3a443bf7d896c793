"""Equivalence classes for the startup estimate, so one `score_node` call
stands for every node that would get the same answer.

`estimate_startup(pod, node)` reads, of a node: its boot state and pool, the
bandwidths and CUDA facts of its inventory (its *profile*), which of the pod's
images it holds, which tiers hold the pod's model, and whether the pod's
images ran there recently. Nodes that agree on all of these get the same
estimate, the same cold estimate and so the same score.
The cold estimate reads only the profile. `tests/extender/test_equivalence.py`
checks all this against `score_node` on random clusters, so a new input to the
estimate cannot slip by unnoticed.

Agents measure bandwidths and CUDA start times per node, and measurements of
identical machines differ by a few percent; taken exactly, every node would
be a profile of its own, and the first call for each pod shape would run one
estimate per node. `snap` rounds them (in `extender.slim`) to a log grid of
`GRID_STEPS_PER_DECADE` steps (21% apart, at most 10% off) when the watch
event arrives, so machines alike share a profile: the same precision as the
agent's probes repeat with, and a 10% change in one stage moves a 0..10 score
by at most one rounding step.
"""

from __future__ import annotations

import math
from collections.abc import Hashable

from warmstart.domain import CacheTier, NodeInventory
from warmstart.estimate import NodeView

GRID_STEPS_PER_DECADE = 12
ModelKey = tuple[tuple[str, int], ...]


def snap(value: float | None) -> float | None:
    """`value` rounded to the measurement grid (3 significant figures kept)."""
    if value is None or value <= 0:
        return value
    step = round(math.log10(value) * GRID_STEPS_PER_DECADE) / GRID_STEPS_PER_DECADE
    return float(f"{10**step:.3g}")


def profile_key(view: NodeView) -> Hashable:
    """The pod-independent part of a node that the estimate reads."""
    inv = view.inventory
    if inv is None:
        return (view.boot_remaining_s, view.pool, None)
    # The index's inventories are slim (`extender.slim`): GPU persistence is
    # folded into the warm signals.
    return (
        view.boot_remaining_s,
        view.pool,
        inv.bandwidths,
        inv.warm.persistence_mode,
        inv.warm.cuda_init_seconds,
    )


def model_keys(inv: NodeInventory | None) -> dict[str, ModelKey]:
    """Per model URI the node holds: its bytes per tier, as a hashable key."""
    if inv is None:
        return {}
    held: dict[str, dict[CacheTier, int]] = {}
    for model in inv.models:
        tiers = held.setdefault(model.uri, {})
        tiers[model.tier] = max(tiers.get(model.tier, 0), model.bytes)
    return {
        uri: tuple(sorted((t.value, b) for t, b in tiers.items())) for uri, tiers in held.items()
    }
