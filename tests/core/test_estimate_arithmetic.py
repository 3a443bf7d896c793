"""The estimate's arithmetic, stage by stage, with the sums shown."""

from __future__ import annotations

import pytest

from warmstart.domain import (
    Bandwidths,
    CachedModel,
    CacheTier,
    GpuRequest,
    ModelRef,
    NodeInventory,
    PodDemand,
    PoolDefaults,
)
from warmstart.estimate import NodeView, estimate_startup

GB = 10**9
POD = PodDemand(
    images=("vllm:v1",),
    model=ModelRef(uri="s3://m/llama", bytes=15 * GB),
    gpu=GpuRequest(gpus=1),
)


def test_cold_node_uses_global_defaults():
    estimate = estimate_startup(POD, NodeView(name="n"), image_bytes={"vllm:v1": 8 * GB})
    # image 8 GB / 80 MB/s = 100 s; model 15 GB / 150 MB/s = 100 s;
    # cuda cold 20 s; h2d 15 GB / 25 GB/s = 0.6 s; node ready = 0 s.
    assert estimate.stages() == pytest.approx(
        {"node": 0.0, "image": 100.0, "model": 100.0, "cuda": 20.0, "h2d": 0.6}
    )


def test_node_measurement_beats_pool_default_beats_global():
    pool = PoolDefaults(name="p", bandwidths=Bandwidths(object_store=300e6, local_disk=6e9))
    inv = NodeInventory(
        node_name="n",
        bandwidths=Bandwidths(local_disk=5e9),
        models=(CachedModel(uri="s3://m/llama", tier=CacheTier.LOCAL_DISK, bytes=10 * GB),),
    )
    estimate = estimate_startup(POD, NodeView(name="n", inventory=inv, pool=pool))
    # 10 GB from the node's measured disk (5 GB/s) = 2 s; the 5 GB it lacks from
    # the pool's object store (300 MB/s) = 16.67 s.
    assert estimate.model_s == pytest.approx(2.0 + 5 * GB / 300e6)
    assert estimate.model_tier == "local-disk"


def test_new_node_pays_pool_boot_time_and_in_flight_node_its_remainder():
    pool = PoolDefaults(name="p", boot_seconds=75.0)
    assert (
        estimate_startup(POD, NodeView(name="new", pool=pool, boot_remaining_s=None)).node_s == 75
    )
    assert estimate_startup(POD, NodeView(name="booting", boot_remaining_s=30.0)).node_s == 30


def test_tensor_parallel_splits_the_host_to_device_copy():
    tp4 = POD.model_copy(update={"gpu": GpuRequest(gpus=4, tensor_parallel=4)})
    # 15 GB over 4 x 25 GB/s lanes = 0.15 s
    assert estimate_startup(tp4, NodeView(name="n")).h2d_s == pytest.approx(0.15)


def test_streaming_loader_hides_the_copy_behind_the_read():
    streaming = POD.model_copy(update={"streaming_load": True})
    assert estimate_startup(streaming, NodeView(name="n")).h2d_s == 0.0


def test_pod_without_model_or_gpu_only_waits_for_images():
    plain = PodDemand(images=("web:v1",))
    estimate = estimate_startup(plain, NodeView(name="n", images=frozenset({"web:v1"})))
    assert estimate.total_s == 0.0
