"""Staging orders as Prefetch bodies: what the CRD accepts, named by node and
model so a re-issued order names the same object."""

from __future__ import annotations

from provisioner.prefetch import MAX_IMAGES, prefetch_body, prefetch_name
from warmstart.domain.model_ref import ModelRef
from warmstart.domain.node import CacheTier
from warmstart.domain.pod import PodDemand
from warmstart.warmth import StageOrder

ORDER = StageOrder("qwen", "gpu-a100-3", CacheTier.HOST_MEMORY, reason="qwen: host-memory")


def test_a_body_names_node_model_bytes_and_images() -> None:
    pod = PodDemand(images=("docker.io/vllm/vllm-openai:v0.6.3",),
                    model=ModelRef(uri="hf://org/qwen@main", bytes=15 * 10**9))
    body = prefetch_body(ORDER, pod)
    assert body is not None
    assert body["spec"] == {"nodeName": "gpu-a100-3", "uri": "hf://org/qwen@main",
                            "bytes": 15 * 10**9, "images": ["docker.io/vllm/vllm-openai:v0.6.3"]}
    assert body["metadata"]["name"] == prefetch_name("gpu-a100-3", "hf://org/qwen@main")
    assert body["metadata"]["annotations"] == {"warmstart.io/reason": "qwen: host-memory"}


def test_names_differ_by_node_and_model_and_fit_a_dns_label() -> None:
    names = {prefetch_name(n, u) for n in ("a", "b") for u in ("s3://x/1", "s3://x/2")}
    assert len(names) == 4
    long = prefetch_name("n" * 300, "s3://x/1")
    assert len(long) <= 63 and long == long.lower()


def test_what_the_agent_cannot_fetch_is_skipped() -> None:
    assert prefetch_body(ORDER, PodDemand(model=ModelRef(uri="pvc://claim/path"))) is None
    assert prefetch_body(ORDER, PodDemand(images=("x",))) is None


def test_images_are_capped_at_the_crds_limit() -> None:
    pod = PodDemand(images=tuple(f"img-{i}" for i in range(20)),
                    model=ModelRef(uri="s3://m/w"))
    body = prefetch_body(ORDER, pod)
    assert body is not None and len(body["spec"]["images"]) == MAX_IMAGES
    assert "bytes" not in body["spec"]
