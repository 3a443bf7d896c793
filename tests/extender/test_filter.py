"""Filter rejects only what is certain: fresh, known GPU memory below what the
model's weights need on each requested GPU."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extender import ExtenderSettings, NodeIndex
from extender.filtering import short_nodes
from warmstart.clock import ManualClock
from warmstart.domain import GpuDevice, GpuRequest, ModelRef, NodeInventory, PodDemand

GIB = 1024**3
NOW = 1795827600.0


def gpu(free_gib: float, mig: bool = False) -> GpuDevice:
    return GpuDevice(
        uuid="g", memory_total_bytes=80 * GIB, memory_free_bytes=int(free_gib * GIB), mig_mode=mig
    )


def index_with(*nodes: tuple[str, tuple[GpuDevice, ...], float]) -> NodeIndex:
    clock = ManualClock(NOW)
    index = NodeIndex(ExtenderSettings(), clock)
    for name, gpus, age in nodes:
        observed = datetime.fromtimestamp(NOW - age, UTC)
        index.upsert_cache(NodeInventory(node_name=name, gpus=gpus, observed_at=observed))
    return index


def pod(gpus: int = 1, model_gib: float | None = 30) -> PodDemand:
    size = int(model_gib * GIB) if model_gib is not None else None
    return PodDemand(model=ModelRef(uri="hf://m", bytes=size), gpu=GpuRequest(gpus=gpus))


def test_node_short_of_gpu_memory_is_removed_with_a_reason():
    index = index_with(("full", (gpu(10), gpu(12)), 0), ("roomy", (gpu(10), gpu(40)), 0))
    shortfall = short_nodes(index, pod(), index.slots.lookup(["full", "roomy"]))
    assert shortfall.short.tolist() == [True, False]
    failed = shortfall.reasons
    assert list(failed) == ["full"]
    # 30 GiB on 1 GPU; the freest GPU on "full" has 12 GiB
    assert "30.0 GiB free on each of 1 GPU(s)" in failed["full"] and "12.0 GiB" in failed["full"]


def test_weights_split_evenly_over_the_requested_gpus():
    # 30 GiB over 2 GPUs needs 15 GiB on each: the second-freest GPU decides
    index = index_with(("a", (gpu(40), gpu(14)), 0), ("b", (gpu(16), gpu(15)), 0))
    assert list(short_nodes(index, pod(gpus=2), index.slots.lookup(["a", "b"])).reasons) == ["a"]


@pytest.mark.parametrize(
    ("gpus", "age", "demand"),
    [
        ((gpu(1),), 601, pod()),  # stale inventory: not certain
        ((), 0, pod()),  # the agent saw no GPUs: unknown, not short
        ((gpu(1, mig=True),), 0, pod()),  # MIG slices: free memory says nothing
        ((gpu(1),), 0, pod(model_gib=None)),  # model size unknown
        (
            (gpu(1),),
            0,
            PodDemand(
                model=ModelRef(uri="hf://m", bytes=GIB),
                gpu=GpuRequest(mig={"nvidia.com/mig-1g.5gb": 1}),
            ),
        ),
        ((gpu(40), gpu(1)), 0, pod(gpus=4)),  # 2 GPUs seen, 4 asked: unseen ones unknown
    ],
)
def test_uncertain_cases_never_reject(gpus, age, demand):
    index = index_with(("n", gpus, age))
    shortfall = short_nodes(index, demand, index.slots.lookup(["n"]))
    assert shortfall.reasons == {} and shortfall.short.tolist() == [False]


def test_nodes_unknown_to_the_index_pass():
    index = index_with()
    shortfall = short_nodes(index, pod(), index.slots.lookup(["elsewhere"]))
    assert shortfall.reasons == {} and len(shortfall.short) == 0
