"""Filter: remove only the nodes that certainly cannot run the pod.

Autoscalers do not call extenders, so a node we reject that their simulation
accepts leaves the pod Pending forever (kubernetes-sigs/karpenter#2030). The
one certain fact is GPU memory: a node whose fresh inventory shows fewer GPUs
with room for the model's weights than the pod asks for cannot load it. An
unknown or stale inventory, a model of unknown size, or a MIG request never
rejects a node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extender import gpu_table
from extender.index import NodeIndex
from warmstart.domain import PodDemand

GIB = 1024**3


def weights_per_gpu(demand: PodDemand) -> float | None:
    """Least GPU memory each requested GPU needs: the weights split evenly."""
    if demand.model is None or demand.model.bytes is None or demand.gpu.gpus <= 0:
        return None
    return demand.model.bytes / demand.gpu.gpus


@dataclass(frozen=True)
class Shortfall:
    """The candidates certainly short of GPU memory: a mask over them, a reason per name."""

    short: npt.NDArray[np.bool_]
    reasons: dict[str, str]


def short_nodes(
    index: NodeIndex, demand: PodDemand, candidates: npt.NDArray[np.int64]
) -> Shortfall:
    """Which candidate slots certainly lack GPU memory for the model, and why."""
    need = weights_per_gpu(demand)
    if need is None or demand.model is None:
        return Shortfall(np.zeros(len(candidates), bool), {})
    gpus = demand.gpu.gpus
    short, free = gpu_table.short_of(index.slots, candidates, gpus, need)
    at = np.flatnonzero(short)
    short[at[index.stale_mask()[candidates[at]]]] = False  # stale: not certain
    prefix = f"warmstart: the model needs {need / GIB:.1f} GiB free on each of {gpus} GPU(s); "
    here = "the freest GPU here has" if gpus == 1 else f"of the {gpus} freest GPUs here, one has"
    names = index.slots.names[candidates[short]].tolist()
    reasons = {
        name: f"{prefix}{here} {room / GIB:.1f} GiB"
        for name, room in zip(names, free[short].tolist(), strict=True)
    }
    return Shortfall(short, reasons)
