"""The index follows the API server: Nodes, NodeCaches and Models through the
shared informers, against a fake API server with real watch semantics."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from typing import Any

import pytest

from extender import ExtenderSettings, NodeIndex
from extender.feed import WatchFeed
from extender.handlers import read_demand
from extender.ranking import ScoreMemo, rank
from tests.extender.conftest import NOW, capture
from tests.kubemock import KubeMock, running_kubemock
from warmstart.clock import ManualClock
from warmstart.kube import KubeClient, from_url
from warmstart.kube.resources import MODELS, NODECACHES, NODES

LLAMA = "hf://meta-llama/Llama-3.1-8B-Instruct@0e9e39f"
QWEN = "hf://Qwen/Qwen2.5-7B-Instruct"


def node(name: str, images: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"images": [{"names": [i], "sizeBytes": 10**10} for i in images]},
    }


def cache(name: str, uri: str, tier: str = "local-disk", **status: object) -> dict[str, Any]:
    return {
        "apiVersion": "warmstart.io/v1alpha1",
        "kind": "NodeCache",
        "metadata": {"name": name},
        "status": {"models": [{"uri": uri, "tier": tier, "bytes": 16060522496}], **status},
    }


@pytest.fixture
def kube() -> Iterator[KubeMock]:
    with running_kubemock(watch_cap_s=0.3) as mock:
        yield mock


@pytest.fixture
def feed(kube: KubeMock) -> Iterator[tuple[WatchFeed, NodeIndex, ManualClock]]:
    clock = ManualClock(NOW)
    index = NodeIndex(ExtenderSettings(), clock)
    client = KubeClient(from_url(kube.url), sleep=lambda _: None)
    yield WatchFeed(index, client, clock, watch_timeout_s=1), index, clock
    client.close()


def scores(index: NodeIndex, body: str) -> dict[str, int]:
    args = capture(body)
    demand = read_demand(index, args["Pod"])
    return rank(index, demand, index.slots.lookup(args["NodeNames"]), math.inf, ScoreMemo()).named(
        index
    )


def test_listed_objects_make_the_index_ready_and_rank(kube, feed):
    watch, index, clock = feed
    kube.seed(NODES, node("gpu-a100-0", ["docker.io/vllm/vllm-openai:v0.11.0"]))
    kube.seed(NODES, node("gpu-h100-0", []))
    kube.seed(NODECACHES, cache("gpu-a100-0", LLAMA))
    assert not index.ready()
    for informer in watch.informers:
        informer.relist()
    assert index.ready()
    assert scores(index, "prioritize-nodenames-annotated-model.json") == {"gpu-a100-0": 9}
    clock.advance(ExtenderSettings().sync_timeout_s + 1)
    assert not index.ready()  # silence from the API server counts as an outage


def test_watch_events_update_the_index(kube, feed):
    watch, index, _ = feed
    for informer in watch.informers:
        informer.relist()
    kube.seed(NODES, node("gpu-h100-1", ["vllm/vllm-openai:v0.11.0"]))
    kube.seed(NODECACHES, cache("gpu-h100-1", LLAMA, tier="host-memory"))
    for informer in watch.informers[:2]:
        informer.watch_once()
    assert scores(index, "prioritize-nodenames-annotated-model.json")["gpu-h100-1"] >= 9
    kube.remove(NODECACHES, "gpu-h100-1")
    kube.remove(NODES, "gpu-h100-1")
    for informer in watch.informers[:2]:
        informer.watch_once()
    assert "gpu-h100-1" not in index.views
    assert scores(index, "prioritize-nodenames-annotated-model.json") == {}


def test_model_catalog_sizes_a_kserve_pod(kube, feed):
    watch, index, _ = feed
    kube.seed(
        MODELS,
        {
            "apiVersion": "warmstart.io/v1alpha1",
            "kind": "Model",
            "metadata": {"name": "qwen"},
            "spec": {"uri": QWEN, "bytes": 15231233024},
        },
    )
    watch.informers[2].relist()
    demand = read_demand(index, capture("filter-nodenames-kserve-predictor.json")["Pod"])
    assert demand.model is not None and demand.model.bytes == 15231233024


def test_malformed_node_cache_is_skipped_and_the_old_one_kept(kube, feed, caplog):
    watch, index, _ = feed
    kube.seed(NODECACHES, cache("gpu-a100-0", LLAMA))
    watch.informers[1].relist()
    bad = cache("gpu-a100-0", LLAMA, tier="floppy-disk")["status"]
    agent = KubeClient(from_url(kube.url))  # writes the status as the node agent would
    agent.patch_status(NODECACHES, "gpu-a100-0", {"status": bad})
    agent.close()
    with caplog.at_level(logging.WARNING):
        watch.informers[1].watch_once()
    assert "status.models.0.tier" in caplog.text
    assert index.views["gpu-a100-0"].inventory.models[0].tier == "local-disk"


def test_relist_after_410_drops_vanished_nodes(kube, feed):
    watch, index, _ = feed
    kube.seed(NODES, node("gone", []))
    watch.informers[0].relist()
    kube.remove(NODES, "gone")
    kube.compact()
    watch.informers[0].watch_once()  # 410 Gone: the informer must relist
    watch.informers[0].run_once()
    assert "gone" not in index.views


def test_a_node_cache_without_status_yet_is_no_inventory_and_no_warning(kube, feed, caplog):
    watch, index, _ = feed
    kube.seed(NODECACHES, {"apiVersion": "warmstart.io/v1alpha1", "kind": "NodeCache",
                           "metadata": {"name": "gpu-a100-0"}})
    with caplog.at_level(logging.WARNING):
        watch.informers[1].relist()
    assert caplog.text == "" and "gpu-a100-0" not in index.views
    agent = KubeClient(from_url(kube.url))  # the agent's first status write
    agent.patch_status(NODECACHES, "gpu-a100-0", {"status": cache("gpu-a100-0", LLAMA)["status"]})
    agent.close()
    watch.informers[1].watch_once()
    assert index.views["gpu-a100-0"].inventory is not None
