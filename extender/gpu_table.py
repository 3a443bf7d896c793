"""Free GPU memory of every node in one numpy matrix, so the filter's "is this
node certainly short of GPU memory" is one vectorised comparison per request.

Row = node slot, columns = its GPUs' free bytes sorted high to low. GPUs the
agent did not see, or in MIG mode (their free memory does not say what a
whole-GPU request gets), count as +inf: unknown is never "certainly short".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from extender.slots import NodeSlots
from warmstart.domain import GpuDevice

COLUMN = "gpu_free"


def declare(slots: NodeSlots) -> None:
    slots.column(COLUMN, math.inf, np.float64, width=8)


def record(slots: NodeSlots, slot: int, gpus: Iterable[GpuDevice] | None) -> None:
    """Record a node's GPUs; None (no inventory) makes the node unknown."""
    free = sorted(
        (math.inf if g.mig_mode else float(g.memory_free_bytes) for g in gpus or ()),
        reverse=True,
    )
    if len(free) > slots[COLUMN].shape[1]:
        slots.widen(COLUMN, len(free))
    table = slots[COLUMN]
    table[slot] = math.inf
    table[slot, : len(free)] = free


def short_of(
    slots: NodeSlots, candidates: npt.NDArray[np.int64], devices: int, bytes_per_device: float
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Which candidates' `devices`-th freest GPU holds less than needed, and that free memory."""
    table = slots[COLUMN]
    if devices <= 0 or devices > table.shape[1]:
        return np.zeros(len(candidates), bool), np.full(len(candidates), math.inf)
    free = table[candidates, devices - 1]
    return free < bytes_per_device, free
