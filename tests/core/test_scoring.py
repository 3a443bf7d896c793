"""The fixed 0..10 scale: the share of the pod's own cold start already done."""

from __future__ import annotations

from warmstart.domain import (
    CachedModel,
    CacheTier,
    GpuRequest,
    ModelRef,
    NodeInventory,
    PodDemand,
    WarmSignals,
)
from warmstart.estimate import NodeView
from warmstart.scoring import score_node

GB = 10**9
POD = PodDemand(
    images=("vllm:v1",), model=ModelRef(uri="s3://m", bytes=15 * GB), gpu=GpuRequest(gpus=1)
)
SIZES = {"vllm:v1": 8 * GB}


def inventory(tier: CacheTier) -> NodeInventory:
    return NodeInventory(
        node_name="n", models=(CachedModel(uri="s3://m", tier=tier, bytes=15 * GB),)
    )


def test_node_holding_nothing_scores_zero():
    assert score_node(POD, NodeView(name="n"), SIZES).score == 0


def test_image_and_model_on_local_disk_score_high():
    view = NodeView(
        name="n", images=frozenset({"vllm:v1"}), inventory=inventory(CacheTier.LOCAL_DISK)
    )
    scored = score_node(POD, view, SIZES)
    # cold: 100 s image + 100 s model + 20 s cuda + 0.6 s h2d = 220.6 s
    # here: 0 s image + 15 GB / 3 GB/s = 5 s model + 20 s + 0.6 s = 25.6 s
    # round(10 x 195 / 220.6) = round(8.84) = 9
    assert scored.score == 9
    assert round(scored.saved_s, 1) == 195.0


def test_image_alone_scores_about_half():
    scored = score_node(POD, NodeView(name="n", images=frozenset({"vllm:v1"})), SIZES)
    assert scored.score == round(10 * 100 / 220.6)  # 5


def test_stale_inventory_is_trusted_less():
    view = NodeView(
        name="n", images=frozenset({"vllm:v1"}), inventory=inventory(CacheTier.LOCAL_DISK)
    )
    assert score_node(POD, view, SIZES, trust=0.5).score == round(0.5 * 10 * 195 / 220.6)  # 4


def test_a_measured_cuda_init_is_the_nodes_speed_not_warmth():
    measured = NodeInventory(node_name="n", warm=WarmSignals(cuda_init_seconds=0.3))
    assert score_node(POD, NodeView(name="n", inventory=measured), SIZES).score == 0
