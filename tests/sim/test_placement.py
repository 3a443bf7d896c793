"""The warmstart policy places with the extender's scorer; the baselines spread."""

from __future__ import annotations

import numpy as np

from warmstart.sim.catalog import build_catalog, image_sizes
from warmstart.sim.cluster import SimCluster
from warmstart.sim.config import ClusterSpec
from warmstart.sim.nodes import SimNode
from warmstart.sim.placement import ScoringPlacer, least_allocated
from warmstart.sim.run import make_policy


def _two_nodes(spec: ClusterSpec) -> tuple[SimCluster, list[SimNode]]:
    cluster = SimCluster(spec)
    pool = spec.pools[0]
    return cluster, [cluster.add_node(pool, 0.0, 0.0) for _ in range(2)]


def _load(cluster: SimCluster, node, model, spec: ClusterSpec) -> None:
    cluster.loaded(node, model.uri, model.model_bytes, model.image,
                   image_sizes(spec)[model.image], 0.0)
    node.unloaded(model.uri, model.image)  # the replica stopped; the cache stays


def test_changing_which_node_caches_the_model_changes_the_placement(
        small_cluster: ClusterSpec) -> None:
    model = build_catalog(["m"], small_cluster, seed=0)[0]
    placer = make_policy("warmstart", small_cluster).placer
    rng = np.random.default_rng(0)
    for cached_on in (0, 1):
        cluster, nodes = _two_nodes(small_cluster)
        _load(cluster, nodes[cached_on], model, small_cluster)
        assert placer(model, cluster, 10.0, rng) is nodes[cached_on]


def test_the_scorer_is_what_decides(small_cluster: ClusterSpec) -> None:
    """A node holding only the image loses to one holding the model itself."""
    model, other = build_catalog(["m", "n"], small_cluster, seed=0)
    cluster, nodes = _two_nodes(small_cluster)
    _load(cluster, nodes[0], other, small_cluster)  # same image, other model
    _load(cluster, nodes[1], model, small_cluster)
    placer = ScoringPlacer(image_sizes(small_cluster))
    assert placer(model, cluster, 10.0, np.random.default_rng(0)) is nodes[1]
    assert placer.scored_calls == 2


def test_score_and_spread_add_up_as_in_kube_scheduler(small_cluster: ClusterSpec) -> None:
    """kube-scheduler sums the extender's score x weight x 10 and LeastAllocated's 0..100."""
    model, other = build_catalog(["m", "n"], small_cluster, seed=0)
    placer = ScoringPlacer(image_sizes(small_cluster))
    # Node 0 holds the image only (another model ran there). Cold: 125 s image +
    # 100 s model + 20 s CUDA + 0.6 s h2d = 245.6 s; there: 100 + 3 + 0.6 = 103.6 s,
    # 58% done -> score 6 -> 60 points, plus 100 x free/4 for the spread.
    for used, winner in ((3, 1), (2, 0)):
        cluster, nodes = _two_nodes(small_cluster)
        _load(cluster, nodes[0], other, small_cluster)
        cluster.allocate(nodes[0], used, 0.0)
        # used 3: 60 + 25 = 85 < 100 (empty node); used 2: 60 + 50 = 110 > 100.
        assert placer(model, cluster, 10.0, np.random.default_rng(0)) is nodes[winner]


def test_least_allocated_prefers_free_gpus_then_waits_for_booting_nodes(
        small_cluster: ClusterSpec) -> None:
    model = build_catalog(["m"], small_cluster, seed=0)[0]
    cluster, nodes = _two_nodes(small_cluster)
    cluster.allocate(nodes[0], 2, 0.0)
    rng = np.random.default_rng(0)
    assert least_allocated(model, cluster, 1.0, rng) is nodes[1]
    for node in nodes:
        cluster.allocate(node, 4 - (2 if node is nodes[0] else 0), 0.0)
    booting = cluster.add_node(small_cluster.pools[0], 0.0, 100.0)
    assert least_allocated(model, cluster, 1.0, rng) is booting
