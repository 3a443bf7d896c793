"""Requests per autoscaler step per model, packed for a fast replay.

A step's requests are one aggregate (count, first arrival) per model, not one
event per request: the first arrival triggers a scale-from-zero at its exact
time, the rest are taken as uniform over the remainder of the step.

Idle-spell arrivals are marked here, from the trace alone, so that every
policy is judged on the same requests: a model's first request, and every
first request after `spell_gap_s` without one (reactive scale-to-zero's
window: the requests that find no ready replica when nothing is kept warm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from warmstart.traces import RESOLUTION_ATTR
from warmstart.traces.rates import bin_counts


@dataclass(frozen=True, slots=True)
class StepDemand:
    """CSR by step: entries ptr[k]:ptr[k+1] hold step k's (model, count, first)."""

    names: tuple[str, ...]
    origin: float
    step_s: float
    steps: int
    ptr: np.ndarray
    model: np.ndarray
    count: np.ndarray
    first: np.ndarray
    spell: np.ndarray  # bool: the entry's first request is an idle-spell arrival

    def at(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        lo, hi = self.ptr[k], self.ptr[k + 1]
        return self.model[lo:hi], self.count[lo:hi], self.first[lo:hi], self.spell[lo:hi]

    @property
    def total_requests(self) -> float:
        return float(self.count.sum())


# Knative's stable window, the reactive baseline's scale-to-zero.
SPELL_GAP_S = 60.0


def spell_arrivals(model: np.ndarray, step: np.ndarray, count: np.ndarray, first: np.ndarray,
                   step_s: float, origin: float, gap_s: float = SPELL_GAP_S) -> np.ndarray:
    """Which entries (sorted by step) open an idle spell of their model."""
    # The last request of an entry: its first if alone, else the step's end.
    last = np.where(count <= 1, first, origin + (step + 1) * step_s)
    # Entries come sorted by step: a stable sort by model keeps each model's in order.
    order = np.argsort(model, kind="stable")
    m, f, la = model[order], first[order], last[order]
    new_model = np.r_[True, m[1:] != m[:-1]]
    opens = new_model | (f - np.r_[-np.inf, la[:-1]] >= gap_s)
    spell = np.empty(len(model), dtype=bool)
    spell[order] = opens
    return spell


def step_demand(frame: pd.DataFrame, step_s: float) -> StepDemand:
    ts = frame["ts"].to_numpy(dtype="float64")
    codes, names = pd.factorize(frame["model"], sort=True)
    if len(ts) == 0:
        empty = np.zeros(0)
        return StepDemand((), 0.0, step_s, 0, np.zeros(1, "int64"), empty.astype("int64"),
                          empty, empty, empty.astype(bool))
    origin = float(np.floor(ts.min() / step_s) * step_s)
    resolution = float(frame.attrs.get(RESOLUTION_ATTR, 0.0))
    row, bins, counts = bin_counts(ts, frame["count"].to_numpy(dtype="float64"), step_s,
                                   origin, resolution)
    first = np.maximum(ts[row], origin + bins * step_s)
    key = bins * len(names) + codes[row]
    order = np.lexsort((first, key))
    key, counts, first = key[order], counts[order], first[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    key = key[starts]
    summed = np.add.reduceat(counts, starts)
    step = key // len(names)
    steps = int(step[-1]) + 1
    model = (key % len(names)).astype("int64")
    first = first[starts]
    return StepDemand(
        names=tuple(str(n) for n in names),
        origin=origin,
        step_s=step_s,
        steps=steps,
        ptr=np.searchsorted(step, np.arange(steps + 1)),
        model=model,
        count=summed,
        first=first,
        spell=spell_arrivals(model, step, summed, first, step_s, origin),
    )
