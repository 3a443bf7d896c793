"""An image the agent pre-pulled counts as present, like one kubelet lists on the Node."""

from __future__ import annotations

from warmstart.domain import NodeInventory, PodDemand
from warmstart.estimate import NodeView, estimate_startup

GIB = 1 << 30


def test_a_staged_image_costs_no_pull_time():
    pod = PodDemand(images=("docker.io/vllm/vllm-openai:v0.6",))
    sizes = {"docker.io/vllm/vllm-openai:v0.6": 8 * GIB}
    bare = NodeView(name="n", inventory=NodeInventory(node_name="n"))
    staged = NodeView(name="n", inventory=NodeInventory(
        node_name="n", images=("vllm/vllm-openai:v0.6",)))  # short name: one spelling in the core

    # 8 GiB at the 80 MB/s default registry pull bandwidth: 107.4 s, then nothing.
    assert round(estimate_startup(pod, bare, sizes).image_s, 1) == round(8 * GIB / 80e6, 1)
    assert estimate_startup(pod, staged, sizes).image_s == 0.0
