"""Prioritize: score every candidate that can earn more than 0, in one pass.

Each candidate gets an integer class code, built with numpy over the whole
candidate list at once: its profile (see `extender.profile`), how it holds the
pod's model, which of the pod's images it holds, whether they ran there
recently, whether its inventory is stale. Nodes with one code get one score,
computed once — `score_node`'s arithmetic, with the cold estimate shared by
every class of a profile — and remembered per pod shape across calls, since
a Deployment's replicas ask the same question. The scores of every node for a
pod shape are kept too, so a repeated question costs one array lookup over the
candidates; when the index's generation moves (a node's facts or the stale
set change), only the nodes the index says changed are scored again. Nodes
scoring 0 are left out of the reply: kube-scheduler gives them 0 anyway.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extender.index import PROFILE, NodeIndex
from warmstart.domain import PodDemand
from warmstart.estimate import StartupEstimate, estimate_startup
from warmstart.scoring import to_score

# Code layout: profile * PROFILE_UNIT + model-holding id * MODEL_UNIT + flag bits
# (bit 0 stale, bit 1 ran recently, bits 2.. the pod's images held).
MAX_IMAGES = 20
MODEL_UNIT = 1 << (2 + MAX_IMAGES)
PROFILE_UNIT = MODEL_UNIT << 20
# Scores kept across calls; past this many the memo is dropped and refilled.
MEMO_ENTRIES = 500_000
# Bytes of per-node score vectors kept (one byte a slot each), least recently
# used dropped first: 16 MiB holds 2,048 pod shapes at 5,000 nodes.
VECTOR_BYTES = 16 << 20
_CHECK_EVERY = 16
# A kept vector is patched while fewer than 1/PATCH_SHARE of its slots changed;
# past that, scoring every slot afresh costs less.
PATCH_SHARE = 8


class BudgetExceeded(Exception):
    """The handler's time budget ran out; the caller fails open."""


class ScoreTable:
    """One pod shape's scores by class code: a dict to add to, and the same as
    sorted arrays, so a whole vector of codes is looked up in one numpy pass."""

    def __init__(self) -> None:
        self.by_code: dict[int, int] = {}
        self._codes = np.empty(0, np.int64)
        self._scores = np.empty(0, np.int8)

    def add(self, code: int, score: int) -> None:
        self.by_code[code] = score

    def lookup(
        self, codes: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
        """Scores of `codes` (0 where unknown), and which codes are unknown."""
        if len(self._codes) != len(self.by_code):
            self._codes = np.fromiter(self.by_code, np.int64, len(self.by_code))
            order = np.argsort(self._codes)
            self._codes = self._codes[order]
            self._scores = np.fromiter(self.by_code.values(), np.int8, len(self.by_code))[order]
        if not len(self._codes):
            return np.zeros(len(codes), np.int8), np.ones(len(codes), bool)
        at = np.minimum(np.searchsorted(self._codes, codes), len(self._codes) - 1)
        known = self._codes[at] == codes
        return np.where(known, self._scores[at], 0).astype(np.int8), ~known


class ScoreMemo:
    """Scores by (pod shape, class code), and per-node score vectors by pod shape."""

    def __init__(self, max_entries: int = MEMO_ENTRIES, vector_bytes: int = VECTOR_BYTES) -> None:
        self._max = max_entries
        self._size = 0
        self._vector_bytes = vector_bytes
        self._key_epoch = 0
        self.scores: dict[Hashable, ScoreTable] = {}
        self.vectors: OrderedDict[Hashable, tuple[int, npt.NDArray[np.int8]]] = OrderedDict()

    def follow(self, key_epoch: int) -> None:
        """Forget every score when the index hands out model-holding ids afresh."""
        if key_epoch != self._key_epoch:
            self.scores.clear()
            self.vectors.clear()
            self._size = 0
            self._key_epoch = key_epoch

    def vector(self, shape: Hashable) -> tuple[int, npt.NDArray[np.int8]] | None:
        """Every slot's score for `shape`, and the index generation it holds at."""
        kept = self.vectors.get(shape)
        if kept is not None:
            self.vectors.move_to_end(shape)
        return kept

    def keep(self, shape: Hashable, generation: int, scores: npt.NDArray[np.int8]) -> None:
        self.vectors[shape] = (generation, scores)
        self.vectors.move_to_end(shape)
        while len(self.vectors) * scores.nbytes > self._vector_bytes and len(self.vectors) > 1:
            self.vectors.popitem(last=False)

    def table(self, shape: Hashable) -> ScoreTable:
        if self._size >= self._max:
            self.scores.clear()
            self._size = 0
        table = self.scores.get(shape)
        if table is None:
            table = self.scores[shape] = ScoreTable()
        return table

    def score(
        self,
        index: NodeIndex,
        demand: PodDemand,
        code: int,
        slot: int,
        colds: dict[int, StartupEstimate],
    ) -> int:
        """Score of class `code`, from the estimate on its member in `slot`.

        `colds` holds the cold estimates by profile for this pod, filled as needed:
        shared by one call's classes, not kept across calls (a few megabytes at
        hundreds of pod shapes, and cheap to redo for the few new classes).
        """
        profile = code // PROFILE_UNIT
        cold = colds.get(profile)
        if cold is None:
            view = index.cold_views[profile]
            cold = colds[profile] = estimate_startup(demand, view, index.image_sizes)
        view = index.views[index.slots.names[slot]]
        estimate = estimate_startup(demand, view, index.image_sizes)
        trust = index.settings.stale_trust if code & 1 else 1.0
        self._size += 1
        return to_score(estimate, cold, trust)


def pod_shape(index: NodeIndex, demand: PodDemand) -> Hashable:
    """Everything about the pod (and the image sizes it meets) that a score depends on."""
    gpu = demand.gpu
    sizes = tuple(index.image_sizes.get(i) for i in demand.images)
    mig = tuple(sorted(gpu.mig.items()))
    return (
        demand.images,
        demand.model,
        gpu.gpus,
        mig,
        gpu.tensor_parallel,
        demand.streaming_load,
        sizes,
    )


def class_codes(index: NodeIndex, demand: PodDemand) -> np.ndarray:
    """Class code of every slot (free slots are negative)."""
    if len(demand.images) > MAX_IMAGES:
        raise ValueError(f"Pod: {len(demand.images)} images; at most {MAX_IMAGES} are ranked")
    code = index.slots[PROFILE] * PROFILE_UNIT
    if demand.model is not None:
        slots, held = index.model_slots(demand.model.uri)
        if len(held) and held.max() >= PROFILE_UNIT // MODEL_UNIT:
            raise ValueError("more ways of holding a model than class codes can tell apart")
        code[slots] += held * MODEL_UNIT
    for i, image in enumerate(demand.images):
        code[index.image_slots(image)] |= 4 << i
        code[index.recent_slots(image)] |= 2
    code |= index.stale_mask()  # bit 0; free slots are never stale
    return code


@dataclass(frozen=True)
class Ranking:
    """Slots of the candidates scoring above 0, and their scores (same order)."""

    slots: npt.NDArray[np.int64]
    scores: npt.NDArray[np.int8]

    def named(self, index: NodeIndex) -> dict[str, int]:
        return dict(zip(index.slots.names[self.slots].tolist(), self.scores.tolist(), strict=True))


def score_slots(
    index: NodeIndex, demand: PodDemand, shape: Hashable, deadline: float, memo: ScoreMemo
) -> npt.NDArray[np.int8]:
    """The score of every node in the index (0 for free slots), one estimate per class."""
    every = np.arange(index.slots.capacity)
    nothing = np.zeros(index.slots.capacity, np.int8)
    return patch_slots(index, demand, shape, nothing, every, deadline, memo)


def patch_slots(
    index: NodeIndex,
    demand: PodDemand,
    shape: Hashable,
    kept: npt.NDArray[np.int8],
    changed: npt.NDArray[np.int64],
    deadline: float,
    memo: ScoreMemo,
) -> npt.NDArray[np.int8]:
    """`kept` brought up to date in place: only the `changed` slots are scored again."""
    codes = class_codes(index, demand)[changed]
    live = codes >= 0
    scores = _scores(index, demand, shape, codes[live], changed[live], deadline, memo)
    kept[changed] = 0
    kept[changed[live]] = scores
    return kept


def _scores(
    index: NodeIndex,
    demand: PodDemand,
    shape: Hashable,
    codes: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int64],
    deadline: float,
    memo: ScoreMemo,
) -> npt.NDArray[np.int8]:
    """Scores of the classes `codes` (a member of each in `slots`); new classes scored once."""
    table = memo.table(shape)
    scores, unknown = table.lookup(codes)
    if unknown.any():
        _score_classes(index, demand, memo, table, codes[unknown], slots[unknown], deadline)
        scores, _ = table.lookup(codes)
    return scores


def _score_classes(
    index: NodeIndex,
    demand: PodDemand,
    memo: ScoreMemo,
    table: ScoreTable,
    codes: npt.NDArray[np.int64],
    slots: npt.NDArray[np.int64],
    deadline: float,
) -> None:
    """Score each class among `codes` once, on its first member in `slots`."""
    unique, first = np.unique(codes, return_index=True)
    colds: dict[int, StartupEstimate] = {}
    for j, (code, slot) in enumerate(zip(unique.tolist(), slots[first].tolist(), strict=True)):
        table.add(code, memo.score(index, demand, code, slot, colds))
        if j % _CHECK_EVERY == 0 and time.perf_counter() > deadline:
            raise BudgetExceeded


def current_scores(
    index: NodeIndex, demand: PodDemand, shape: Hashable, deadline: float, memo: ScoreMemo
) -> npt.NDArray[np.int8]:
    """Every slot's score now: as kept, patched for the nodes changed since, or anew."""
    generation = index.generation()
    memo.follow(index.key_epoch)
    kept = memo.vector(shape)
    if kept is not None and kept[0] == generation:
        return kept[1]
    changed = _to_patch(index, kept)
    if kept is not None and changed is not None:
        per_slot = patch_slots(index, demand, shape, kept[1], changed, deadline, memo)
    else:
        per_slot = score_slots(index, demand, shape, deadline, memo)
    memo.keep(shape, generation, per_slot)
    return per_slot


def _to_patch(
    index: NodeIndex, kept: tuple[int, npt.NDArray[np.int8]] | None
) -> npt.NDArray[np.int64] | None:
    """The slots to score again for `kept` to hold now; None when scoring all costs less."""
    if kept is None or len(kept[1]) != index.slots.capacity:
        return None
    changed = index.changed_since(kept[0])
    if changed is None or len(changed) * PATCH_SHARE >= len(kept[1]):
        return None
    return changed


def rank(
    index: NodeIndex,
    demand: PodDemand,
    candidates: npt.NDArray[np.int64],
    deadline: float,
    memo: ScoreMemo,
) -> Ranking:
    """The candidate slots scoring above 0, with their scores."""
    per_slot = current_scores(index, demand, pod_shape(index, demand), deadline, memo)
    scores = per_slot[candidates]
    keep = scores > 0
    return Ranking(candidates[keep], scores[keep])
