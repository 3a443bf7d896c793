"""The fast path gives every candidate exactly the score `score_node` gives it.

Ranking scores one member per equivalence class and shares cold estimates per
profile; these properties check the result against `score_node` run on every
node, on random clusters whose nodes often (but not always) look alike.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from extender import ExtenderSettings, NodeIndex
from extender.index import PROFILE
from extender.profile import snap
from extender.ranking import ScoreMemo, rank
from extender.slim import Shared, slim_inventory
from warmstart.clock import ManualClock
from warmstart.domain import (
    Bandwidths,
    CachedModel,
    CacheTier,
    GpuDevice,
    GpuRequest,
    ModelRef,
    NodeInventory,
    PodDemand,
    PoolDefaults,
    WarmSignals,
)
from warmstart.estimate import NodeView
from warmstart.images import canonical_image
from warmstart.scoring import score_node

NOW = 1795827600.0
NOW_DT = datetime.fromtimestamp(NOW, UTC)
GB = 10**9
IMAGES = ["vllm/vllm-openai:v1", "tgi:2", "docker.io/library/triton:3"]
URIS = ["hf://a", "hf://b", "s3://c"]
SETTINGS = ExtenderSettings(
    pools=(PoolDefaults(name="slow", boot_seconds=120, bandwidths=Bandwidths(registry_pull=4e7)),)
)

cached = st.builds(
    CachedModel,
    uri=st.sampled_from(URIS[:2]),
    tier=st.sampled_from(list(CacheTier)),
    bytes=st.sampled_from([GB, 15 * GB]),
)
PERSISTENT = GpuDevice(
    uuid="g", memory_total_bytes=80 * GB, memory_free_bytes=79 * GB, persistence_mode=True
)
COLD = PERSISTENT.model_copy(update={"persistence_mode": False})
# Most nodes are alike and differ from the base node in at most one way, so a class
# key that forgot a field would merge nodes whose scores differ.
TWEAKS = [
    "",
    "",
    "",
    "",
    "disk",
    "h2d",
    "registry",
    "cuda",
    "pool",
    "noinv",
    "nogpu",
    "nogpu-cold",
    "gpu-persist",
    "cold",
]
node = st.tuples(
    st.sampled_from([[], [IMAGES[0]], [IMAGES[0], IMAGES[2]]]),  # images on the Node
    st.one_of(st.just([]), st.lists(cached, max_size=2)),  # models cached
    st.sampled_from([[], [], [], [IMAGES[0]]]),  # images that ran recently
    st.sampled_from([False, False, False, True]),  # stale inventory
    st.sampled_from(TWEAKS),
)
demand = st.builds(
    PodDemand,
    images=st.lists(st.sampled_from(IMAGES), min_size=1, max_size=2, unique=True).map(
        lambda xs: tuple(canonical_image(x) for x in xs)
    ),
    model=st.one_of(
        st.none(),
        st.builds(
            ModelRef, uri=st.sampled_from(URIS[:2]), bytes=st.sampled_from([None, GB, 15 * GB])
        ),
    ),
    gpu=st.builds(GpuRequest, gpus=st.integers(0, 2)),
    streaming_load=st.booleans(),
)


def _inventory(name: str, node: tuple[Any, ...]) -> NodeInventory | None:
    _, models, recent, stale, tweak = node
    if tweak == "noinv":
        return None
    bw = {
        "disk": Bandwidths(local_disk=6.5e9),
        "h2d": Bandwidths(host_to_device=50e9),
        "registry": Bandwidths(registry_pull=1e8),
    }.get(tweak, Bandwidths(local_disk=3e9))
    observed = NOW - (SETTINGS.stale_after_s + 1 if stale else 0)
    return NodeInventory(
        node_name=name,
        gpus=() if tweak.startswith("nogpu") else (COLD,) if tweak == "cold" else (PERSISTENT,),
        models=tuple(models),
        bandwidths=bw,
        warm=WarmSignals(
            persistence_mode=tweak not in ("nogpu-cold", "gpu-persist", "cold"),
            recent_images=tuple(recent),
            cuda_init_seconds=2.5 if tweak == "cuda" else None,
        ),
        observed_at=datetime.fromtimestamp(observed, UTC),
    )


def build(nodes: list[tuple[Any, ...]]) -> tuple[NodeIndex, ManualClock]:
    clock = ManualClock(NOW)
    index = NodeIndex(SETTINGS, clock)
    for i, node in enumerate(nodes):
        name, images, tweak = f"n{i}", node[0], node[-1]
        labels = {"karpenter.sh/nodepool": "slow"} if tweak == "pool" else {}
        index.upsert_node(
            {**_node_object(name, images), "metadata": {"name": name, "labels": labels}}
        )
        inventory = _inventory(name, node)
        if inventory is not None:
            index.upsert_cache(inventory)
    return index, clock


def expected(index: NodeIndex, pod: PodDemand, names: list[str]) -> dict[str, int]:
    stale = index.stale_nodes()
    out = {}
    for name in names:
        if name in index.views:
            trust = SETTINGS.stale_trust if name in stale else 1.0
            score = score_node(pod, index.views[name], index.image_sizes, trust).score
            if score > 0:
                out[name] = score
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(node, min_size=1, max_size=40), demand, st.data())
def test_ranking_equals_score_node_on_every_candidate(nodes, pod, data):
    index, _ = build(nodes)
    known = [*index.views, "unknown"]
    names = data.draw(st.one_of(st.just(known), st.lists(st.sampled_from(known), unique=True)))
    memo = ScoreMemo()
    assert rank(index, pod, index.slots.lookup(names), math.inf, memo).named(index) == expected(
        index, pod, names
    )
    # again from the memo, and after a node changes profile
    assert rank(index, pod, index.slots.lookup(names), math.inf, memo).named(index) == expected(
        index, pod, names
    )
    index.upsert_cache(NodeInventory(node_name="n0", bandwidths=Bandwidths(local_disk=7e9)))
    assert rank(index, pod, index.slots.lookup(names), math.inf, memo).named(index) == expected(
        index, pod, names
    )


def test_alike_machines_share_one_estimate():
    # 3.00 and 3.05 GB/s disks snap to one grid point; 6.5 GB/s is another profile
    clock = ManualClock(NOW)
    index = NodeIndex(SETTINGS, clock)
    for name, bw in (("n0", 3e9), ("n1", 3.05e9), ("n2", 6.5e9)):
        index.upsert_cache(NodeInventory(node_name=name, bandwidths=Bandwidths(local_disk=bw)))
    profiles = [index.slots[PROFILE][index.slots.of[n]] for n in ("n0", "n1", "n2")]
    assert profiles[0] == profiles[1] != profiles[2]


# One change between two calls: a node's inventory or its Node object replaced, a
# node leaving, a new node joining (possibly into a freed slot), or time passing so
# inventories go stale.
change = st.one_of(
    st.tuples(st.sampled_from(["cache", "node"]), st.integers(0, 39), node),
    st.tuples(st.just("leave"), st.integers(0, 39), st.none()),
    st.tuples(st.just("join"), st.integers(40, 49), node),
    st.tuples(st.just("age"), st.just(0), st.none()),
)


def _node_object(name: str, images: list[str]) -> dict[str, Any]:
    sizes = [{"names": [x], "sizeBytes": GB // 2} for x in images]
    return {"metadata": {"name": name}, "status": {"images": sizes}}


def _apply(index: NodeIndex, clock: ManualClock, kind: str, i: int, spec: Any) -> None:
    name = f"n{i}"
    if kind == "age":
        clock.advance(SETTINGS.stale_after_s / 2)
    elif kind == "leave":
        index.delete_node(name)
        index.delete_cache(name)
    elif kind in ("cache", "node") and name not in index.views:
        return
    if kind in ("node", "join"):
        index.upsert_node(_node_object(name, spec[0]))
    if kind in ("cache", "join"):
        inventory = _inventory(name, spec)
        if inventory is not None:
            index.upsert_cache(inventory.model_copy(update={"observed_at": None}))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(node, min_size=1, max_size=40),
    demand.filter(lambda d: d.model is not None),  # so that changes in who holds it count
    st.lists(st.lists(change, max_size=6)),
)
def test_scores_kept_across_changes_equal_score_node(nodes, pod, rounds):
    # Each call after changes patches the kept scores for the changed nodes only.
    index, clock = build(nodes)
    memo = ScoreMemo()
    for changes in [[], *rounds]:
        for kind, i, spec in changes:
            _apply(index, clock, kind, i, spec)
        names = [*index.views, "unknown"]
        scored = rank(index, pod, index.slots.lookup(names), math.inf, memo).named(index)
        assert scored == expected(index, pod, names)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(node, min_size=1, max_size=20),
    demand.filter(lambda d: d.model is not None),
    st.lists(
        st.tuples(st.integers(0, 19), st.integers(1, 15 * GB)), min_size=8, unique_by=lambda r: r[1]
    ),
)
def test_ever_new_resident_byte_counts_keep_ids_bounded_and_scores_right(nodes, pod, residency):
    # Agents publish exact page-cache residency, so each update can be a new way of
    # holding the model; ids are handed out afresh past the limit, scores stay right.
    clock = ManualClock(NOW)
    index = NodeIndex(SETTINGS, clock, key_limit=4)
    for i, spec in enumerate(nodes):
        _apply(index, clock, "join", i, spec)
    memo = ScoreMemo()
    for i, resident in residency:
        name = f"n{i % len(nodes)}"
        held = CachedModel(uri=pod.model.uri, tier=CacheTier.HOST_MEMORY, bytes=resident)
        inventory = _inventory(name, nodes[i % len(nodes)]) or NodeInventory(node_name=name)
        index.upsert_cache(inventory.model_copy(update={"models": (held,), "observed_at": None}))
        names = list(index.views)
        scored = rank(index, pod, index.slots.lookup(names), math.inf, memo).named(index)
        assert scored == expected(index, pod, names)
        assert len(index._model_keys) <= max(4, 2 * len(nodes) + 2)
    assert index.key_epoch > 0


@settings(max_examples=200, deadline=None)
@given(node, demand, st.sampled_from([None, "sha256:1"]))
def test_a_slim_inventory_scores_as_the_full_one(spec, pod, digest):
    # The index keeps inventories slim (no GPU list, models as uri/tier/bytes, parts
    # shared); the estimate must not tell them from the agent's full status with the
    # same snapped measurements.
    full = _inventory("n", spec)
    if full is None:
        return
    bw = full.bandwidths
    warm = full.warm
    full = full.model_copy(update={
        "bandwidths": bw.model_copy(update={k: snap(v) for k, v in bw.__dict__.items()}),
        "warm": warm.model_copy(update={
            "cuda_init_seconds": snap(warm.cuda_init_seconds),
            "recent_images": tuple(canonical_image(i) for i in warm.recent_images)}),
        "models": tuple(m.model_copy(update={"digest": digest, "last_used": NOW_DT})
                        for m in full.models),
    })
    slim = slim_inventory(full, Shared())
    assert slim.gpus == () and all(m.last_used is None for m in slim.models)
    images = frozenset(canonical_image(i) for i in spec[0])
    sizes = {canonical_image(i): GB // 2 for i in IMAGES}
    for pool in (None, SETTINGS.pools[0]):
        assert score_node(pod, NodeView("n", images, slim, pool), sizes) == score_node(
            pod, NodeView("n", images, full, pool), sizes
        )


def test_shared_parts_are_kept_once_and_dropped_when_unused():
    shared = Shared()
    one = [slim_inventory(NodeInventory(node_name=f"n{i}", bandwidths=Bandwidths(
        local_disk=3e9 + i), models=(CachedModel(uri="hf://a", tier=CacheTier.LOCAL_DISK,
                                                 bytes=GB),)), shared) for i in range(3)]
    assert one[0].bandwidths is one[2].bandwidths and one[0].models[0] is one[1].models[0]
    assert len(shared) == 3  # bandwidths, warm signals, the cached model
    del one
    assert len(shared) == 0
