"""Properties every caller of the startup estimate relies on (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from warmstart.domain import (
    Bandwidths,
    CachedModel,
    CacheTier,
    GpuDevice,
    GpuRequest,
    ModelRef,
    NodeInventory,
    PodDemand,
    WarmSignals,
)
from warmstart.estimate import NodeView, estimate_startup

URI = "hf://org/model"
IMAGES = ("registry/serve:v1", "registry/sidecar:v2")
GB = 10**9

bandwidth = st.one_of(st.none(), st.floats(min_value=1e6, max_value=1e11))
bandwidths = st.builds(
    Bandwidths,
    registry_pull=bandwidth,
    object_store=bandwidth,
    host_memory=bandwidth,
    local_disk=bandwidth,
    shared_fs=bandwidth,
    host_to_device=bandwidth,
)
model_bytes = st.integers(min_value=1, max_value=200 * GB)
tier_bytes = st.dictionaries(st.sampled_from(list(CacheTier)), st.integers(0, 200 * GB))
pods = st.builds(
    PodDemand,
    images=st.lists(st.sampled_from(IMAGES), max_size=2, unique=True).map(tuple),
    model=st.builds(ModelRef, uri=st.just(URI), bytes=model_bytes),
    gpu=st.builds(GpuRequest, gpus=st.integers(0, 8), tensor_parallel=st.integers(1, 8)),
    streaming_load=st.booleans(),
)


def node(held: dict[CacheTier, int], images: frozenset[str], bw: Bandwidths) -> NodeView:
    models = tuple(CachedModel(uri=URI, tier=t, bytes=b) for t, b in held.items())
    inv = NodeInventory(node_name="n", models=models, bandwidths=bw)
    return NodeView(name="n", images=images, inventory=inv)


@given(pods, tier_bytes, tier_bytes, st.sets(st.sampled_from(IMAGES)), bandwidths)
def test_caching_more_never_raises_the_estimate(pod, held, extra, images, bw):
    more = {t: max(held.get(t, 0), extra.get(t, 0)) for t in set(held) | set(extra)}
    less_node = node(held, frozenset(), bw)
    more_node = node(more, frozenset(images), bw)
    assert (
        estimate_startup(pod, more_node).total_s <= estimate_startup(pod, less_node).total_s + 1e-9
    )


@given(pods, tier_bytes, bandwidths, model_bytes)
def test_a_bigger_model_never_lowers_the_estimate(pod, held, bw, extra_bytes):
    assert pod.model is not None and pod.model.bytes is not None
    bigger = pod.model_copy(
        update={"model": pod.model.model_copy(update={"bytes": pod.model.bytes + extra_bytes})}
    )
    view = node(held, frozenset(), bw)
    assert estimate_startup(bigger, view).total_s >= estimate_startup(pod, view).total_s - 1e-9


@given(pods, tier_bytes, st.sets(st.sampled_from(IMAGES)), bandwidths)
def test_stages_sum_to_the_total(pod, held, images, bw):
    estimate = estimate_startup(pod, node(held, frozenset(images), bw))
    assert math.isclose(sum(estimate.stages().values()), estimate.total_s, rel_tol=1e-12)
    assert all(v >= 0 for v in estimate.stages().values())


def test_warm_gpu_resident_replica_skips_download_and_copy():
    pod = PodDemand(model=ModelRef(uri=URI, bytes=14 * GB), gpu=GpuRequest(gpus=1))
    warm = node({CacheTier.GPU_RESIDENT: 14 * GB}, frozenset(), Bandwidths())
    estimate = estimate_startup(pod, warm)
    assert (estimate.model_s, estimate.h2d_s, estimate.model_tier) == (0.0, 0.0, "gpu-resident")


def test_persistence_mode_and_a_recent_image_make_cuda_warm():
    pod = PodDemand(images=("img",), gpu=GpuRequest(gpus=1))
    gpus = (
        GpuDevice(
            uuid="GPU-0",
            memory_total_bytes=80 * GB,
            memory_free_bytes=80 * GB,
            persistence_mode=True,
        ),
    )
    cold = NodeView(name="n", inventory=NodeInventory(node_name="n"))
    persistent = NodeView(name="n", inventory=NodeInventory(node_name="n", gpus=gpus))
    recent = NodeView(
        name="n",
        inventory=NodeInventory(node_name="n", gpus=gpus, warm=WarmSignals(recent_images=("img",))),
    )
    # Defaults: 20 s cold, 8 s with persistence mode, 3 s once the image's libraries are cached.
    assert [estimate_startup(pod, v).cuda_s for v in (cold, persistent, recent)] == [20.0, 8.0, 3.0]
