"""What the index keeps of a NodeCache status: only what the estimate reads,
with the parts many nodes have in common stored once.

At 15,000 nodes the agents' statuses, kept whole, were most of the extender's
memory: eight `GpuDevice` models per node (uuid and product strings each),
model entries with their `lastUsed` times, and a copy of the same bandwidths
and warm signals on every node. The estimate reads, of a GPU, only whether
all of a node's GPUs keep persistence mode (so that folds into
`warm.persistence_mode`); free GPU memory lives in the filter's numpy table
(`extender.gpu_table`), filled from the full status before it is slimmed. Of
a cached model it reads the URI, tier and bytes. Bandwidths and CUDA start
times are snapped to the measurement grid first (`extender.profile.snap`),
so alike machines share one `Bandwidths` and one `WarmSignals`.
`tests/extender/test_equivalence.py` checks that a slim inventory scores as
the full one does.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from pydantic import BaseModel

from extender.profile import snap
from warmstart.domain import CachedModel, NodeInventory, WarmSignals
from warmstart.images import canonical_image

M = TypeVar("M", bound=BaseModel)


class Shared:
    """One instance per distinct value of a frozen model; an instance no node
    holds any more is dropped (held weakly), so changing values do not pile up."""

    def __init__(self) -> None:
        self._kept: weakref.WeakValueDictionary[Hashable, Any] = weakref.WeakValueDictionary()

    def get(self, key: Hashable, make: Callable[[], M]) -> M:
        """The instance kept for `key`, made (once) by `make` if there is none."""
        kept: M | None = self._kept.get(key)
        if kept is None:
            self._kept[key] = kept = make()
        return kept

    def __len__(self) -> int:
        return len(self._kept)


def _model(m: CachedModel, shared: Shared) -> CachedModel:
    return shared.get(("model", m.uri, m.tier, m.bytes), lambda: CachedModel.model_construct(
        uri=m.uri, tier=m.tier, bytes=m.bytes, digest=None, last_used=None))


def slim_inventory(inv: NodeInventory, shared: Shared) -> NodeInventory:
    """`inv` as the estimate sees it: no GPU list (their persistence folded into
    the warm signals), models as (uri, tier, bytes), snapped and shared parts."""
    warm = inv.warm
    persistent = warm.persistence_mode or (bool(inv.gpus)
                                           and all(g.persistence_mode for g in inv.gpus))
    measured = {k: snap(v) for k, v in inv.bandwidths.__dict__.items()}
    bandwidths = shared.get(("bandwidths", *measured.values()),
                            lambda: inv.bandwidths.model_copy(update=measured))
    recent = tuple(canonical_image(i) for i in warm.recent_images)
    cuda = snap(warm.cuda_init_seconds)
    slim_warm = shared.get(
        ("warm", persistent, warm.mps_daemon, recent, cuda),
        lambda: WarmSignals.model_construct(persistence_mode=persistent,
                                            mps_daemon=warm.mps_daemon, recent_images=recent,
                                            cuda_init_seconds=cuda))
    return NodeInventory.model_construct(
        node_name=inv.node_name, gpus=(), models=tuple(_model(m, shared) for m in inv.models),
        bandwidths=bandwidths, warm=slim_warm, images=inv.images, observed_at=inv.observed_at)
